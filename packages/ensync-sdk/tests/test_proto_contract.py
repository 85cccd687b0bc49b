"""The generated stubs match the wire contract of the EnSync engine (field names, numbers, types).

The table is written from the protocol fact sheet, independently of proto/ensync.proto, so a
renumbered or retyped field fails here before it breaks other clients.
"""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import FieldDescriptor

from ensync_sdk._proto import ensync_pb2 as pb

S, B, I64, I32 = "string", "bool", "int64", "int32"

CONTRACT: dict[str, list[tuple[str, int, str]]] = {
    "ConnectRequest": [("access_key", 1, S)],
    "ConnectResponse": [
        ("success", 1, B),
        ("client_id", 2, S),
        ("client_hash", 3, S),
        ("server_config", 4, "map"),
        ("error_message", 5, S),
    ],
    "HeartbeatRequest": [("client_id", 1, S)],
    "HeartbeatResponse": [("success", 1, B)],
    "PublishMessageRequest": [
        ("client_id", 1, S),
        ("message_name", 2, S),
        ("payload", 3, S),
        ("delivery_to", 4, S),
        ("metadata", 5, S),
        ("payload_metadata", 6, S),
    ],
    "PublishMessageResponse": [("success", 1, B), ("message_idem", 2, S), ("error_message", 3, S)],
    "SubscribeRequest": [("client_id", 1, S), ("message_name", 2, S)],
    "MessageStreamResponse": [
        ("message_idem", 1, S),
        ("message_name", 2, S),
        ("payload", 3, S),
        ("partition_block", 4, I64),
        ("metadata", 5, S),
        ("sender", 6, S),
    ],
    "UnsubscribeRequest": [("client_id", 1, S), ("message_name", 2, S)],
    "UnsubscribeResponse": [("success", 1, B), ("message", 2, S)],
    "AcknowledgeRequest": [
        ("client_id", 1, S),
        ("message_idem", 2, S),
        ("message_name", 3, S),
        ("partition_block", 4, I64),
    ],
    "AcknowledgeResponse": [("success", 1, B), ("message", 2, S)],
    "DeferRequest": [
        ("client_id", 1, S),
        ("message_idem", 2, S),
        ("message_name", 3, S),
        ("delay_ms", 4, I64),
        ("priority", 5, I32),
        ("reason", 6, S),
    ],
    "DeferResponse": [("success", 1, B), ("message", 2, S), ("delivery_time", 3, I64)],
    "DiscardRequest": [
        ("client_id", 1, S),
        ("message_idem", 2, S),
        ("message_name", 3, S),
        ("reason", 4, S),
    ],
    "DiscardResponse": [("success", 1, B), ("message", 2, S)],
    "ReplayRequest": [("client_id", 1, S), ("message_idem", 2, S), ("message_name", 3, S)],
    "ReplayResponse": [("success", 1, B), ("message", 2, S), ("message_data", 3, S)],
    "PauseRequest": [("client_id", 1, S), ("message_name", 2, S), ("reason", 3, S)],
    "PauseResponse": [("success", 1, B), ("message", 2, S)],
    "ContinueRequest": [("client_id", 1, S), ("message_name", 2, S)],
    "ContinueResponse": [("success", 1, B), ("message", 2, S)],
}

RPCS = {
    "Connect": ("ConnectRequest", "ConnectResponse", False),
    "Heartbeat": ("HeartbeatRequest", "HeartbeatResponse", False),
    "PublishMessage": ("PublishMessageRequest", "PublishMessageResponse", False),
    "Subscribe": ("SubscribeRequest", "MessageStreamResponse", True),
    "Unsubscribe": ("UnsubscribeRequest", "UnsubscribeResponse", False),
    "AcknowledgeMessage": ("AcknowledgeRequest", "AcknowledgeResponse", False),
    "DeferMessage": ("DeferRequest", "DeferResponse", False),
    "DiscardMessage": ("DiscardRequest", "DiscardResponse", False),
    "ReplayMessage": ("ReplayRequest", "ReplayResponse", False),
    "PauseMessages": ("PauseRequest", "PauseResponse", False),
    "ContinueMessages": ("ContinueRequest", "ContinueResponse", False),
}

_TYPES = {
    FieldDescriptor.TYPE_STRING: S,
    FieldDescriptor.TYPE_BOOL: B,
    FieldDescriptor.TYPE_INT64: I64,
    FieldDescriptor.TYPE_INT32: I32,
}


def _kind(field: FieldDescriptor) -> str:
    message = field.message_type
    if message is not None and message.GetOptions().map_entry:
        key, value = message.fields_by_name["key"], message.fields_by_name["value"]
        assert (key.type, value.type) == (FieldDescriptor.TYPE_STRING,) * 2
        return "map"
    return _TYPES.get(field.type, f"type {field.type}")


def test_package_and_messages() -> None:
    assert pb.DESCRIPTOR.package == "ensync"
    assert set(pb.DESCRIPTOR.message_types_by_name) == set(CONTRACT)


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_message_fields(name: str) -> None:
    descriptor = pb.DESCRIPTOR.message_types_by_name[name]
    actual = [(f.name, f.number, _kind(f)) for f in descriptor.fields]
    assert sorted(actual, key=lambda f: f[1]) == CONTRACT[name]


def test_service_methods() -> None:
    service = pb.DESCRIPTOR.services_by_name["EnSyncService"]
    assert service.full_name == "ensync.EnSyncService"
    actual = {
        m.name: (m.input_type.name, m.output_type.name, m.server_streaming) for m in service.methods
    }
    assert actual == RPCS
    assert all(not m.client_streaming for m in service.methods)

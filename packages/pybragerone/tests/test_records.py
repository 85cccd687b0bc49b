"""REST records: both views of every answer, and typed errors for answers of the wrong shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pybragerone import BragerApiClient, BragerApiError, BragerServer
from pybragerone.errors import BragerKeyError
from pybragerone.models.api import BragerObject, Module, ModulePage, User

# keys the models do not declare (a newer cloud's additions)
extra_keys = st.text("abcdefghijklmnopqrstuvwxyzXYZ", min_size=3, max_size=12).filter(
    lambda k: k not in Module.model_fields and k not in {"connectedAt", "moduleTitle"}
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))


@given(
    devid=st.text("ABCDEFGHIJ0123456789", min_size=1, max_size=12),
    module_id=st.integers(0, 10**9),
    connected=st.one_of(st.none(), st.integers(0, 2**31)),
    extras=st.dictionaries(extra_keys, json_scalars, max_size=4),
)
def test_indexing_and_attributes_agree(
    devid: str, module_id: int, connected: int | None, extras: dict[str, Any]
) -> None:
    raw = {"id": module_id, "devid": devid, "connectedAt": connected, **extras}
    module = Module.model_validate(raw)
    assert module["devid"] == module.devid == module.get("devid") == devid
    assert module["id"] == module.id == module_id
    assert module["connectedAt"] == module["connected_at"] == module.connected_at == connected
    assert module.online is bool(connected)
    for key, value in extras.items():
        assert module[key] == value
        assert key in module
        assert module.keys().count(key) == 1
    assert module.to_dict()["devid"] == devid


@given(st.text(max_size=10))
def test_an_unknown_key_is_a_key_error_naming_it(key: str) -> None:
    obj = BragerObject.model_validate({"id": 1, "name": "Dom"})
    if key in obj:
        return
    assert obj.get(key, "absent") == "absent"
    with pytest.raises(BragerKeyError) as info:
        obj[key]
    assert repr(key) in str(info.value)
    assert isinstance(info.value, KeyError)


def test_records_index_through_nesting() -> None:
    page = ModulePage.model_validate(
        {"data": [{"id": 1, "devid": "A", "gateway": {"address": None, "interface": "wifi"}}]}
    )
    assert page["data"][0]["gateway"]["address"] == ""  # the cloud's null, as a string
    assert page.data[0].gateway is not None
    assert page.data[0].gateway.interface == "wifi"
    assert 3 not in page  # only text keys exist


def test_user_objects_default_to_an_empty_list() -> None:
    assert User.model_validate({"id": 1})["objects"] == []


class OddCloud:
    """A cloud that logs in fine and then answers with bodies of the wrong shape."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.app = web.Application()
        self.app.router.add_post("/v1/auth/user", self.login)
        self.app.router.add_route("*", "/v1/{tail:.*}", self.answer)
        self.runner = web.AppRunner(self.app)

    async def login(self, request: web.Request) -> web.Response:
        return web.json_response({"accessToken": "tok", "user": {"id": 1}})

    async def answer(self, request: web.Request) -> web.Response:
        return web.json_response(self.answers[request.path.removeprefix("/v1")])


@pytest.fixture
async def odd_api(request: pytest.FixtureRequest) -> AsyncIterator[BragerApiClient]:
    cloud = OddCloud(request.param)
    await cloud.runner.setup()
    site = web.TCPSite(cloud.runner, "127.0.0.1", 0)
    await site.start()
    server = BragerServer.from_url(f"http://127.0.0.1:{cloud.runner.addresses[0][1]}/v1")
    try:
        async with BragerApiClient("a@b.c", "pw", server=server) as api:
            yield api
    finally:
        await cloud.runner.cleanup()


@pytest.mark.parametrize(
    ("odd_api", "call", "message"),
    [
        ({"/user": {"user": {"name": "no id"}}}, "get_user", "/user answered an unexpected shape"),
        (
            {"/user": {"user": {"id": 1}}, "/objects": {"data": [{"name": "no id"}]}},
            "get_user",
            "/objects answered an unexpected shape",
        ),
        ({"/modules": {"rows": []}}, "modules_list", "/modules answered an unexpected shape"),
        (
            {"/modules": {"data": [{"id": 1}]}},  # a module without devid
            "get_modules",
            "/modules answered an unexpected shape",
        ),
        ({"/objects": {"data": "x"}}, "get_objects", "/objects answered no list of items"),
        (
            {"/modules/X1/card": ["not", "a", "card"]},
            "get_module_card",
            "/modules/X1/card answered an unexpected shape",
        ),
    ],
    indirect=["odd_api"],
)
async def test_answers_of_the_wrong_shape_raise_typed_errors(
    odd_api: BragerApiClient, call: str, message: str
) -> None:
    args = {"modules_list": (439,), "get_modules": (439,), "get_module_card": ("X1",)}
    with pytest.raises(BragerApiError, match=message) as info:
        await getattr(odd_api, call)(*args.get(call, ()))
    assert info.value.status == 200
    if "unexpected shape" in message:
        assert isinstance(info.value.__cause__, ValidationError)

"""Transport layer: MQTT (paho-mqtt) with TLS client certificates from PKCS#12."""

from power_sdk.transport.broker import BrokerAddress, parse_broker
from power_sdk.transport.mqtt import MQTTConfig, MQTTTransport, MqttTransport
from power_sdk.transport.tls import TlsFiles, load_pkcs12

__all__ = [
    "BrokerAddress",
    "MQTTConfig",
    "MQTTTransport",
    "MqttTransport",
    "TlsFiles",
    "load_pkcs12",
    "parse_broker",
]

"""Transport layer: MQTT (paho-mqtt) with TLS client certificates from PKCS#12."""

from power_sdk.transport.mqtt import MqttTransport
from power_sdk.transport.tls import TlsFiles, load_pkcs12

__all__ = ["MqttTransport", "TlsFiles", "load_pkcs12"]

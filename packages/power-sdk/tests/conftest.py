"""Bring in the bluetti broker fixtures until the plugin registers them itself."""

from shared_testing.bluetti.fixtures import any_mqtt_broker, bluetti_on_broker, mqtt_broker

__all__ = ["any_mqtt_broker", "bluetti_on_broker", "mqtt_broker"]

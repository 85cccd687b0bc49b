"""Protocol layer: Modbus RTU framing carried inside MQTT payloads."""

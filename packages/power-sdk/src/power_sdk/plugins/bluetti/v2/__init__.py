"""Bluetti V2: Modbus RTU over MQTT, with the V2 block catalogue.

``protocol`` holds the schema language (``schema``: ``BlockSchema``, ``Field``;
``datatypes``: ``UInt16``, ``Int16``...; ``transforms``), ``schemas`` the built-in block
layouts.
"""

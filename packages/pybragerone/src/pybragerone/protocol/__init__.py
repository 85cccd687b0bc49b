"""Socket.IO event names and the codec of snapshot and change payloads (no I/O)."""

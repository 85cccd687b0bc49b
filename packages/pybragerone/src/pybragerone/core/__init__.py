"""REST and realtime clients, server configuration and tokens."""

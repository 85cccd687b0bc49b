"""Runtime plugins shipped with power-sdk."""

"""The Bluetti V2 schema language under the published package's module names."""

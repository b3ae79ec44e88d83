"""devkit tests use the real-server fixtures from the root conftest."""

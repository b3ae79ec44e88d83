"""Real servers for tests, benchmarks and the demo.

``devkit`` starts PostgreSQL, Redis, nginx and dnsmasq from their Debian packages on
free loopback ports inside temporary directories (see ``devkit/system.sh`` to install
them). Everything listens on 127.0.0.1 only. Nothing here is ever mocked.
"""

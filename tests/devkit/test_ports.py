"""Free ports: under pytest-xdist each worker has its own range, below the ephemeral ports."""

from __future__ import annotations

import socket

from devkit.ports import HOST, free_port, worker_ports


def test_each_xdist_worker_gets_its_own_ports_below_the_ephemeral_range() -> None:
    first, second = worker_ports("gw0"), worker_ports("gw1")
    assert first is not None and second is not None
    assert not set(first) & set(second)
    assert len(first) >= 1000
    assert max(second) < 32_768
    assert worker_ports(None) is None and worker_ports("master") is None


def test_a_worker_port_is_free_in_its_range_and_never_handed_out_twice() -> None:
    ports = [free_port(worker="gw2") for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(port in worker_ports("gw2") for port in ports)  # type: ignore[operator]
    with socket.socket() as sock:
        sock.bind((HOST, ports[0]))  # it was free


def test_a_port_for_udp_is_free_for_both() -> None:
    port = free_port(udp=True, worker="gw3")
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.bind((HOST, port))

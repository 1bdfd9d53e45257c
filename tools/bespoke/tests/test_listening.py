"""Every socket the running local stack listens on is on loopback and on a port of its
configuration, so a second stack on shifted ports can run beside it (Linux: reads /proc)."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import pytest

from bespoke.stack.components import all_components
from bespoke.stack.components.services import SERVICE_NAMES
from bespoke.stack.config import StackConfig
from bespoke.stack.processes import read_pid

pytestmark = pytest.mark.stack

PROC = Path("/proc")
LISTEN = "0A"


def _address(hex_address: str) -> tuple[str, int]:
    host, port = hex_address.split(":")
    raw = bytes.fromhex(host)
    # /proc/net/tcp{,6} print each 32-bit word of the address in host byte order.
    words = struct.unpack(f"<{len(raw) // 4}I", raw)
    packed = struct.pack(f">{len(words)}I", *words)
    if len(packed) == 4:
        return socket.inet_ntop(socket.AF_INET, packed), int(port, 16)
    if packed[:12] == b"\0" * 10 + b"\xff" * 2:  # IPv4-mapped (a dual-stack socket, Java's)
        return socket.inet_ntop(socket.AF_INET, packed[12:]), int(port, 16)
    return socket.inet_ntop(socket.AF_INET6, packed), int(port, 16)


def listening_sockets() -> dict[str, tuple[str, int]]:
    """Socket inode -> (address, port) of every TCP socket in LISTEN on this machine."""
    found = {}
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN:
                found[fields[9]] = _address(fields[1])
    return found


def process_group(pgid: int) -> list[int]:
    """Every process whose process group is ``pgid`` (the stack starts each in its own)."""
    members = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            after_name = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(after_name[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in (PROC / str(pid) / "fd").glob("*"):
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def test_the_proc_addresses_are_decoded() -> None:
    assert _address("0100007F:2382") == ("127.0.0.1", 9090)
    assert _address("00000000000000000000000000000000:2F30") == ("::", 12080)
    assert _address("00000000000000000000000001000000:1F90") == ("::1", 8080)
    assert _address("0000000000000000FFFF00000100007F:2384") == ("127.0.0.1", 9092)


def test_every_socket_the_stack_listens_on_is_loopback_on_a_configured_port(
    running_system: StackConfig,
) -> None:
    config = running_system
    configured = {
        getattr(config, name) for name in type(config).model_fields if name.endswith("_port")
    } | {config.metrics_port(service) for service in SERVICE_NAMES}
    listening = listening_sockets()
    seen: dict[str, set[tuple[str, int]]] = {}
    for component in all_components(config):
        pid = read_pid(component.pid_file)
        assert pid is not None, f"{component.name} has no pid file"
        for member in process_group(pid):
            for inode in socket_inodes(member) & listening.keys():
                seen.setdefault(component.name, set()).add(listening[inode])
    offenders = {
        name: sorted(a for a in addresses if a[0] != config.host or a[1] not in configured)
        for name, addresses in seen.items()
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}
    assert set(seen) == {c.name for c in all_components(config)}, "each listens somewhere"
    assert (config.host, config.stripe_mock_https_port) in seen["stripe-mock"]

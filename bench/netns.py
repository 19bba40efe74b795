"""A test network: a network namespace joined to this host by a veth pair, made and removed here.

    with veth_namespace() as net:      # NetnsUnavailable when `ip netns` is not permitted
        net.host_address               # 10.x.y.1: bind the class here (the host's end)
        net.run(["python", ...])       # a process inside the namespace (a student's machine)
        net.popen([...])

Traffic goes only between the two ends of the pair (a /30 of 10.0.0.0/8 no other interface
uses), never to the machine's own network address. The namespace and the pair are removed
whatever happens (the namespace's processes are killed first, by pid).
"""
from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path


class NetnsUnavailable(RuntimeError):
    """`ip netns` / veth cannot be used here (not root, no CAP_NET_ADMIN, no iproute2)."""


def _ip(*args: str, namespace: str | None = None) -> subprocess.CompletedProcess:
    argv = ["ip", *(["-n", namespace] if namespace else []), *args]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise NetnsUnavailable(f"{' '.join(argv)}: {error}") from None


def _check(result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        raise NetnsUnavailable(f"{' '.join(result.args)}: {result.stderr.strip() or result.returncode}")


def _used_networks() -> list[ipaddress.IPv4Network]:
    result = _ip("-4", "-o", "addr", "show")
    networks = []
    for line in result.stdout.splitlines():
        words = line.split()
        if "inet" in words:
            networks.append(ipaddress.ip_interface(words[words.index("inet") + 1]).network)
    return networks


@dataclass(frozen=True)
class TestNetwork:
    name: str           # the namespace
    host_address: str   # this host's end of the pair
    guest_address: str  # the namespace's end (a student's machine)

    def command(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(argv), **kwargs)

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        return subprocess.Popen(self.command(argv), **kwargs)

    def pids(self) -> list[int]:
        result = subprocess.run(["ip", "netns", "pids", self.name], capture_output=True, text=True, timeout=20)
        return [int(word) for word in result.stdout.split() if word.isdigit()]


@contextmanager
def veth_namespace(prefix: str = "ptui"):
    """A fresh namespace `prefix<pid>` with a veth pair to this host; removed on exit."""
    name = f"{prefix}{os.getpid() % 100000}"
    host_if, guest_if = f"{name}h"[:15], f"{name}g"[:15]
    used = _used_networks()
    subnet = next((net for index in range(64, 250) for net in
                   [ipaddress.ip_network(f"10.{index}.{os.getpid() % 250}.0/30")]
                   if not any(net.overlaps(other) for other in used)), None)
    if subnet is None:
        raise NetnsUnavailable("no free 10.x.y.0/30 for a test network")
    host_ip, guest_ip = (str(address) for address in subnet.hosts())
    _check(_ip("netns", "add", name))
    try:
        _check(_ip("link", "add", host_if, "type", "veth", "peer", "name", guest_if))
        _check(_ip("link", "set", guest_if, "netns", name))
        _check(_ip("addr", "add", f"{host_ip}/30", "dev", host_if))
        _check(_ip("link", "set", host_if, "up"))
        _check(_ip("addr", "add", f"{guest_ip}/30", "dev", guest_if, namespace=name))
        _check(_ip("link", "set", guest_if, "up", namespace=name))
        _check(_ip("link", "set", "lo", "up", namespace=name))
        yield TestNetwork(name, host_ip, guest_ip)
    finally:
        net = TestNetwork(name, host_ip, guest_ip)
        for pid in net.pids():
            with suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _ip("link", "del", host_if)  # removes its peer too
        _ip("netns", "del", name)
        if Path(f"/run/netns/{name}").exists():  # still there: say so rather than leave it silently
            raise RuntimeError(f"network namespace {name} could not be removed")

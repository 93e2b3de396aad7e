"""Keep a test run off the network: sockets may reach this machine (loopback, Unix sockets) only.

``block_network()`` patches ``socket.socket.connect`` / ``connect_ex`` / ``sendto`` and
``socket.getaddrinfo``: anything aimed elsewhere raises :class:`NetworkBlocked` and is recorded
in :data:`ATTEMPTS`, so a test can also show that nothing even tried. Local servers the tests
start themselves (a Dask cluster, ChromeDriver, Jupyter kernels) talk over loopback and keep
working. The conftest installs it for the whole session.

Example:
    >>> with block_network():
    ...     is_local(("127.0.0.1", 80)), is_local(("192.0.2.1", 80))
    (True, False)
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

__all__ = ["ATTEMPTS", "NetworkBlocked", "block_network", "is_local"]

#: Addresses that something tried to reach and was refused, in order.
ATTEMPTS: list[str] = []
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlocked(OSError):
    """A test tried to reach another machine."""


def _local_host(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%", 1)[0]
    if host.lower() in _LOCAL_NAMES or host == socket.gethostname():
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name to resolve: that would ask a DNS server
    return address.is_loopback or address.is_unspecified


def is_local(address: Any) -> bool:
    """True for a Unix socket path or a loopback / this machine's host address."""
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX
    if isinstance(address, tuple) and address:
        return _local_host(address[0])
    return False


def _refuse(what: str) -> None:
    ATTEMPTS.append(what)
    raise NetworkBlocked(f"network access blocked during tests: {what}")


@contextmanager
def block_network() -> Iterator[None]:
    """Refuse every connection that would leave this machine while the block is active."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if self.family != socket.AF_UNIX and not is_local(address):
            _refuse(f"connect to {address!r}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family != socket.AF_UNIX and not is_local(address):
            _refuse(f"connect_ex to {address!r}")
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: bytes, *args: Any) -> int:
        address = args[-1]
        if self.family != socket.AF_UNIX and not is_local(address):
            _refuse(f"sendto {address!r}")
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _local_host(host):
            _refuse(f"name lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket.socket, "connect_ex", connect_ex)
        patch.setattr(socket.socket, "sendto", sendto)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield

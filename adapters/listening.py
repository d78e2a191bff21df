"""The HTTP server's listening socket, bound before anything else starts, so that a port in
use (or a host that is not this machine's) stops start-up with one line and nothing touched."""

from __future__ import annotations

import errno
import socket

from adapters.startup import StartupRefused


class CannotListen(StartupRefused):
    """The server cannot listen where the settings say; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_status=1)


def _problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (
            f"port {port} on {host} is already in use (is coachbot already running?); stop "
            "that process or set COACHBOT_PORT to a free port"
        )
    if error.errno == errno.EACCES:
        return (
            f"not allowed to listen on port {port}; set COACHBOT_PORT to a port above 1023 "
            "(or run with the right to use it)"
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return (
            f"COACHBOT_HOST {host} is not an address of this machine; set it to one "
            "(0.0.0.0 listens on all)"
        )
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` (its first address), for the server to accept on."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror:
        raise CannotListen(
            f"COACHBOT_HOST {host!r} is not a known host name; set it to an address of this "
            "machine (0.0.0.0 listens on all)"
        ) from None
    sock = socket.socket(family, kind, proto)
    try:
        # as aiohttp does: a port left in TIME_WAIT by a stopped server can be used again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CannotListen(_problem(host, port, exc)) from None
    return sock

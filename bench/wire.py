"""A counting TCP relay in front of PostgreSQL: every query the client sends, as the server sees it.

libpq (under psycopg2) sends each statement, ``BEGIN``, ``ROLLBACK``, ``SET`` and
ping as one simple-query message ('Q') and waits for its answer, so the 'Q'
messages are exactly the round trips. Clients must connect with
``sslmode=disable`` (and ``gssencmode=disable``) so that the stream is readable.
"""

from __future__ import annotations

import socket
import struct
import threading
from urllib.parse import urlsplit, urlunsplit


class QueryRelay:
    """Listens on 127.0.0.1 (any free port) and relays to ``host:port``, recording queries."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.queries: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept_forever, daemon=True).start()

    @classmethod
    def for_url(cls, url: str) -> tuple[QueryRelay, str]:
        """A relay to the server of ``url``, and the same URL pointed at the relay."""
        parts = urlsplit(url)
        relay = cls(parts.hostname or "127.0.0.1", parts.port or 5432)
        auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        relayed = urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{relay.port}"))
        return relay, relayed

    def reset(self) -> None:
        with self._lock:
            self.queries.clear()

    def taken(self) -> list[str]:
        with self._lock:
            return list(self.queries)

    def _accept_forever(self) -> None:
        while True:
            client, _ = self._listener.accept()
            server = socket.create_connection(self.target)
            threading.Thread(target=self._client_to_server, args=(client, server), daemon=True).start()
            threading.Thread(target=_pump, args=(server, client), daemon=True).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket) -> None:
        buffer, startup = b"", True
        try:
            while data := client.recv(65536):
                buffer += data
                # Parse whole messages before forwarding them: once the server answers,
                # the query is already on the list.
                while True:
                    if startup:
                        if len(buffer) < 4:
                            break
                        (length,) = struct.unpack("!I", buffer[:4])
                        if len(buffer) < length:
                            break
                        buffer, startup = buffer[length:], False
                        continue
                    if len(buffer) < 5:
                        break
                    kind, (length,) = buffer[:1], struct.unpack("!I", buffer[1:5])
                    if len(buffer) < 1 + length:
                        break
                    if kind == b"Q":
                        text = buffer[5 : 1 + length].rstrip(b"\0").decode(errors="replace")
                        with self._lock:
                            self.queries.append(" ".join(text.split()))
                    buffer = buffer[1 + length :]
                server.sendall(data)
        except OSError:
            pass
        finally:
            _close(client, server)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source, sink)


def _close(*socks: socket.socket) -> None:
    for sock in socks:
        try:
            sock.close()
        except OSError:
            pass

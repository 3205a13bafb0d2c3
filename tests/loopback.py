"""The threaded loopback HTTP server both fake services (OpenAlex, Crossref) build on.

A subclass implements ``_handle(h)`` and answers with :meth:`LoopbackServer._send`.

Example:
    >>> class Hello(LoopbackServer):
    ...     def _handle(self, h):
    ...         self._send(h, 200, {"Content-Type": "text/plain"}, b"hi")
    >>> with Hello() as srv:
    ...     srv.base_url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port), started and stopped as a context manager."""

    keep_alive = False  # HTTP/1.1 persistent connections, as the real APIs keep

    def __init__(self) -> None:
        self.lock = threading.Lock()
        server, proto = self, ("HTTP/1.1" if self.keep_alive else "HTTP/1.0")

        class Handler(BaseHTTPRequestHandler):
            protocol_version = proto

            def log_message(self, *a: Any) -> None:  # silence
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes) -> None:
        """One whole answer; a client that hung up is not an error."""
        try:
            h.send_response(status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

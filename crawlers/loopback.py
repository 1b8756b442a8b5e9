"""A small HTTP server on 127.0.0.1 for crawler tests, the offline demo and the crawl benchmark.

Pages are registered per path, either fixed (body, status, headers) or computed per request
(429-then-200, redirect loops, a page that hangs). Fixed pages get an ETag and Last-Modified
and answer conditional requests with 304, like a well-behaved news site. Every request is
logged so tests can assert what the crawler fetched.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_LAST_MODIFIED = "Fri, 20 Nov 2026 01:00:00 GMT"


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag/Last-Modified and honour conditional requests
    last_modified: str = DEFAULT_LAST_MODIFIED
    hang_s: float = 0.0  # wait this long before answering (a hanging source)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


Route = Page | Callable[["Hit"], Page]


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)


class LoopbackSite:
    """Serve registered pages on 127.0.0.1:<free port> from a background thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                site._serve(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> LoopbackSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def requested(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.path == path]

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        hit = Hit("GET", handler.path, {k.lower(): v for k, v in handler.headers.items()})
        with self._lock:
            self.hits.append(hit)
        route = self.routes.get(handler.path.split("#", 1)[0]) or self.routes.get(handler.path.split("?", 1)[0])
        page = route(hit) if callable(route) else route
        if page is None:
            page = Page(b"<html><body><h1>404</h1></body></html>", status=404, validators=False)
        if page.hang_s:
            self._stopping.wait(page.hang_s)
        headers = {"Content-Type": page.content_type, **page.headers}
        status = page.status
        if page.validators and status == 200:
            headers["ETag"] = page.etag
            headers["Last-Modified"] = page.last_modified
            if hit.headers.get("if-none-match") == page.etag or (
                "if-none-match" not in hit.headers and hit.headers.get("if-modified-since") == page.last_modified
            ):
                status = 304
        hit.status = status
        body = b"" if status == 304 else page.body
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

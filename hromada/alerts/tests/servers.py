"""Real HTTP servers on 127.0.0.1 for tests: a fake Telegram Bot API, and a static site that
serves CAP feeds. Real sockets, real HTTP, so the code under test runs as in production."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class FakeBotAPI:
    """Answers sendMessage like Telegram's Bot API does; ``replies`` scripts the next answers
    as (HTTP status, JSON body); without a script every message is accepted."""

    token: str = "123456:TEST-token"
    sent: list[dict[str, Any]] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @contextmanager
    def running(self) -> Iterator[str]:
        api = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                api.paths.append(self.path)
                if self.path != f"/bot{api.token}/sendMessage":
                    status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
                elif api.replies:
                    status, body = api.replies.pop(0)
                else:
                    api.sent.append(payload)
                    status = 200
                    body = {
                        "ok": True,
                        "result": {
                            "message_id": len(api.sent),
                            "chat": {"id": payload.get("chat_id")},
                            "text": payload.get("text"),
                        },
                    }
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        with serving(Handler) as url:
            yield url


@dataclass
class StaticSite:
    """Serves ``files`` ({path: (content type, bytes)}) and counts the requests for each."""

    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def running(self) -> Iterator[str]:
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                site.hits[self.path] = site.hits.get(self.path, 0) + 1
                if self.path not in site.files:
                    self.send_error(404)
                    return
                content_type, data = site.files[self.path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        with serving(Handler) as url:
            yield url

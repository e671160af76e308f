"""A fake Telegram Bot API on 127.0.0.1: a real HTTP server in a thread that speaks the Bot
API's JSON for the methods the bot uses, so python-telegram-bot runs as in production.

Tests queue updates as a user would produce them (``say``, ``press``, ``send_photo``,
``send_location``), run the bot, and read what it sent (``sent``, ``texts``, ``buttons``).
"""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

TOKEN = "424242:FAKE-token"
BOT_USER = {"id": 424242, "is_bot": True, "first_name": "Hromada", "username": "hromada_bot"}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


@dataclass
class FakeTelegram:
    token: str = TOKEN
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    url: str = ""
    webhook: str = ""
    webhook_secret: str = ""

    def __post_init__(self) -> None:
        self._ids = itertools.count(1)
        self._messages = itertools.count(100)
        self._lock = threading.Lock()

    # What users do -------------------------------------------------------------------------

    def user(self, telegram_id: int, *, language: str = "uk", username: str = "") -> dict[str, Any]:
        return {
            "id": telegram_id,
            "is_bot": False,
            "first_name": f"User {telegram_id}",
            "username": username or f"user{telegram_id}",
            "language_code": language,
        }

    def _message(
        self, user: dict[str, Any], chat_type: str = "private", **content: Any
    ) -> dict[str, Any]:
        chat = {"id": user["id"], "type": chat_type}
        if chat_type != "private":
            chat = {"id": -1000000 - user["id"], "type": chat_type, "title": "Town chat"}
        return {
            "message_id": next(self._messages),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            **content,
        }

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.updates.append(update)
        return update

    def say(self, user: dict[str, Any], text: str, *, chat_type: str = "private") -> dict[str, Any]:
        return self.push(
            {"update_id": next(self._ids), "message": self._message(user, chat_type, text=text)}
        )

    def press(
        self, user: dict[str, Any], data: str, *, message_id: int | None = None
    ) -> dict[str, Any]:
        message = {
            "message_id": message_id or self.last_message_id(user["id"]),
            "date": int(time.time()),
            "chat": {"id": user["id"], "type": "private"},
            "from": BOT_USER,
            "text": "…",
        }
        query = {
            "id": f"cb{next(self._ids)}",
            "from": user,
            "chat_instance": "1",
            "data": data,
            "message": message,
        }
        return self.push({"update_id": next(self._ids), "callback_query": query})

    def send_photo(self, user: dict[str, Any], content: bytes | None = None) -> dict[str, Any]:
        file_id = f"photo{next(self._ids)}"
        self.files[file_id] = content if content is not None else jpeg()
        size = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "width": 64,
            "height": 48,
            "file_size": len(self.files[file_id]),
        }
        return self.push(
            {"update_id": next(self._ids), "message": self._message(user, photo=[size])}
        )

    def send_location(
        self, user: dict[str, Any], latitude: float, longitude: float
    ) -> dict[str, Any]:
        location = {"latitude": latitude, "longitude": longitude}
        return self.push(
            {"update_id": next(self._ids), "message": self._message(user, location=location)}
        )

    def repeat(self, update: dict[str, Any]) -> None:
        """Telegram delivering the same update again (a retry after a timeout)."""
        self.push(json.loads(json.dumps(update)))

    # What the bot did ----------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """sendMessage and editMessageText calls (to ``chat_id``), oldest first."""
        return [
            params
            for method, params in self.calls
            if method in ("sendMessage", "editMessageText")
            and (chat_id is None or str(params.get("chat_id")) == str(chat_id))
        ]

    def texts(self, chat_id: int) -> list[str]:
        return [str(p.get("text", "")) for p in self.sent(chat_id)]

    def last(self, chat_id: int) -> dict[str, Any]:
        return self.sent(chat_id)[-1]

    def buttons(self, chat_id: int) -> dict[str, str]:
        """The last message's inline buttons, label -> callback data."""
        markup = self.last(chat_id).get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return {
            b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row
        }

    def last_message_id(self, chat_id: int) -> int:
        for method, params in reversed(self.calls):
            if method == "sendMessage" and str(params.get("chat_id")) == str(chat_id):
                return int(params["_message_id"])
            if method == "editMessageText" and str(params.get("chat_id")) == str(chat_id):
                return int(params["message_id"])
        return 1

    # The server ----------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                waiting = list(self.updates)
            return 200, {"ok": True, "result": waiting}
        if method == "sendMessage":
            message_id = next(self._messages)
            params["_message_id"] = message_id
            chat = {
                "id": int(params["chat_id"]) if str(params["chat_id"]).lstrip("-").isdigit() else 0,
                "type": "private",
            }
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": result}
        if method == "editMessageText":
            result = {
                "message_id": int(params["message_id"]),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": result}
        if method in ("setWebhook", "deleteWebhook"):
            self.webhook = str(params.get("url", "")) if method == "setWebhook" else ""
            self.webhook_secret = str(params.get("secret_token", ""))
            return 200, {"ok": True, "result": True}
        if method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            file_id = params["file_id"]
            if file_id not in self.files:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: invalid file_id",
                }
            result = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg",
            }
            return 200, {"ok": True, "result": result}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    @contextmanager
    def running(self) -> Iterator[str]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                prefix = f"/file/bot{api.token}/photos/"
                path = urllib.parse.unquote(self.path)
                if path.startswith(prefix):
                    file_id = path[len(prefix) :].removesuffix(".jpg")
                    if file_id in api.files:
                        self._reply(200, api.files[file_id], "image/jpeg")
                        return
                self._reply(404, b"", "text/plain")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                content_type = self.headers.get("Content-Type", "")
                if "json" in content_type:
                    params = json.loads(raw or b"{}")
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                    for key in ("reply_markup", "allowed_updates"):
                        if isinstance(params.get(key), str):
                            params[key] = json.loads(params[key])
                prefix = f"/bot{api.token}/"
                if not self.path.startswith(prefix):
                    status, body = (
                        401,
                        {"ok": False, "error_code": 401, "description": "Unauthorized"},
                    )
                else:
                    method = self.path[len(prefix) :]
                    with api._lock:
                        api.calls.append((method, params))
                    status, body = api._answer(method, params)
                self._reply(status, json.dumps(body).encode(), "application/json")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            self.url = f"http://127.0.0.1:{server.server_address[1]}"
            yield self.url
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

"""SQLite's LIKE folds case for ASCII only, so "хліб" would not find "Хліб".

We replace LIKE on every SQLite connection with one that folds case for all of Unicode,
as PostgreSQL's ILIKE does. Django's ``icontains``/``istartswith`` use LIKE on SQLite.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created


@lru_cache(maxsize=1024)
def _compile(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern: Any, value: Any, escape: Any = None) -> int | None:
    if pattern is None or value is None:
        return None
    return int(_compile(str(pattern), escape).fullmatch(str(value)) is not None)


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("like", 2, unicode_like, deterministic=True)
        raw.create_function("like", 3, unicode_like, deterministic=True)


def install() -> None:
    connection_created.connect(_on_connect, dispatch_uid="hromada-unicode-like")

"""A file kept between an import's preview and its commit, private to the user who sent it.

Each app names its store: ``STORAGES[<name>]`` when the deployment defines one (shared by
every web process: a bucket, a network folder), else a private folder under var/ that the web
server never serves. A file and its description (JSON) sit under the user's id and a random
token; another user's token finds nothing. Files older than ``keep`` are dropped when read and
purged, whoever left them, each time a new one is saved.
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class PrivateUploads:
    name: str  # the STORAGES alias, and the folder under var/private/ (with - for _)
    keep: datetime.timedelta = datetime.timedelta(hours=24)

    def storage(self) -> Storage:
        if self.name in settings.STORAGES:
            return storages[self.name]
        return FileSystemStorage(
            location=settings.VAR_DIR / "private" / self.name.replace("_", "-"),
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )

    @staticmethod
    def _paths(user: Any, token: str) -> tuple[str, str]:
        return f"{user.pk}/{token}.data", f"{user.pk}/{token}.json"

    def save(self, user: Any, content: bytes, info: dict[str, Any]) -> str:
        """Keep ``content`` with its description ``info``; returns the token that names it."""
        store = self.storage()
        self.purge(store)
        token = secrets.token_urlsafe(18)
        data, meta = self._paths(user, token)
        store.save(data, ContentFile(content))
        described = {**info, "saved_at": timezone.now().isoformat()}
        store.save(meta, ContentFile(json.dumps(described).encode()))
        return token

    def load(self, user: Any, token: str) -> tuple[dict[str, Any], bytes] | None:
        """(description, content) of the user's own file, or None (someone else's, gone, or
        older than ``keep``). The description has ``saved_at`` as an aware datetime."""
        if not getattr(user, "pk", None) or not TOKEN.match(token or ""):
            return None
        store = self.storage()
        data, meta = self._paths(user, token)
        if not (store.exists(meta) and store.exists(data)):
            return None
        with store.open(meta) as f:
            info = json.loads(f.read())
        info["saved_at"] = datetime.datetime.fromisoformat(info["saved_at"])
        if timezone.now() - info["saved_at"] > self.keep:
            self.drop(user, token)
            return None
        with store.open(data) as f:
            return info, f.read()

    def drop(self, user: Any, token: str) -> None:
        store = self.storage()
        for path in self._paths(user, token):
            if store.exists(path):
                store.delete(path)

    def purge(self, store: Storage | None = None) -> None:
        """Delete files older than ``keep``, whoever left them (a preview nobody committed)."""
        store = store or self.storage()
        cutoff = timezone.now() - self.keep
        try:
            folders, _files = store.listdir("")
        except (FileNotFoundError, NotImplementedError):
            return
        for folder in folders:
            try:
                _dirs, files = store.listdir(folder)
            except FileNotFoundError:
                continue
            for name in files:
                path = f"{folder}/{name}"
                try:
                    if store.get_modified_time(path) < cutoff:
                        store.delete(path)
                except (FileNotFoundError, NotImplementedError):
                    continue

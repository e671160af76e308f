"""Official alerts in: read external CAP feeds and re-broadcast what they bring.

A feed is an Atom index of CAP messages at a URL (as national warning services publish
them) or a folder where CAP files are dropped. Each entry is read once (``FeedItem``);
a message that fails validation is recorded with the reason and not read again; a network
failure is simply tried again at the next poll.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from hromada.alerts import conf, services
from hromada.alerts.cap import (
    ATOM_MIME,
    CAP_MIME,
    MAX_CAP_BYTES,
    MAX_INDEX_BYTES,
    CapError,
    parse_atom_index,
    parse_cap,
)
from hromada.alerts.models import Feed, FeedItem

logger = logging.getLogger(__name__)


class FetchError(Exception):
    """The source could not be reached or answered with an error: try again later."""


def fetch(url: str, *, limit: int, accept: str) -> bytes:
    """GET ``url`` (http or https only), at most ``limit`` bytes."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(  # noqa: S310 -- scheme checked above
        url, headers={"Accept": accept, "User-Agent": "Hromada-alerts/1"}
    )
    timeout = float(conf.get("ALERTS_HTTP_TIMEOUT"))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            data: bytes = response.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise FetchError(f"{url}: {error}") from error
    if len(data) > limit:
        raise FetchError(f"{url}: larger than {limit} bytes")
    return data


@dataclass
class PollResult:
    new: int = 0
    refused: int = 0
    failed: bool = False

    def __str__(self) -> str:
        return f"{self.new} new, {self.refused} refused" + (
            ", source unreachable" if self.failed else ""
        )


def _remember(feed: Feed, key: str, *, alert_id: int | None, error: str = "") -> None:
    try:
        with transaction.atomic():
            FeedItem.objects.create(feed=feed, key=key[:500], alert_id=alert_id, error=error[:500])
    except IntegrityError:  # another poll got there first
        pass


def import_message(feed: Feed, key: str, data: bytes, result: PollResult) -> None:
    """Validate one CAP message and store it; remember the entry either way."""
    try:
        alert, created = services.receive_alert(feed, parse_cap(data))
    except CapError as error:
        logger.warning("feed %s: %s refused: %s", feed.pk, key, error)
        result.refused += 1
        _remember(feed, key, alert_id=None, error=str(error))
        return
    result.new += int(created)
    _remember(feed, key, alert_id=alert.pk)


def _poll_atom(feed: Feed, seen: set[str], result: PollResult) -> None:
    for entry in parse_atom_index(fetch(feed.url, limit=MAX_INDEX_BYTES, accept=ATOM_MIME)):
        if entry.key in seen:
            continue
        data = entry.inline or fetch(
            urljoin(feed.url, entry.cap_url), limit=MAX_CAP_BYTES, accept=CAP_MIME
        )
        import_message(feed, entry.key, data, result)


def _poll_folder(feed: Feed, seen: set[str], result: PollResult) -> None:
    folder = Path(feed.folder)
    if not folder.is_dir():
        raise FetchError(f"no such folder: {folder}")
    for path in sorted(folder.glob("*.xml")):
        if path.stat().st_size > MAX_CAP_BYTES:
            key = f"{path.name}:too-large:{path.stat().st_size}"
            if key not in seen:
                result.refused += 1
                _remember(feed, key, alert_id=None, error="larger than 1 MB")
            continue
        data = path.read_bytes()
        key = f"{path.name}:{hashlib.sha256(data).hexdigest()[:16]}"
        if key not in seen:
            import_message(feed, key, data, result)


def poll_feed(feed: Feed) -> PollResult:
    """Read what is new in one feed. Safe to run any number of times."""
    result = PollResult()
    seen = set(feed.items.values_list("key", flat=True))
    now = timezone.now()
    try:
        if feed.kind == Feed.Kind.FOLDER:
            _poll_folder(feed, seen, result)
        else:
            _poll_atom(feed, seen, result)
    except (FetchError, CapError) as error:
        result.failed = True
        Feed.objects.filter(pk=feed.pk).update(last_polled_at=now, last_error=str(error)[:500])
        logger.warning("feed %s: %s", feed.pk, error)
        return result
    Feed.objects.filter(pk=feed.pk).update(last_polled_at=now, last_ok_at=now, last_error="")
    return result


def poll_all() -> str:
    """Poll every active feed; a one-line summary."""
    new = refused = unreachable = 0
    feeds = list(Feed.objects.filter(is_active=True).select_related("organization"))
    for feed in feeds:
        result = poll_feed(feed)
        new, refused, unreachable = (
            new + result.new,
            refused + result.refused,
            unreachable + result.failed,
        )
    return f"CAP feeds polled: {len(feeds)}; new alerts: {new}; refused: {refused}; unreachable: {unreachable}"

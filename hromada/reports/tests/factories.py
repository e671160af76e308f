"""make_<thing>(**overrides): the smallest valid row, with anything changed that a test names.

Rows are made through the services (as an analyst would) so that tests exercise the rules.
"""

from __future__ import annotations

import datetime
import io
import itertools
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from hromada.core.models import Role
from hromada.core.tests.factories import make_user
from hromada.reports import metrics, services
from hromada.reports.models import Claim, Document, Incident, MediaItem, Party, Sitrep, Source

KYIV = ZoneInfo("Europe/Kyiv")
_seq = itertools.count(1)


def at(
    day: int, hour: int = 12, minute: int = 0, *, month: int = 2, year: int = 2022
) -> datetime.datetime:
    """A time in late February 2022, Kyiv time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=KYIV)


def party(code: str) -> Party:
    return Party.objects.get(code=code)


def analyst_of(organization: Any, **overrides: Any) -> Any:
    return make_user(roles={organization: [Role.ANALYST]}, **overrides)


def make_source(actor: Any, **overrides: Any) -> Source:
    n = next(_seq)
    fields: dict[str, Any] = {
        "name_en": f"Source {n}",
        "name_uk": f"Джерело {n}",
        "kind": Source.Kind.LOCAL_AUTHORITY,
        "scale": Source.Scale.LOCAL,
        "reliability": "B",
    }
    fields.update(overrides)
    source, _created = services.create_source(actor, **fields)
    return source


def make_document(actor: Any, source: Source | None = None, **overrides: Any) -> Document:
    fields: dict[str, Any] = {"title": f"Statement {next(_seq)}", "published_at": at(28, 10)}
    fields.update(overrides)
    document, _created = services.create_document(
        actor, source=source or make_source(actor), **fields
    )
    return document


def make_claim(
    actor: Any,
    words: str = "10",
    *,
    document: Document | None = None,
    source: Source | None = None,
    metric: str = metrics.KILLED,
    as_of: datetime.datetime | None = None,
    basis: str = Claim.Basis.DOCUMENTED_COUNT,
    **overrides: Any,
) -> Claim:
    document = document or make_document(actor, source=source)
    claim, _created = services.record_claim(
        actor,
        document=document,
        metric=metric,
        words=words,
        as_of=as_of or at(28, 12),
        basis=basis,
        **overrides,
    )
    return claim


def make_incident(actor: Any, *, area: Any, publish: bool = True, **overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "kind": Incident.Kind.SHELLING,
        "occurred_earliest": at(27, 22),
        "occurred_latest": at(28, 6),
        "time_precision": Incident.TimePrecision.DAY,
        "area": area,
        "latitude": "50.308000",
        "longitude": "34.892000",
        "location_precision": Incident.LocationPrecision.STREET,
        "description": "Shells hit houses.",
    }
    fields.update(overrides)
    incident, _created = services.report_incident(actor, **fields)
    if publish:
        services.review_incident(actor, incident, status=Incident.Status.PUBLISHED, grade="fair")
        incident.refresh_from_db()
    return incident


def make_sitrep(actor: Any, *, organization: Any, area: Any = None, **overrides: Any) -> Sitrep:
    fields: dict[str, Any] = {"cutoff": at(28, 20), "title": f"Sitrep {next(_seq)}"}
    fields.update(overrides)
    sitrep, _created = services.create_sitrep(actor, organization=organization, area=area, **fields)
    return sitrep


def picture(seed: int, *, size: tuple[int, int] = (640, 480), quality: int = 90) -> bytes:
    """A made-up photo, different for every seed; the same seed at another size or quality is
    the same picture with other bytes."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(80, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):
        x, y = rng.randrange(640), rng.randrange(480)
        draw.rectangle(
            [x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 160)],
            fill=tuple(rng.randrange(256) for _ in range(3)),
        )
    if size != (640, 480):
        image = image.resize(size)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def make_media(actor: Any, *, content: bytes | None = None, **overrides: Any) -> MediaItem:
    fields: dict[str, Any] = {
        "platform": MediaItem.Platform.TELEGRAM,
        "uploader": "@someone",
        "first_seen_at": at(28, 9),
        "caption": "Охтирка зараз",
    }
    fields.update(overrides)
    upload = None
    if content is not None:
        upload = SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg")
    elif not fields.get("url"):
        fields["url"] = f"https://t.me/example/{next(_seq)}"
    media, _created = services.add_media(actor, upload=upload, **fields)
    return media

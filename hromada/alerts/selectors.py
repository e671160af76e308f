"""The queries behind the alert pages, the signage, the feeds and the API."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from hromada.alerts.models import (
    Alert,
    AlertInfo,
    AlertQuerySet,
    Display,
    Feed,
    MsgType,
    Severity,
    Status,
)
from hromada.alerts.permissions import STAFF, visible_alerts
from hromada.core import permissions
from hromada.core.models import Area

INFOS = Prefetch("infos", queryset=AlertInfo.objects.prefetch_related("areas"))


def current_alerts(
    user: Any,
    *,
    area: Area | None = None,
    category: str = "",
    now: datetime.datetime | None = None,
) -> AlertQuerySet:
    """Real alerts in force that this user may see, most serious first."""
    alerts = visible_alerts(user).current(now).filter(status=Status.ACTUAL)
    if area is not None:
        alerts = alerts.for_area(area)
    if category:
        alerts = alerts.with_category(category)
    return alerts.select_related("organization").prefetch_related(INFOS).most_serious_first()


def recently_ended(
    user: Any, *, now: datetime.datetime | None = None, days: int = 2
) -> list[Alert]:
    """Real alerts that left the screens lately (expired, updated or cancelled)."""
    now = now or timezone.now()
    return list(
        visible_alerts(user)
        .published()
        .filter(status=Status.ACTUAL, msg_type__in=[MsgType.ALERT, MsgType.UPDATE])
        .filter(Q(expires_at__lte=now) | Q(replaced_by__isnull=False))
        .filter(expires_at__gt=now - datetime.timedelta(days=days))
        .select_related("organization")
        .prefetch_related(INFOS)
        .order_by("-sent", "-pk")[:10]
    )


def alerts_for_display(display: Display, *, now: datetime.datetime | None = None) -> list[Alert]:
    """What a screen shows: public, real alerts in force for its area and categories."""
    alerts = Alert.objects.current(now).for_the_public()
    if display.area_id is not None:
        alerts = alerts.for_area(display.area)  # type: ignore[arg-type]
    if display.categories:
        wanted = Q()
        for category in display.categories:
            wanted |= Q(categories__contains=f" {category} ")
        alerts = alerts.filter(wanted)
    return list(alerts.prefetch_related(INFOS).most_serious_first())


def desk(user: Any) -> dict[str, list[Any]]:
    """The alert staff's desk: what waits for whom, and what is in force, per state."""
    if permissions.is_superuser(user):
        mine, feeds = Alert.objects.all(), Feed.objects.all()
    else:
        orgs = permissions.orgs_with_role(user, *STAFF)
        mine, feeds = (
            Alert.objects.filter(organization__in=orgs),
            Feed.objects.filter(organization__in=orgs),
        )
    mine = mine.select_related("organization", "created_by", "feed").prefetch_related(INFOS)
    now = timezone.now()
    return {
        "pending": list(mine.filter(state=Alert.State.PENDING).order_by("submitted_at", "pk")),
        "returned": list(mine.filter(state=Alert.State.RETURNED).order_by("-reviewed_at")),
        "drafts": list(mine.filter(state=Alert.State.DRAFT).order_by("-updated_at")),
        "current": list(mine.current(now).most_serious_first()),
        "recent": list(
            mine.published()
            .exclude(pk__in=mine.current(now).values("pk"))
            .order_by("-published_at", "-pk")[:15]
        ),
        "feeds": list(feeds.filter(is_active=True)),
    }


SEVERITY_COLOURS: dict[str, str] = {
    Severity.EXTREME: "#b3261e",
    Severity.SEVERE: "#b35c00",
    Severity.MODERATE: "#8a6d00",
    Severity.MINOR: "#005bbb",
    Severity.UNKNOWN: "#596270",
}


def _ring(polygon: str) -> list[list[float]]:
    """CAP "lat,lon lat,lon …" -> a GeoJSON ring (longitude first)."""
    points = [p.split(",") for p in polygon.split()]
    return [[float(lon), float(lat)] for lat, lon in points]


def _circle_ring(circle: str, sides: int = 32) -> list[list[float]]:
    """A CAP circle as a polygon of ``sides`` sides (GeoJSON has no circles)."""
    centre, radius = circle.split()
    lat, lon = (float(v) for v in centre.split(","))
    km = float(radius)
    ring = []
    for i in range(sides + 1):
        angle = 2 * math.pi * (i % sides) / sides
        dlat = km / 111.32 * math.sin(angle)
        dlon = km / (111.32 * max(math.cos(math.radians(lat)), 0.01)) * math.cos(angle)
        ring.append([round(lon + dlon, 6), round(lat + dlat, 6)])
    return ring


def geojson(alerts: list[Alert]) -> dict[str, Any]:
    """The drawn areas (polygons and circles) of ``alerts`` as a GeoJSON FeatureCollection.
    Areas named only by a code have no shape we could draw, and are left out."""
    features = []
    for alert in alerts:
        info = alert.info()
        if info is None:
            continue
        for area in info.areas.all():
            rings = []
            try:
                rings += [_ring(p) for p in area.polygons]
                rings += [_circle_ring(c) for c in area.circles]
            except (ValueError, IndexError):
                continue  # an external feed's malformed shape: the alert still shows in lists
            for ring in rings:
                features.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                        "properties": {
                            "name": info.headline or info.event,
                            "detail": f"{alert.get_severity_display()} · {area.description}",
                            "url": reverse("alerts:alert-detail", args=[alert.pk]),
                            "severity": alert.severity,
                            "colour": SEVERITY_COLOURS.get(alert.severity, "#596270"),
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": features}

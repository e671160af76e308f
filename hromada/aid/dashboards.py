"""The queries behind the aid dashboards, shared by the pages and the API.

A dashboard looks at one scope: the whole community, an area (with the areas below it) or one
place. Each part follows its own permission:

- needs (open needs and shortfall by category, by item, by place): ``visible_needs``, so an
  anonymous visitor sees the public part of the picture;
- stock (on hand, days of cover, close to expiry): ``stock_places``, the places of the user's
  own organisations;
- deliveries of the day: ``visible_deliveries``.

Every function runs a fixed number of queries whatever the amount of data: the page's query
count is tested.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, F, FloatField, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from hromada.aid.models import (
    PRIORITY_RANK,
    Category,
    Delivery,
    DeliveryLine,
    Item,
    Need,
    Priority,
    StockLevel,
    StockMove,
    Unit,
)
from hromada.aid.permissions import (
    may_view_stock_at,
    stock_places,
    visible_deliveries,
    visible_needs,
)
from hromada.aid.services.stock import EXPIRY_WARNING_DAYS, expiring
from hromada.core import permissions
from hromada.core.models import Area, Place
from hromada.lib.text import collation_key

# Days of cover: what a place holds divided by what left it per day over this many days.
COVER_WINDOW_DAYS = 14
# Moves that take goods away from a place for good (a transfer only moves them elsewhere, a
# correction fixes a count): these make the outflow.
OUTFLOW_REASONS = (
    StockMove.Reason.DELIVERY,
    StockMove.Reason.DISTRIBUTION,
    StockMove.Reason.SPOILAGE,
)
# Below LOW days of cover a line is red, below WATCH orange.
LOW_COVER_DAYS = 3
WATCH_COVER_DAYS = 7
# How many lines a page shows of the longer lists (the exports hold them all).
SHORTFALL_ROWS = 15
STOCK_ROWS = 30
EXPIRING_ROWS = 50
DELIVERY_ROWS = 50


def _name(uk: str | None, en: str | None) -> str:
    return (en if get_language() == "en" else uk) or uk or en or ""


@dataclass(frozen=True)
class Scope:
    """What a dashboard looks at: everything, an area and the areas below it, or one place."""

    area: Area | None = None
    place: Place | None = None

    def q(self, path: str = "") -> Q:
        """A filter on the place at ``path`` ("place", "from_place"; "" for places themselves)."""
        prefix = f"{path}__" if path else ""
        if self.place is not None:
            return Q(**{f"{prefix}pk": self.place.pk})
        if self.area is not None:
            # Paths hold the codes from the root down: a descendant's path contains "/code/".
            return Q(**{f"{prefix}area__path__contains": f"/{self.area.code}/"})
        return Q()


def dashboard_areas(user: Any) -> list[Area]:
    """The areas of the places this user may see, with their ancestors, in tree order."""
    paths = (
        permissions.visible_places(user).values_list("area__path", flat=True).distinct().order_by()
    )
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return list(Area.objects.filter(code__in=codes).order_by("path"))


# Needs --------------------------------------------------------------------------------------


@dataclass
class CategoryNeeds:
    category: str  # "" for needs described in free text, outside the catalogue
    label: str
    needs: int = 0
    by_priority: dict[str, int] = field(default_factory=dict)
    missing: float = 0.0  # the sum over the needs of the share of each still missing

    @property
    def missing_share(self) -> float:
        """How much of what was asked is still missing, on average over the needs (0 to 1)."""
        return self.missing / self.needs if self.needs else 0.0

    @property
    def critical(self) -> int:
        return self.by_priority.get(Priority.CRITICAL, 0)

    @property
    def urgent(self) -> int:
        return self.critical + self.by_priority.get(Priority.HIGH, 0)


@dataclass
class ItemShortfall:
    code: str  # "" for a need in free text
    label: str
    category: str
    unit: str
    needed: Decimal
    shortfall: Decimal
    needs: int
    places: int
    priority: str

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label) if self.unit in Unit.values else self.unit

    @property
    def priority_label(self) -> str:
        return str(Priority(self.priority).label)


@dataclass
class PlaceNeeds:
    place_id: int
    name: str
    needs: int = 0
    critical: int = 0
    high: int = 0
    priority: str = ""


def _current_needs(user: Any, scope: Scope) -> Any:
    return visible_needs(user).current().filter(scope.q("place"))


def needs_by_category(user: Any, scope: Scope) -> list[CategoryNeeds]:
    """Open needs per category, split by priority, and how much of them is still missing.

    Quantities of different items do not add up (kilograms and packs), so the category shows
    counts and the share still missing; the shortfall in units is per item."""
    missing = Cast(F("quantity") - F("quantity_covered"), FloatField()) / Cast(
        F("quantity"), FloatField()
    )
    rows = (
        _current_needs(user, scope)
        .values("item__category", "priority")
        .annotate(n=Count("pk"), missing=Sum(missing))
        .order_by()
    )
    labels = dict(Category.choices)
    found: dict[str, CategoryNeeds] = {}
    for row in rows:
        category = row["item__category"] or ""
        entry = found.setdefault(
            category,
            CategoryNeeds(
                category,
                str(labels[category]) if category in labels else _("Not in the catalogue"),
            ),
        )
        entry.needs += row["n"]
        entry.by_priority[row["priority"]] = entry.by_priority.get(row["priority"], 0) + row["n"]
        entry.missing += float(row["missing"] or 0)
    order = {c: i for i, c in enumerate(Category.values)}
    return sorted(
        found.values(), key=lambda c: (-c.urgent, -c.needs, order.get(c.category, len(order)))
    )


def shortfall_by_item(
    user: Any, scope: Scope, *, limit: int = SHORTFALL_ROWS
) -> list[ItemShortfall]:
    """What is missing, per item and unit: the most urgent priority first, then the largest
    shortfall. Needs in free text count one by one, under their own words."""
    rows = (
        _current_needs(user, scope)
        .annotate(
            free_title=Case(When(item__isnull=True, then=F("title")), default=Value("")),
        )
        .values(
            "item__code",
            "item__name_uk",
            "item__name_en",
            "item__category",
            "free_title",
            "unit",
        )
        .annotate(
            needed=Sum("quantity"),
            shortfall=Sum(F("quantity") - F("quantity_covered")),
            needs=Count("pk"),
            places=Count("place", distinct=True),
            rank=Min(PRIORITY_RANK),
        )
        .order_by("rank", "-shortfall", "item__code", "free_title")[:limit]
    )
    return [
        ItemShortfall(
            code=row["item__code"] or "",
            label=_name(row["item__name_uk"], row["item__name_en"]) or row["free_title"],
            category=row["item__category"] or "",
            unit=row["unit"],
            needed=row["needed"],
            shortfall=max(row["shortfall"], Decimal(0)),
            needs=row["needs"],
            places=row["places"],
            priority=Priority.values[row["rank"]],
        )
        for row in rows
    ]


def needs_by_place(user: Any, scope: Scope) -> list[PlaceNeeds]:
    """Open needs per place, the places with the most urgent needs first."""
    rows = (
        _current_needs(user, scope)
        .values("place_id", "place__name")
        .annotate(
            n=Count("pk"),
            critical=Count("pk", filter=Q(priority=Priority.CRITICAL)),
            high=Count("pk", filter=Q(priority=Priority.HIGH)),
            rank=Min(PRIORITY_RANK),
        )
        .order_by()
    )
    places = [
        PlaceNeeds(
            row["place_id"],
            row["place__name"],
            row["n"],
            row["critical"],
            row["high"],
            Priority.values[row["rank"]],
        )
        for row in rows
    ]
    return sorted(places, key=lambda p: (-p.critical, -p.high, -p.needs, collation_key(p.name)))


# Stock --------------------------------------------------------------------------------------


@dataclass
class Cover:
    """One item at one place: what is on the shelf, and for how many days at the recent pace."""

    place_id: int
    place_name: str
    item: Item
    on_hand: Decimal
    used: Decimal  # what left the place over the last COVER_WINDOW_DAYS days

    @property
    def daily_use(self) -> Decimal:
        return self.used / COVER_WINDOW_DAYS

    @property
    def days(self) -> Decimal | None:
        """Days of cover, or None when nothing left the place lately ("no recent use")."""
        if self.used <= 0:
            return None
        return (self.on_hand / self.daily_use).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def level(self) -> str:
        """ "low", "watch" or "ok", for the colour of the line."""
        days = self.days
        if days is None:
            return "ok"
        if days < LOW_COVER_DAYS:
            return "low"
        if days < WATCH_COVER_DAYS:
            return "watch"
        return "ok"


def _stock_places(user: Any, scope: Scope) -> QuerySet[Place]:
    return stock_places(user).filter(scope.q())


def stock_cover(user: Any, scope: Scope, *, now: datetime.datetime | None = None) -> list[Cover]:
    """Days of cover per place and item, the shortest first, then the items in no recent use.

    The outflow over the window is what left the place as a delivery, a distribution or
    spoilage, less what came back from its own failed or short deliveries. An item that ran
    out while still in use shows with nothing on hand: zero days."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=COVER_WINDOW_DAYS)
    places = _stock_places(user, scope).values("pk")
    on_hand = (
        StockLevel.objects.filter(place__in=places, quantity__gt=0)
        .values("place_id", "place__name", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    left = (
        StockMove.objects.filter(from_place__in=places, reason__in=OUTFLOW_REASONS, at__gte=since)
        .values("from_place_id", "from_place__name", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    came_back = (
        StockMove.objects.filter(
            to_place__in=places,
            from_place__isnull=True,
            reason=StockMove.Reason.DELIVERY,
            delivery__from_place=F("to_place"),
            at__gte=since,
        )
        .values("to_place_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    held: dict[tuple[int, int], Decimal] = {}
    names: dict[int, str] = {}
    for row in on_hand:
        held[(row["place_id"], row["item_id"])] = row["total"]
        names[row["place_id"]] = row["place__name"]
    used: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for out in left:
        used[(out["from_place_id"], out["item_id"])] += out["total"]
        names[out["from_place_id"]] = out["from_place__name"]
    for back in came_back:
        used[(back["to_place_id"], back["item_id"])] -= back["total"]
    keys = set(held) | {k for k, v in used.items() if v > 0}
    items = Item.objects.in_bulk({item_id for _place, item_id in keys})
    rows = [
        Cover(
            place_id,
            names[place_id],
            items[item_id],
            held.get((place_id, item_id), Decimal(0)),
            max(used.get((place_id, item_id), Decimal(0)), Decimal(0)),
        )
        for place_id, item_id in keys
    ]
    return sorted(
        rows,
        key=lambda c: (
            c.days is None,
            c.days if c.days is not None else Decimal(0),
            collation_key(c.place_name),
            collation_key(c.item.name),
        ),
    )


def expiring_lots(user: Any, scope: Scope, *, limit: int = EXPIRING_ROWS) -> list[StockLevel]:
    """Lots within EXPIRY_WARNING_DAYS of their expiry (or past it), the soonest first."""
    levels = StockLevel.objects.filter(place__in=_stock_places(user, scope).values("pk"))
    return list(
        expiring(levels)
        .select_related("item", "place")
        .order_by("expires_on", "place__name", "item__name_uk", "pk")[:limit]
    )


@dataclass(frozen=True)
class ExpiringAt:
    name: str
    lots: int


def expiring_per_place(user: Any, scope: Scope) -> dict[int, ExpiringAt]:
    """How many lots are close to expiry at each place (all of them, not only those listed)."""
    levels = StockLevel.objects.filter(place__in=_stock_places(user, scope).values("pk"))
    rows = expiring(levels).values("place_id", "place__name").annotate(n=Count("pk")).order_by()
    return {row["place_id"]: ExpiringAt(row["place__name"], row["n"]) for row in rows}


# Deliveries ---------------------------------------------------------------------------------


@dataclass
class StatusCount:
    status: str
    label: str
    count: int


def _today_bounds(
    now: datetime.datetime,
) -> tuple[datetime.date, datetime.datetime, datetime.datetime]:
    """Today in the user's time zone, and its start and end as aware times: a delivery at
    00:30 Kyiv time happened "today" although it is still yesterday in UTC."""
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return today, start, start + datetime.timedelta(days=1)


def todays_deliveries(user: Any, scope: Scope, *, now: datetime.datetime | None = None) -> Any:
    """Deliveries of the day: planned for today, still open from an earlier day or without a
    date, or moved today (claimed, picked up, delivered or confirmed)."""
    today, start, end = _today_bounds(now or timezone.now())
    moved = (
        Q(claimed_at__gte=start, claimed_at__lt=end)
        | Q(picked_up_at__gte=start, picked_up_at__lt=end)
        | Q(delivered_at__gte=start, delivered_at__lt=end)
        | Q(confirmed_at__gte=start, confirmed_at__lt=end)
    )
    still_open = Q(status__in=Delivery.ACTIVE_STATUSES) & (
        Q(planned_for__lt=today) | Q(planned_for__isnull=True)
    )
    return (
        visible_deliveries(user)
        .filter(scope.q("from_place") | scope.q("to_place"))
        .filter(Q(planned_for=today) | still_open | moved)
    )


def deliveries_by_status(deliveries: Any) -> list[StatusCount]:
    counts = dict(deliveries.values_list("status").annotate(n=Count("pk")).order_by())
    return [
        StatusCount(status, str(label), counts.get(status, 0))
        for status, label in Delivery.Status.choices
    ]


def delivery_list(deliveries: Any, *, limit: int = DELIVERY_ROWS) -> list[Delivery]:
    rank = Case(
        *(When(status=s, then=Value(i)) for i, s in enumerate(Delivery.Status.values)),
        default=Value(99),
    )
    return list(
        deliveries.select_related("from_place", "to_place")
        .annotate(lines_count=Count("lines"), status_rank=rank)
        .order_by("status_rank", F("planned_for").asc(nulls_last=True), "pk")[:limit]
    )


# The whole dashboard ------------------------------------------------------------------------


@dataclass
class PlaceRow:
    """A line of the places table: needs, and for places whose stock the user sees, how many
    items run short and how many lots are close to expiry."""

    place_id: int
    name: str
    needs: int = 0
    critical: int = 0
    high: int = 0
    short_items: int | None = None  # None: the user does not see this place's stock
    expiring: int | None = None


@dataclass
class Dashboard:
    scope: Scope
    categories: list[CategoryNeeds]
    shortfalls: list[ItemShortfall]
    places: list[PlaceRow]
    sees_stock: bool
    cover: list[Cover]
    expiring: list[StockLevel]
    sees_deliveries: bool
    deliveries_by_status: list[StatusCount]
    deliveries: list[Delivery]
    today: datetime.date
    window_days: int = COVER_WINDOW_DAYS
    expiry_days: int = EXPIRY_WARNING_DAYS

    @property
    def open_needs(self) -> int:
        return sum(c.needs for c in self.categories)

    @property
    def critical_needs(self) -> int:
        return sum(c.critical for c in self.categories)

    @property
    def short_items(self) -> int:
        return sum(1 for c in self.cover if c.level == "low")

    @property
    def cover_shown(self) -> list[Cover]:
        return self.cover[:STOCK_ROWS]

    @property
    def deliveries_today(self) -> int:
        return sum(s.count for s in self.deliveries_by_status)


def build_dashboard(user: Any, scope: Scope, *, now: datetime.datetime | None = None) -> Dashboard:
    """Everything a dashboard shows, in a fixed number of queries (see the tests)."""
    now = now or timezone.now()
    categories = needs_by_category(user, scope)
    shortfalls = shortfall_by_item(user, scope)
    place_needs = needs_by_place(user, scope) if scope.place is None else []
    member = permissions.is_member(user)
    sees_stock = may_view_stock_at(user, scope.place) if scope.place is not None else member
    cover = stock_cover(user, scope, now=now) if sees_stock else []
    lots = expiring_lots(user, scope) if sees_stock else []
    lots_per_place = expiring_per_place(user, scope) if sees_stock and scope.place is None else {}
    deliveries = todays_deliveries(user, scope, now=now) if member else None
    by_status = deliveries_by_status(deliveries) if deliveries is not None else []
    listed = delivery_list(deliveries) if deliveries is not None else []

    rows: dict[int, PlaceRow] = {}
    for p in place_needs:
        rows[p.place_id] = PlaceRow(p.place_id, p.name, p.needs, p.critical, p.high)
    if scope.place is None:
        for c in cover:
            row = rows.setdefault(c.place_id, PlaceRow(c.place_id, c.place_name))
            row.short_items = (row.short_items or 0) + (1 if c.level == "low" else 0)
            row.expiring = row.expiring or 0
        for place_id, count in lots_per_place.items():
            row = rows.setdefault(place_id, PlaceRow(place_id, count.name))
            row.short_items = row.short_items or 0
            row.expiring = count.lots
    places = sorted(
        rows.values(),
        key=lambda r: (-r.critical, -(r.short_items or 0), -r.needs, collation_key(r.name)),
    )
    return Dashboard(
        scope=scope,
        categories=categories,
        shortfalls=shortfalls,
        places=places,
        sees_stock=sees_stock,
        cover=cover,
        expiring=lots,
        sees_deliveries=member,
        deliveries_by_status=by_status,
        deliveries=listed,
        today=timezone.localdate(now),
    )


# Exports ------------------------------------------------------------------------------------
# Column names (English, stable: scripts read them) and HXL 1.1 hashtags. The places and area
# columns are the same as in the needs export, so the two files join on them.

STOCK_COLUMNS = [
    ("place_id", "#loc+id"),
    ("place", "#loc+name"),
    ("place_kind", "#loc+type"),
    ("organization", "#org+name"),
    ("oblast", "#adm1+name"),
    ("raion", "#adm2+name"),
    ("hromada", "#adm3+name"),
    ("settlement", "#adm4+name"),
    ("area_code", "#loc+code"),
    ("item_code", "#item+code"),
    ("item", "#item+name"),
    ("category", "#item+type"),
    ("quantity", "#item+num+stored"),
    ("unit", "#item+unit"),
    ("batch", "#item+batch"),
    ("expires_on", "#date+expiry"),
    ("updated", "#date+updated"),
]

DELIVERY_COLUMNS = [
    ("delivery_id", "#meta+id"),
    ("status", "#status"),
    ("planned_for", "#date+planned"),
    ("from_place_id", "#loc+id+origin"),
    ("from_place", "#loc+name+origin"),
    ("organization", "#org+name"),
    ("to_place_id", "#loc+id+dest"),
    ("to_place", "#loc+name+dest"),
    ("item_code", "#item+code"),
    ("item", "#item+name"),
    ("unit", "#item+unit"),
    ("quantity", "#item+num+planned"),
    ("picked_up", "#item+num+picked"),
    ("delivered", "#item+num+delivered"),
    ("need_id", "#need+id"),
    ("created", "#date+created"),
    ("claimed_at", "#date+claimed"),
    ("picked_up_at", "#date+picked"),
    ("delivered_at", "#date+delivered"),
    ("confirmed_at", "#date+confirmed"),
]


def _levels_of(paths: Iterable[str]) -> dict[str, Area]:
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return {a.code: a for a in Area.objects.filter(code__in=codes)}


def _admin_names(area: Area, areas: dict[str, Area]) -> list[str]:
    """Oblast, raion, hromada and settlement names above (and at) ``area``."""
    levels = {areas[c].level: areas[c].name for c in area.path.strip("/").split("/") if c in areas}
    return [
        levels.get(Area.Level.OBLAST, ""),
        levels.get(Area.Level.RAION, ""),
        levels.get(Area.Level.HROMADA, ""),
        levels.get(Area.Level.SETTLEMENT, ""),
    ]


def stock_levels(user: Any, scope: Scope) -> list[StockLevel]:
    """Every lot on a shelf the user may see, by place, item and expiry."""
    return list(
        StockLevel.objects.filter(place__in=_stock_places(user, scope).values("pk"), quantity__gt=0)
        .select_related("place__organization", "place__area", "item")
        .order_by(
            "place__name", "place_id", "item__code", F("expires_on").asc(nulls_last=True), "batch"
        )
    )


def stock_rows(levels: list[StockLevel]) -> Iterator[list[Any]]:
    areas = _levels_of({lv.place.area.path for lv in levels})
    for lv in levels:
        place = lv.place
        yield [
            place.pk, place.name, place.kind, place.organization.name,
            *_admin_names(place.area, areas), place.area.code,
            lv.item.code, lv.item.name, lv.item.category, lv.quantity, lv.item.unit,
            lv.batch, lv.expires_on, lv.updated_at,
        ]  # fmt: skip


def deliveries_for(
    user: Any,
    scope: Scope,
    *,
    status: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[Delivery]:
    """The deliveries the user may see, from or to the scope; ``since`` and ``until`` bound the
    day planned (or created, for a delivery without a date)."""
    deliveries = visible_deliveries(user).filter(scope.q("from_place") | scope.q("to_place"))
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    if since is not None:
        deliveries = deliveries.filter(
            Q(planned_for__gte=since) | Q(planned_for__isnull=True, created_at__date__gte=since)
        )
    if until is not None:
        deliveries = deliveries.filter(
            Q(planned_for__lte=until) | Q(planned_for__isnull=True, created_at__date__lte=until)
        )
    return deliveries


def delivery_lines(
    user: Any,
    scope: Scope,
    *,
    status: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[DeliveryLine]:
    """The lines of ``deliveries_for``, newest delivery first."""
    deliveries = deliveries_for(user, scope, status=status, since=since, until=until)
    return list(
        DeliveryLine.objects.filter(delivery__in=deliveries.values("pk"))
        .select_related("delivery__from_place__organization", "delivery__to_place", "item")
        .order_by("-delivery__created_at", "delivery_id", "pk")
    )


def delivery_rows(lines: list[DeliveryLine]) -> Iterator[list[Any]]:
    for line in lines:
        d = line.delivery
        yield [
            d.pk, d.status, d.planned_for, d.from_place_id, d.from_place.name,
            d.from_place.organization.name, d.to_place_id, d.to_place.name,
            line.item.code, line.item.name, line.item.unit, line.quantity,
            line.quantity_picked, line.quantity_delivered, line.need_id,
            d.created_at, d.claimed_at, d.picked_up_at, d.delivered_at, d.confirmed_at,
        ]  # fmt: skip


MAP_COLOURS: dict[str, str] = {
    Priority.CRITICAL: "#b3261e",
    Priority.HIGH: "#b35c00",
    Priority.NORMAL: "#005bbb",
    Priority.LOW: "#596270",
}
MAP_ITEMS = 3  # the most urgent needs named in a place's popup


def needs_places_geojson(user: Any, scope: Scope) -> dict[str, Any]:
    """Places with current needs this visitor may see, as a GeoJSON FeatureCollection.

    The needs query already applies both the place's and the need's visibility, so a place
    appears only when the visitor may see it and one of its needs. Coordinates are longitude,
    latitude (RFC 7946). The colour is that of the most urgent priority at the place."""
    needs = _current_needs(user, scope).filter(
        place__latitude__isnull=False, place__longitude__isnull=False
    )
    places = (
        needs.values(
            "place_id", "place__name", "place__kind", "place__latitude", "place__longitude"
        )
        .annotate(
            n=Count("pk"),
            critical=Count("pk", filter=Q(priority=Priority.CRITICAL)),
            rank=Min(PRIORITY_RANK),
        )
        .order_by("rank", "place__name")
    )
    top: dict[int, list[str]] = defaultdict(list)
    urgent = (
        needs.filter(priority__in=(Priority.CRITICAL, Priority.HIGH))
        .select_related("item")
        .by_urgency()
        .only("place_id", "title", "item__name_uk", "item__name_en", "priority")
    )
    for need in urgent:
        if len(top[need.place_id]) < MAP_ITEMS:
            top[need.place_id].append(need.label)
    features = []
    for row in places:
        priority = Priority.values[row["rank"]]
        detail = ngettext("%(n)s open need", "%(n)s open needs", row["n"]) % {"n": row["n"]}
        if top[row["place_id"]]:
            detail += ": " + ", ".join(top[row["place_id"]])
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(row["place__longitude"]), float(row["place__latitude"])],
                },
                "properties": {
                    "id": row["place_id"],
                    "name": row["place__name"],
                    "url": reverse("aid:place-dashboard", args=[row["place_id"]]),
                    "detail": detail,
                    "colour": MAP_COLOURS[priority],
                    "priority": priority,
                    "needs": row["n"],
                    "critical": row["critical"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def needs_rows(needs: list[Need]) -> Iterator[list[Any]]:
    """Rows for the columns of the needs download (``views.needs.CSV_COLUMNS``)."""
    areas = _levels_of({n.place.area.path for n in needs})
    for need in needs:
        place = need.place
        yield [
            need.pk, need.priority, need.item.code if need.item else "", need.label,
            need.item.category if need.item else "", need.quantity, need.quantity_covered,
            need.unit, place.name, place.kind, place.organization.name,
            *_admin_names(place.area, areas), place.area.code, need.needed_by, need.status,
            need.updated_at,
        ]  # fmt: skip

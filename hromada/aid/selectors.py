"""The queries behind the needs board, shared by the page, the CSV export and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum

from hromada.aid.models import PRIORITY_RANK, Item, NeedQuerySet, Priority
from hromada.aid.permissions import visible_needs
from hromada.core.models import Area


def board_needs(
    user: Any,
    *,
    area: str = "",
    category: str = "",
    priority: str = "",
    q: str = "",
    place: int | None = None,
) -> NeedQuerySet:
    """Current needs this user may see, most urgent first, filtered as asked."""
    needs = visible_needs(user).current()
    if area:
        # Paths hold the codes from the root down, so a descendant's path contains "/code/".
        needs = needs.filter(place__area__path__contains=f"/{area}/")
    if category:
        needs = needs.filter(item__category=category)
    if priority:
        needs = needs.filter(priority=priority)
    if place is not None:
        needs = needs.filter(place_id=place)
    if q:
        needs = needs.filter(
            Q(item__name_uk__icontains=q)
            | Q(item__name_en__icontains=q)
            | Q(title__icontains=q)
            | Q(place__name__icontains=q)
        )
    return needs.select_related("item", "place__area", "place__organization").by_urgency()


def board_areas(user: Any) -> list[Area]:
    """The areas that hold current needs this user may see, with their ancestors, in tree order."""
    paths = visible_needs(user).current().values_list("place__area__path", flat=True).distinct()
    codes = {code for path in paths for code in path.strip("/").split("/") if code}
    return list(Area.objects.filter(code__in=codes).order_by("path"))


def active_items() -> QuerySet[Item]:
    return Item.objects.filter(is_active=True)


@dataclass
class MostNeeded:
    item: Item | None
    title: str
    shortfall: Decimal
    unit: str
    priority: str
    places: int
    needs: int

    @property
    def label(self) -> str:
        return self.item.name if self.item else self.title


def most_needed(user: Any, *, limit: int = 60) -> list[MostNeeded]:
    """What is needed most, across the current needs this visitor may see: the most urgent
    priority first, then the largest shortfall, so a donor sees where a gift matters."""
    needs = visible_needs(user).current()
    rows = (
        needs.filter(item__isnull=False)
        .values("item")
        .annotate(
            missing=Sum(F("quantity") - F("quantity_covered")),
            rank=Min(PRIORITY_RANK),
            places=Count("place", distinct=True),
            count=Count("pk"),
        )
    )
    items = {i.pk: i for i in Item.objects.filter(pk__in=[r["item"] for r in rows])}
    ranked = [
        MostNeeded(
            items[r["item"]],
            "",
            r["missing"],
            items[r["item"]].unit,
            Priority.values[r["rank"]],
            r["places"],
            r["count"],
        )
        for r in rows
    ]
    for need in needs.filter(item__isnull=True):
        ranked.append(MostNeeded(None, need.title, need.shortfall, need.unit, need.priority, 1, 1))
    ranked.sort(key=lambda m: (Priority.values.index(m.priority), -m.shortfall))
    return ranked[:limit]


def open_need_for(user: Any, place: Any, item: Item) -> Any:
    """The most urgent open need of ``place`` for ``item`` that this user may see, if any."""
    return visible_needs(user).current().filter(place=place, item=item).by_urgency().first()

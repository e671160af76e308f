from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from hromada.core import permissions
from hromada.core.api_auth import anyone
from hromada.core.models import Area, Place
from hromada.lib.pagination import LimitOffsetPagination

router = Router(tags=["places"])


class AreaOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")


class OrganizationRef(Schema):
    id: int
    name: str
    kind: str


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    organization: OrganizationRef
    area: AreaOut
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    capacity: int | None
    opening_notes: str
    contact_name: str
    contact_phone: str
    sensitivity: str


class PlaceFilters(Schema):
    area: str | None = Field(None, description="Area code; includes the areas below it.")
    kind: Place.Kind | None = None


class MembershipOut(Schema):
    organization: OrganizationRef
    roles: list[str]


class MeOut(Schema):
    username: str
    name: str
    language: str
    memberships: list[MembershipOut]


@router.get("/places", response=list[PlaceOut], auth=anyone, summary="Places this caller may see")
@paginate(LimitOffsetPagination)
def list_places(request: HttpRequest, filters: Query[PlaceFilters]):  # type: ignore[no-untyped-def]
    places = permissions.visible_places(request.user).select_related("organization", "area__parent")
    if filters.area:
        places = places.filter(area__path__contains=f"/{filters.area}/")
    if filters.kind:
        places = places.filter(kind=filters.kind)
    return places.order_by("name", "pk")


@router.get("/places/{place_id}", response=PlaceOut, auth=anyone)
def get_place(request: HttpRequest, place_id: int) -> Place:
    return permissions.access_place(request.user, place_id)


@router.get("/areas", response=list[AreaOut], auth=anyone, summary="Administrative areas (KATOTTG)")
def list_areas(request: HttpRequest) -> list[Area]:
    return list(Area.objects.select_related("parent").order_by("path"))


@router.get("/me", response=MeOut, summary="Who the token or session belongs to, and their roles")
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "username": user.username,  # type: ignore[union-attr]
        "name": user.display_name,  # type: ignore[union-attr]
        "language": user.language,  # type: ignore[union-attr]
        "memberships": user.memberships.select_related("organization"),  # type: ignore[union-attr]
    }

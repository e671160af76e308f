"""Who may see and change needs: the place's rules, then the need's own visibility."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hromada.aid.models import Delivery, Need, NeedQuerySet, Pledge
from hromada.core import permissions
from hromada.core.models import Place, Role


def visible_needs(user: Any) -> NeedQuerySet:
    return Need.objects.filter(
        permissions.visibility_q(
            user, sensitivity="place__sensitivity", organization="place__organization"
        ),
        permissions.visibility_q(
            user, sensitivity="visibility", organization="place__organization"
        ),
        place__is_active=True,
    )


def may_view_need(user: Any, need: Need) -> bool:
    return permissions.may_view_place(user, need.place) and permissions.may_see(
        user, need.visibility, need.place.organization_id
    )


def may_manage_needs_at(user: Any, place: Place) -> bool:
    return permissions.may_coordinate_place(user, place)


def access_need(user: Any, pk: Any, *, manage: bool = False) -> Need:
    try:
        need = Need.objects.select_related("place__organization", "place__area", "item").get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_view_need(user, need):
        raise Http404
    if manage and not may_manage_needs_at(user, need.place):
        raise PermissionDenied
    return need


# Stock -------------------------------------------------------------------------------------


def may_manage_stock_at(user: Any, place: Place) -> bool:
    return permissions.may_coordinate_place(user, place)


def may_view_stock_at(user: Any, place: Place) -> bool:
    """Stock is operational: people of the place's organisation see it, nobody else."""
    return permissions.is_superuser(user) or place.organization_id in permissions.roles_by_org(user)


def stock_places(user: Any) -> QuerySet[Place]:
    """Places whose stock this user may see."""
    places = Place.objects.filter(is_active=True).select_related("organization", "area")
    if permissions.is_superuser(user):
        return places
    return places.filter(organization__in=list(permissions.roles_by_org(user)))


def access_stock_place(user: Any, pk: Any, *, manage: bool = False) -> Place:
    place = permissions.access_place(user, pk)
    if not may_view_stock_at(user, place):
        raise Http404
    if manage and not may_manage_stock_at(user, place):
        raise PermissionDenied
    return place


# Pledges -----------------------------------------------------------------------------------


def visible_pledges(user: Any) -> QuerySet[Pledge]:
    """Coordinators see unassigned offers and those of their organisations; donors their own."""
    pledges = Pledge.objects.all()
    if permissions.is_superuser(user):
        return pledges
    if not getattr(user, "is_authenticated", False):
        return pledges.none()
    mine = permissions.orgs_with_role(user, *permissions.PLACE_MANAGERS)
    allowed = Q(donor=user)
    if mine:
        allowed |= (
            Q(organization__isnull=True)
            | Q(organization__in=mine)
            | Q(need__place__organization__in=mine)
        )
    return pledges.filter(allowed)


def may_handle_pledge(user: Any, pledge: Pledge) -> bool:
    if permissions.is_superuser(user):
        return True
    mine = permissions.orgs_with_role(user, *permissions.PLACE_MANAGERS)
    if pledge.organization_id is not None:
        return pledge.organization_id in mine
    if pledge.need_id is not None:
        return pledge.need.place.organization_id in mine  # type: ignore[union-attr]
    return bool(mine)


def access_pledge(user: Any, pk: Any, *, manage: bool = False) -> Pledge:
    try:
        pledge = (
            visible_pledges(user)
            .select_related("item", "need__place", "hub", "organization")
            .get(pk=pk)
        )
    except (Pledge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not may_handle_pledge(user, pledge):
        raise PermissionDenied
    return pledge


# Deliveries --------------------------------------------------------------------------------

DRIVER_ROLES = (Role.VOLUNTEER, Role.COORDINATOR)


def visible_deliveries(user: Any) -> QuerySet[Delivery]:
    """People of the sending or receiving organisation, and the driver."""
    deliveries = Delivery.objects.all()
    if permissions.is_superuser(user):
        return deliveries
    if not getattr(user, "is_authenticated", False):
        return deliveries.none()
    orgs = list(permissions.roles_by_org(user))
    return deliveries.filter(
        Q(driver=user) | Q(from_place__organization__in=orgs) | Q(to_place__organization__in=orgs)
    )


def may_drive(user: Any, delivery: Delivery) -> bool:
    """Volunteers and coordinators of the hub's organisation drive its deliveries."""
    return permissions.has_role(user, delivery.from_place.organization_id, *DRIVER_ROLES)


def may_dispatch(user: Any, delivery: Delivery) -> bool:
    """The hub's coordinators plan, cancel and reassign its deliveries."""
    return permissions.may_coordinate_place(user, delivery.from_place)


def may_receive(user: Any, delivery: Delivery) -> bool:
    """The receiving place's coordinators confirm what arrived."""
    return permissions.may_coordinate_place(user, delivery.to_place)


def access_delivery(user: Any, pk: Any) -> Delivery:
    try:
        return (
            visible_deliveries(user)
            .select_related(
                "from_place__organization", "to_place__organization", "to_place__area", "driver"
            )
            .get(pk=pk)
        )
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404 from None

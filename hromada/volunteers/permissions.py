"""Who may see and change volunteers, teams, tasks, shifts, equipment, applications and cards.

Rules:
- Coordinators and organisation admins of an organisation run its volunteers: the registry,
  teams, tasks and shifts, equipment, applications from abroad and contact cards.
- A volunteer's contact data (phone, e-mail, emergency contact) is read by those
  coordinators and by the volunteer; nobody else, on any page, API answer or export.
- Members of an organisation see its tasks and shifts (at places they may see) so that
  they can sign up; teammates see each other's short names, not their contact data.
- A shift's leader (or the leader of the task's team) sees who checked in and out, and
  checks people in and out.
- A referrer sees counts of their referrals per status, nothing else.
- Contact cards follow the stricter of their own and their place's sensitivity; cards for
  coordinators are shown only to coordinators (of any organisation).
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from hromada.core import permissions
from hromada.core.models import Role
from hromada.volunteers.models import (
    Application,
    Assignment,
    ContactCard,
    CustodyQuerySet,
    CustodyRecord,
    EquipmentItem,
    Referrer,
    Shift,
    ShiftQuerySet,
    Task,
    Team,
    TeamMember,
    Volunteer,
)

MANAGERS = (Role.COORDINATOR, Role.ORG_ADMIN)


def managed_org_ids(user: Any) -> set[int]:
    return permissions.orgs_with_role(user, *MANAGERS)


def may_manage(user: Any, organization_id: int | None) -> bool:
    """Coordinators and admins of the organisation run its volunteers."""
    return permissions.has_role(user, organization_id, *MANAGERS)


def is_volunteer_manager(user: Any) -> bool:
    return permissions.has_any_role(user, *MANAGERS)


def in_managed_orgs(qs: QuerySet[Any], user: Any, field: str = "organization") -> QuerySet[Any]:
    if permissions.is_superuser(user):
        return qs
    return qs.filter(**{f"{field}__in": managed_org_ids(user)})


# Volunteers -----------------------------------------------------------------------------


def managed_volunteers(user: Any) -> QuerySet[Volunteer]:
    """The registry this user runs: every volunteer of the organisations they coordinate."""
    return in_managed_orgs(Volunteer.objects.all(), user)


def own_profiles(user: Any) -> QuerySet[Volunteer]:
    if not getattr(user, "is_authenticated", False):
        return Volunteer.objects.none()
    return Volunteer.objects.filter(user=user, is_active=True)


def profile_in(user: Any, organization_id: int) -> Volunteer | None:
    return own_profiles(user).filter(organization_id=organization_id).first()


def may_see_contact(user: Any, volunteer: Volunteer) -> bool:
    """Phone, e-mail and emergency contact: coordinators of their organisation, or themselves."""
    if may_manage(user, volunteer.organization_id):
        return True
    return bool(getattr(user, "is_authenticated", False) and volunteer.user_id == user.pk)


def access_volunteer(user: Any, pk: Any, *, manage: bool = False) -> Volunteer:
    try:
        volunteer = Volunteer.objects.select_related("organization", "home_area", "user").get(pk=pk)
    except (Volunteer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_see_contact(user, volunteer):
        raise Http404
    if manage and not may_manage(user, volunteer.organization_id):
        raise PermissionDenied
    return volunteer


# Teams ------------------------------------------------------------------------------------


def visible_teams(user: Any) -> QuerySet[Team]:
    """Teams this user runs, and teams they belong to."""
    if permissions.is_superuser(user):
        return Team.objects.all()
    mine = TeamMember.objects.filter(team=OuterRef("pk"), volunteer__in=own_profiles(user))
    return Team.objects.filter(Q(organization__in=managed_org_ids(user)) | Q(Exists(mine)))


def access_team(user: Any, pk: Any, *, manage: bool = False) -> Team:
    try:
        team = visible_teams(user).select_related("organization", "area").get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not may_manage(user, team.organization_id):
        raise PermissionDenied
    return team


# Tasks and shifts -------------------------------------------------------------------------


def visible_tasks(user: Any) -> QuerySet[Task]:
    """Tasks of the organisations the user belongs to (any role), at places they may see."""
    if permissions.is_superuser(user):
        return Task.objects.all()
    orgs = list(permissions.roles_by_org(user))
    places = permissions.visible_places(user)
    return Task.objects.filter(organization__in=orgs).filter(
        Q(place__isnull=True) | Q(place__in=places)
    )


def visible_shifts(user: Any) -> ShiftQuerySet:
    return Shift.objects.filter(task__in=visible_tasks(user))


def access_task(user: Any, pk: Any, *, manage: bool = False) -> Task:
    try:
        task = (
            visible_tasks(user)
            .select_related("organization", "place__area", "team", "created_by")
            .get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not may_manage(user, task.organization_id):
        raise PermissionDenied
    return task


def may_lead(user: Any, shift: Shift) -> bool:
    """Coordinators, the shift's leader, and the leader of the task's team."""
    if may_manage(user, shift.task.organization_id):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if shift.lead_id is not None and shift.lead is not None and shift.lead.user_id == user.pk:
        return True
    return bool(
        shift.task.team_id
        and TeamMember.objects.filter(
            team_id=shift.task.team_id, role=TeamMember.Role.LEADER, volunteer__user=user
        ).exists()
    )


def access_shift(user: Any, pk: Any, *, manage: bool = False, lead: bool = False) -> Shift:
    try:
        shift = (
            visible_shifts(user)
            .select_related("task__organization", "task__place__area", "task__team", "lead")
            .get(pk=pk)
        )
    except (Shift.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not may_manage(user, shift.task.organization_id):
        raise PermissionDenied
    if lead and not may_lead(user, shift):
        raise PermissionDenied
    return shift


def access_assignment(user: Any, pk: Any) -> Assignment:
    """An assignment the user may act on: their own, or one on a shift they lead."""
    try:
        assignment = Assignment.objects.select_related(
            "shift__task__organization", "shift__task__team", "shift__lead", "volunteer"
        ).get(pk=pk)
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    own = getattr(user, "is_authenticated", False) and assignment.volunteer.user_id == user.pk
    if not own and not visible_shifts(user).filter(pk=assignment.shift_id).exists():
        raise Http404
    if not own and not may_lead(user, assignment.shift):
        raise PermissionDenied
    return assignment


# Equipment --------------------------------------------------------------------------------


def managed_equipment(user: Any) -> QuerySet[EquipmentItem]:
    return in_managed_orgs(EquipmentItem.objects.all(), user)


def managed_custody(user: Any) -> CustodyQuerySet:
    return cast(
        CustodyQuerySet, in_managed_orgs(CustodyRecord.objects.all(), user, "item__organization")
    )


def access_item(user: Any, pk: Any) -> EquipmentItem:
    try:
        return managed_equipment(user).select_related("organization").get(pk=pk)
    except (EquipmentItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# Applications -----------------------------------------------------------------------------


def managed_applications(user: Any) -> QuerySet[Application]:
    return in_managed_orgs(Application.objects.all(), user)


def access_application(user: Any, pk: Any) -> Application:
    try:
        return (
            managed_applications(user)
            .select_related("organization", "referrer", "reviewer")
            .get(pk=pk)
        )
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def own_referrers(user: Any) -> QuerySet[Referrer]:
    if not getattr(user, "is_authenticated", False):
        return Referrer.objects.none()
    return Referrer.objects.filter(user=user)


# Contact cards ----------------------------------------------------------------------------


def visible_cards(user: Any) -> QuerySet[ContactCard]:
    cards = ContactCard.objects.filter(
        permissions.visibility_q(user, sensitivity="sensitivity", organization="organization"),
        Q(place__isnull=True)
        | Q(
            permissions.visibility_q(
                user, sensitivity="place__sensitivity", organization="place__organization"
            ),
            place__is_active=True,
        ),
        is_active=True,
    )
    if not is_volunteer_manager(user):
        cards = cards.exclude(audience=ContactCard.Audience.COORDINATORS)
    return cards


def access_card(user: Any, pk: Any, *, manage: bool = False) -> ContactCard:
    try:
        card = visible_cards(user).select_related("organization", "place").get(pk=pk)
    except (ContactCard.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if manage and not may_manage(user, card.organization_id):
        raise PermissionDenied
    return card

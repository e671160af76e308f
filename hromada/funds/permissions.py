"""Who may see and change funds.

- A public fund's transparency page (totals, spending, expenses, earmarks, the monthly
  report, the exports) is for anyone; a private fund's for the people of its organisation.
  None of them names a donor who did not agree to be named.
- The ledger with donors' names and contacts, receipts, imports and every change belong to
  the fund's managers: coordinators and admins of its organisation.
- An expense above the fund's threshold is approved by a manager who did not record it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from hromada.core import permissions
from hromada.core.models import Organization, Role
from hromada.funds.models import Expense, Fund

MANAGERS = (Role.COORDINATOR, Role.ORG_ADMIN)


def visible_funds(user: Any) -> QuerySet[Fund]:
    funds = Fund.objects.select_related("organization")
    if permissions.is_superuser(user):
        return funds
    mine = list(permissions.roles_by_org(user))
    return funds.filter(Q(is_public=True) | Q(organization__in=mine))


def may_view_fund(user: Any, fund: Fund) -> bool:
    return (
        fund.is_public
        or permissions.is_superuser(user)
        or (fund.organization_id in permissions.roles_by_org(user))
    )


def may_manage_fund(user: Any, fund: Fund) -> bool:
    return permissions.has_role(user, fund.organization_id, *MANAGERS)


def may_manage_funds(user: Any) -> bool:
    """Manages at least one organisation's money (may create a fund, enter rates)."""
    return permissions.has_any_role(user, *MANAGERS)


def managed_organizations(user: Any) -> QuerySet[Organization]:
    if permissions.is_superuser(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=permissions.orgs_with_role(user, *MANAGERS))


def managed_funds(user: Any) -> QuerySet[Fund]:
    funds = Fund.objects.select_related("organization")
    if permissions.is_superuser(user):
        return funds
    return funds.filter(organization__in=permissions.orgs_with_role(user, *MANAGERS))


def access_fund(user: Any, pk: Any, *, manage: bool = False) -> Fund:
    """The fund, or 404 (a private fund of another organisation: not yours to know about),
    or 403 (you may read it but not run it)."""
    try:
        fund = Fund.objects.select_related("organization").get(pk=pk)
    except (Fund.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_view_fund(user, fund):
        raise Http404
    if manage and not may_manage_fund(user, fund):
        raise PermissionDenied
    return fund


def may_approve_expense(user: Any, expense: Expense) -> bool:
    """A manager of the fund who did not record the expense, while it waits."""
    return (
        expense.status == Expense.Status.AWAITING
        and may_manage_fund(user, expense.fund)
        and getattr(user, "pk", None) != expense.created_by_id
    )


def access_expense(user: Any, fund: Fund, pk: Any, *, manage: bool = False) -> Expense:
    """An expense of ``fund`` (already checked). Rejected and waiting expenses are the
    managers' business: the public sees what was spent."""
    try:
        expense = (
            Expense.objects.select_related(
                "fund__organization", "earmark_need__place", "earmark_place"
            )
            .filter(fund=fund)
            .get(pk=pk)
        )
    except (Expense.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    managing = may_manage_fund(user, fund)
    if not expense.is_spent and not managing:
        raise Http404
    if manage and not managing:
        raise PermissionDenied
    return expense

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from hromada.core import permissions
from hromada.core.models import Membership, Role


def visible_names(user):
    return set(permissions.visible_places(user).values_list("name", flat=True))


def test_anonymous_and_outsiders_see_public_places_only(community):
    public = {"Міська рада", "Лікарня", "Пункт видачі", "Пункт іншої ГО"}
    assert visible_names(community.anonymous) == public
    assert visible_names(community.outsider) == public


def test_members_of_any_organisation_see_members_places_but_not_others_restricted_ones(community):
    names = visible_names(community.volunteer)
    assert "Школа № 5" in names
    assert "Укриття № 1" not in names


def test_members_of_the_owning_organisation_see_its_restricted_places(community):
    assert "Укриття № 1" in visible_names(community.analyst)
    assert "Укриття № 1" in visible_names(community.superuser)


def test_access_place_hides_what_you_may_not_see_and_refuses_what_you_may_not_change(community):
    with pytest.raises(Http404):
        permissions.access_place(community.anonymous, community.shelter.pk)
    with pytest.raises(Http404):
        permissions.access_place(community.volunteer, community.shelter.pk)
    with pytest.raises(Http404):
        permissions.access_place(community.volunteer, "not-a-number")
    assert permissions.access_place(community.volunteer, community.hub.pk) == community.hub
    with pytest.raises(PermissionDenied):
        permissions.access_place(community.volunteer, community.hub.pk, coordinate=True)
    assert permissions.access_place(community.coordinator, community.shelter.pk, coordinate=True)


def test_roles_hold_in_their_own_organisation_only(community):
    assert permissions.may_coordinate_place(community.coordinator, community.school)
    assert not permissions.may_coordinate_place(community.coordinator, community.ward)
    assert not permissions.may_coordinate_place(community.analyst, community.school)
    assert permissions.may_coordinate_place(community.org_admin, community.school)
    assert permissions.may_coordinate_place(community.superuser, community.other_point)


def test_an_inactive_superuser_has_no_powers(community):
    community.superuser.is_active = False
    assert not permissions.is_superuser(community.superuser)


def test_roles_are_read_once_per_user_object(community, django_assert_num_queries):
    user = community.coordinator
    permissions.forget_roles(user)
    with django_assert_num_queries(1):  # the memberships, once
        permissions.has_role(user, community.council.pk, Role.COORDINATOR)
        permissions.orgs_with_role(user, Role.COORDINATOR)
        permissions.is_member(user)


def test_a_new_membership_counts_after_forget_roles(community):
    user = community.outsider
    assert not permissions.is_member(user)
    Membership.objects.create(user=user, organization=community.hq, roles=[Role.VOLUNTEER])
    permissions.forget_roles(user)
    assert permissions.is_member(user)

import pytest
from django.core.exceptions import ValidationError

from hromada.core.models import AuditEvent, Membership, Organization, Place
from hromada.core.services import record_event
from hromada.core.tests.factories import make_area, make_organization, make_place, make_user


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted():
    event = record_event("test.read", actor=make_user())
    event.action = "something.else"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.read"


@pytest.mark.django_db
def test_area_path_lists_codes_from_the_root_so_descendants_match_by_prefix():
    oblast = make_area(code="UA59")
    raion = make_area(code="UA5902", parent=oblast)
    town = make_area(code="UA590201", parent=raion)
    assert town.path == "/UA59/UA5902/UA590201/"
    assert town.depth == 2
    assert town.path.startswith(raion.path)


@pytest.mark.django_db
def test_an_organisation_cannot_be_its_own_ancestor():
    parent = make_organization()
    child = make_organization(parent=parent)
    parent.parent = child
    with pytest.raises(ValidationError):
        parent.full_clean()


@pytest.mark.django_db
def test_membership_needs_known_roles():
    user, org = make_user(), make_organization()
    for roles in ([], ["general"], "coordinator"):
        with pytest.raises(ValidationError):
            Membership(user=user, organization=org, roles=roles).full_clean()
    Membership(user=user, organization=org, roles=["coordinator", "volunteer"]).full_clean()


@pytest.mark.django_db
def test_a_place_has_both_coordinates_or_neither():
    place = make_place()
    place.longitude = None
    with pytest.raises(ValidationError):
        place.full_clean()


@pytest.mark.django_db
def test_place_name_is_unique_within_its_organisation_only():
    org, other = make_organization(), make_organization()
    make_place(name="Склад", organization=org)
    make_place(name="Склад", organization=other)
    with pytest.raises(ValidationError):
        Place(name="Склад", organization=org, area=make_area(), kind="hub").validate_constraints()


def test_organisation_kinds_cover_the_field_report():
    assert {
        "municipality",
        "hospital",
        "shelter_operator",
        "ngo",
        "volunteer_group",
        "business",
        "civil_defence",
    } == set(Organization.Kind.values)

"""The workflow's rules, at the service level: who may draft, submit, approve, return; what a
published alert may never become; what bad input is refused, with which message."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hromada.alerts import services
from hromada.alerts.models import Alert
from hromada.alerts.tests.factories import content, make_draft, published
from hromada.core.models import Role
from hromada.core.tests.factories import make_user


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_an_author_drafts_and_an_approver_publishes(community):
    alert = make_draft(author=community.alert_author, organization=community.council)
    assert alert.state == Alert.State.DRAFT and not alert.is_current()

    services.submit_alert(community.alert_author, alert)
    services.approve_alert(community.alert_approver, alert)

    alert.refresh_from_db()
    assert alert.state == Alert.State.PUBLISHED
    assert alert.sent is not None and alert.reviewed_by == community.alert_approver
    assert alert.is_current()
    assert [i.language for i in alert.infos.all()] == ["uk", "en"]


def test_the_author_may_not_approve_their_own_alert_even_as_an_approver(community):
    both = make_user(roles={community.council: [Role.ALERT_AUTHOR, Role.ALERT_APPROVER]})
    alert = make_draft(author=both, organization=community.council)
    services.submit_alert(both, alert)

    with pytest.raises(PermissionDenied, match="two-person rule"):
        services.approve_alert(both, alert)
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.PENDING


def test_an_approver_who_changed_a_draft_may_not_approve_it(community):
    both = make_user(roles={community.council: [Role.ALERT_AUTHOR, Role.ALERT_APPROVER]})
    alert = make_draft(author=community.alert_author, organization=community.council)
    services.update_draft(both, alert, content(headline_en="Air raid! Shelter now"))
    services.submit_alert(community.alert_author, alert)

    with pytest.raises(PermissionDenied):
        services.approve_alert(both, alert)
    services.approve_alert(community.alert_approver, alert)  # an untouched approver may


def test_even_a_superuser_needs_a_second_person(community):
    alert = make_draft(author=community.superuser, organization=community.council)
    services.submit_alert(community.superuser, alert)
    with pytest.raises(PermissionDenied):
        services.approve_alert(community.superuser, alert)


@pytest.mark.parametrize(
    "persona", ["volunteer", "coordinator", "analyst", "alert_approver", "other_coordinator"]
)
def test_only_alert_authors_may_draft(community, persona):
    with pytest.raises(PermissionDenied):
        make_draft(author=getattr(community, persona), organization=community.council)
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "persona", ["volunteer", "coordinator", "alert_author", "other_coordinator"]
)
def test_only_approvers_may_publish(community, persona):
    alert = make_draft(author=community.alert_author, organization=community.council)
    services.submit_alert(community.alert_author, alert)
    with pytest.raises(PermissionDenied):
        services.approve_alert(getattr(community, persona), alert)


def test_an_approver_of_another_organisation_may_not_publish(community):
    foreign = make_user(roles={community.other: [Role.ALERT_APPROVER]})
    alert = make_draft(author=community.alert_author, organization=community.council)
    services.submit_alert(community.alert_author, alert)
    with pytest.raises(PermissionDenied):
        services.approve_alert(foreign, alert)


def test_a_draft_must_be_submitted_before_it_can_be_approved(community):
    alert = make_draft(author=community.alert_author, organization=community.council)
    with pytest.raises(ValidationError, match="not waiting for approval"):
        services.approve_alert(community.alert_approver, alert)


def test_returning_needs_a_comment_and_gives_the_draft_back(community):
    alert = make_draft(author=community.alert_author, organization=community.council)
    services.submit_alert(community.alert_author, alert)
    with pytest.raises(ValidationError) as excinfo:
        services.return_alert(community.alert_approver, alert, comment="  ")
    assert "comment" in errors_of(excinfo)

    services.return_alert(community.alert_approver, alert, comment="Add the shelter's address.")
    alert.refresh_from_db()
    assert (
        alert.state == Alert.State.RETURNED and alert.review_comment == "Add the shelter's address."
    )
    services.update_draft(
        community.alert_author, alert, content(instruction_en="Go to shelter No. 2.")
    )
    services.submit_alert(community.alert_author, alert)
    services.approve_alert(community.alert_approver, alert)
    assert Alert.objects.get(pk=alert.pk).is_published


def test_a_published_alert_can_no_longer_be_changed(community):
    alert = published(community)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.update_draft(community.alert_author, alert, content(headline_en="Changed"))
    with pytest.raises(ValidationError):
        services.discard_draft(community.alert_author, alert)


def test_an_update_replaces_the_alert_it_references_once_published(community):
    original = published(community)
    update, _ = services.start_follow_up(community.alert_author, original, msg_type="Update")
    assert original.is_current()  # a draft update changes nothing yet

    services.update_draft(
        community.alert_author, update, {**services.content_of(update), "headline_en": "Still on"}
    )
    services.submit_alert(community.alert_author, update)
    services.approve_alert(community.alert_approver, update)

    original.refresh_from_db()
    update.refresh_from_db()
    assert original.replaced_by == update and not original.is_current()
    assert update.is_current() and update.msg_type == "Update"
    assert list(update.references.all()) == [original]


def test_a_cancel_removes_the_alert_and_is_not_itself_shown(community):
    original = published(community)
    cancel, _ = services.start_follow_up(community.alert_author, original, msg_type="Cancel")
    assert cancel.info("en").headline.startswith("Cancelled: ")
    services.submit_alert(community.alert_author, cancel)
    services.approve_alert(community.alert_approver, cancel)

    assert not Alert.objects.current().exists()


def test_a_cancel_that_references_nothing_is_refused(community):
    with pytest.raises(ValidationError) as excinfo:
        services.draft_alert(
            community.alert_author,
            organization=community.council,
            content=content(),
            msg_type="Cancel",
        )
    assert "must name the alert it follows" in errors_of(excinfo)["references"][0]


def test_an_alert_already_updated_cannot_be_updated_again_from_an_old_draft(community):
    original = published(community)
    first, _ = services.start_follow_up(community.alert_author, original, msg_type="Update")
    second, _ = services.start_follow_up(community.alert_author, original, msg_type="Cancel")
    for draft in (first, second):
        services.submit_alert(community.alert_author, draft)
    services.approve_alert(community.alert_approver, first)

    with pytest.raises(ValidationError, match="no longer in force"):
        services.approve_alert(community.alert_approver, second)


def test_the_all_clear_template_follows_an_air_raid_as_an_update(community):
    from hromada.alerts.models import AlertTemplate

    air_raid = published(community)
    clear, _ = services.start_follow_up(
        community.alert_author,
        air_raid,
        msg_type="Update",
        template=AlertTemplate.objects.get(code="all-clear"),
    )
    assert clear.info("en").response_types == ["AllClear"]
    assert clear.severity == "Minor"
    assert clear.expires_at - timezone.now() < datetime.timedelta(minutes=31)


# Bad input: each refused with a clear message, and nothing written.


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"polygon": "50.30,34.88 50.32,34.88 50.32,34.91 50.30,34.91"},
            "polygon",
            "The polygon is not closed",
        ),
        ({"polygon": "50.30,34.88 50.32,34.88 50.30,34.88"}, "polygon", "at least four points"),
        ({"polygon": "north of the river"}, "polygon", "latitude,longitude"),
        ({"circle": "50.31,34.89"}, "circle", "radius"),
        ({"area_codes": ["UA00"], "area_description": ""}, "area_codes", "Unknown area"),
        ({"area_description": ""}, "area_codes", "Say where"),
        (
            {"headline_en": "</headline><script>alert(1)</script>"},
            "headline_en",
            "Write plain text",
        ),
        ({"description_uk": "&xxe; <!DOCTYPE x>"}, "description_uk", "Write plain text"),
        ({"headline_uk": "Тривога\x00"}, "headline_uk", "control characters"),
        ({"description_en": "x" * 1_000_000}, "description_en", "At most 4000 characters"),
        ({"event_en": ""}, "event_en", "required"),
        ({"severity": "Apocalyptic"}, "severity", "Choose one of"),
        ({"scope": "Restricted"}, "restriction", "Say who"),
        ({"web": "javascript:alert(1)"}, "web", "web address"),
        ({"expires": None}, "expires", "until when"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(community, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        make_draft(author=community.alert_author, organization=community.council, **overrides)
    assert any(message in m for m in errors_of(excinfo)[field]), errors_of(excinfo)
    assert not Alert.objects.exists()


def test_an_expiry_before_the_onset_is_refused(community):
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        make_draft(
            author=community.alert_author,
            organization=community.council,
            onset=now + datetime.timedelta(hours=5),
            expires=now + datetime.timedelta(hours=2),
        )
    assert errors_of(excinfo)["expires"] == ["The alert would expire before its onset."]


def test_an_alert_that_expired_while_waiting_cannot_be_published(community):
    alert = make_draft(author=community.alert_author, organization=community.council)
    services.submit_alert(community.alert_author, alert)
    with pytest.raises(ValidationError, match="passed"):
        services.approve_alert(
            community.alert_approver, alert, now=timezone.now() + datetime.timedelta(hours=4)
        )


def test_plain_less_than_and_ampersand_are_fine(community):
    alert = make_draft(
        author=community.alert_author,
        organization=community.council,
        description_en="Queue < 20 people at bread & water point",
    )
    assert alert.info("en").description == "Queue < 20 people at bread & water point"


def test_an_expired_alert_is_no_longer_current(community):
    alert = published(community)
    later = alert.expires_at + datetime.timedelta(seconds=1)
    assert alert in Alert.objects.current(alert.expires_at - datetime.timedelta(seconds=1))
    assert alert not in Alert.objects.current(later)
    assert alert.lifecycle(later) == "Expired"


def test_a_scheduled_alert_is_not_current_before_it_takes_effect(community):
    start = timezone.now() + datetime.timedelta(hours=1)
    alert = published(community, effective=start)
    assert not Alert.objects.current().filter(pk=alert.pk).exists()
    assert Alert.objects.current(start + datetime.timedelta(minutes=1)).filter(pk=alert.pk).exists()


def test_a_template_cannot_be_sent_with_its_blanks_unfilled(community):
    from hromada.alerts.models import AlertTemplate

    bread = AlertTemplate.objects.get(code="bread").content()
    alert = make_draft(
        author=community.alert_author,
        organization=community.council,
        **bread,
        area_codes=[community.town.code],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.submit_alert(community.alert_author, alert)
    assert errors_of(excinfo)["headline_uk"] == ["Fill in the parts marked “…” before sending."]

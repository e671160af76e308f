import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hromada.aid.models import Pledge, StockMove
from hromada.aid.permissions import visible_pledges
from hromada.aid.services import pledges, stock
from hromada.aid.tests.factories import item, make_need


def offer(actor, **overrides):
    fields = {
        "item": item("blankets"),
        "quantity": Decimal(30),
        "contact_name": "Марія",
        "contact_email": "maria@example.org",
    }
    fields.update(overrides)
    return pledges.offer_pledge(actor, **fields)


def test_anyone_offers_and_gets_a_private_link_by_mail(
    community, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge, created = offer(community.anonymous)
    assert created and pledge.status == "offered" and pledge.unit == "piece"
    token = pledges.follow_token(pledge)
    assert pledges.pledge_for_token(token) == pledge
    assert pledges.pledge_for_token(token[:-2] + "xx") is None
    assert pledges.follow_url(pledge) in mailoutbox[0].body


def test_an_offer_needs_a_way_to_reach_the_donor_and_sensible_dates(community):
    with pytest.raises(ValidationError) as error:
        offer(
            community.anonymous,
            contact_email="",
            contact_phone="",
            available_until=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert {"contact_phone", "available_until"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        offer(community.anonymous, item=item("bread"))
    assert "expires_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        offer(community.anonymous, handover="pick_up", location="")
    assert "location" in error.value.message_dict
    assert not Pledge.objects.exists()


def test_an_offer_for_a_need_the_donor_cannot_see_is_refused(community):
    hidden = make_need(place=community.shelter)
    with pytest.raises(ValidationError):
        offer(community.anonymous, need=hidden)


def test_the_donors_mails_speak_the_language_they_offered_in(
    community, mailoutbox, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        pledge, _ = offer(community.anonymous)
    assert pledge.language == "en"
    with translation.override("uk"), django_capture_on_commit_callbacks(execute=True):
        pledges.decline_pledge(community.coordinator, pledge, reason="Вже маємо достатньо")
    with translation.override("en"):
        assert mailoutbox[-1].subject == translation.gettext("About your offer")


def test_received_goods_enter_the_hubs_stock_and_the_donor_is_thanked_once(
    community, mailoutbox, django_capture_on_commit_callbacks
):
    pledge, _ = offer(community.anonymous)
    with django_capture_on_commit_callbacks(execute=True):
        pledges.accept_pledge(community.coordinator, pledge, hub=community.school)
        pledges.receive_pledge(community.coordinator, pledge, hub=community.school)
    assert stock.on_hand(community.school, item("blankets")) == Decimal(30)
    move = StockMove.objects.get()
    assert (move.reason, move.pledge) == ("donation", pledge)
    with pytest.raises(ValidationError):
        pledges.receive_pledge(
            community.coordinator, pledge, hub=community.school
        )  # received already
    subjects = [m.subject for m in mailoutbox]
    assert subjects.count("Your gift has arrived") == 1


def test_goods_received_at_the_needy_place_itself_cover_its_need(community):
    need = make_need(place=community.office, item=item("blankets"), quantity=Decimal(30))
    pledge, _ = offer(community.anonymous, need=need)
    pledges.receive_pledge(community.coordinator, pledge, hub=community.office)
    need.refresh_from_db()
    assert need.status == "covered"


def test_an_offer_for_a_need_is_handled_by_that_needs_organisation_only(community):
    need = make_need(place=community.ward, item=item("blankets"))
    pledge, _ = offer(community.anonymous, need=need)
    with pytest.raises(PermissionDenied):
        pledges.accept_pledge(community.coordinator, pledge)
    pledges.accept_pledge(community.doctor, pledge)
    assert pledge not in visible_pledges(community.coordinator)
    assert pledge in visible_pledges(community.doctor)
    assert not visible_pledges(community.anonymous).exists()
    assert not visible_pledges(community.volunteer).exists()


def test_a_general_offer_is_seen_by_every_coordinator_until_one_takes_it(community):
    pledge, _ = offer(community.anonymous)
    assert pledge in visible_pledges(community.coordinator) and pledge in visible_pledges(
        community.doctor
    )
    pledges.accept_pledge(community.doctor, pledge, hub=community.ward)
    assert pledge not in visible_pledges(community.coordinator)


def test_declining_needs_a_reason_and_a_declined_offer_is_final(community):
    pledge, _ = offer(community.anonymous)
    with pytest.raises(ValidationError):
        pledges.decline_pledge(community.coordinator, pledge, reason=" ")
    pledges.decline_pledge(community.coordinator, pledge, reason="Не той розмір")
    with pytest.raises(ValidationError):
        pledges.accept_pledge(community.coordinator, pledge)


def test_offers_past_their_availability_expire(community):
    pledge, _ = offer(community.anonymous, available_until=timezone.localdate())
    assert pledges.expire_pledges(timezone.localdate() + datetime.timedelta(days=1)) == 1
    pledge.refresh_from_db()
    assert pledge.status == "expired"

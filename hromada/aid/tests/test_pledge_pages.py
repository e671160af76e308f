import uuid
from decimal import Decimal

from django.urls import reverse

from hromada.aid.models import Pledge
from hromada.aid.services import pledges
from hromada.aid.tests.factories import item, make_need


def form(**overrides):
    data = {
        "item": item("blankets").pk,
        "quantity": "30",
        "handover": "drop_off",
        "contact_name": "Марія",
        "contact_phone": "+380 67 000 0000",
        "consent": "on",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(overrides)
    return data


def test_what_is_needed_most_puts_the_most_urgent_first(community, as_user):
    make_need(place=community.ward, item=item("blankets"), priority="low", quantity=Decimal(500))
    make_need(place=community.hub, item=item("insulin"), priority="critical", quantity=Decimal(5))
    make_need(place=community.office, item=item("insulin"), priority="high", quantity=Decimal(7))
    make_need(
        place=community.shelter, item=item("candles"), priority="critical"
    )  # restricted: not for visitors
    html = as_user(community.anonymous).get(reverse("aid:needed-most")).content.decode()
    assert html.index("Insulin") < html.index("Blankets")
    assert "12" in html and "Candles" not in html


def test_a_visitor_offers_without_an_account_and_lands_on_their_private_page(community, as_user):
    client = as_user(community.anonymous)
    data = form()
    response = client.post(reverse("aid:give"), data)
    pledge = Pledge.objects.get()
    assert response.status_code == 302 and response["Location"] == pledges.follow_url(pledge)
    client.post(reverse("aid:give"), data)  # the same form sent twice
    assert Pledge.objects.count() == 1
    page = client.get(response["Location"])
    assert page["Referrer-Policy"] == "no-referrer"
    assert "Offered" in page.content.decode()


def test_an_offer_for_a_need_starts_from_the_need(community, as_user):
    need = make_need(place=community.ward, item=item("insulin"), quantity=Decimal(60))
    page = as_user(community.anonymous).get(reverse("aid:give"), {"need": need.pk})
    assert page.context["form"].initial["quantity"] == Decimal(60)
    as_user(community.anonymous).post(
        reverse("aid:give") + f"?need={need.pk}",
        form(item=item("insulin").pk, need=need.pk, expires_on="2099-01-01"),
    )
    assert Pledge.objects.get().need == need


def test_a_broken_offer_is_explained_and_nothing_is_saved(community, as_user):
    response = as_user(community.anonymous).post(
        reverse("aid:give"), form(contact_phone="", quantity="-2")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "contact_phone" in errors and "quantity" in errors
    assert not Pledge.objects.exists()


def test_a_coordinator_accepts_and_receives_from_the_pages(community, as_user):
    pledge, _ = pledges.offer_pledge(
        community.anonymous,
        item=item("blankets"),
        quantity=Decimal(30),
        contact_name="Марія",
        contact_phone="1",
    )
    client = as_user(community.coordinator)
    assert "Марія" in client.get(reverse("aid:pledge-detail", args=[pledge.pk])).content.decode()
    client.post(reverse("aid:pledge-accept", args=[pledge.pk]), {"hub": community.school.pk})
    response = client.post(
        reverse("aid:pledge-receive", args=[pledge.pk]),
        {"hub": community.school.pk, "quantity": "28"},
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == "received"


def test_a_forged_follow_link_shows_nothing(community, as_user):
    assert (
        as_user(community.anonymous)
        .get(reverse("aid:pledge-follow", args=["1:forged"]))
        .status_code
        == 404
    )

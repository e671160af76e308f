from decimal import Decimal

from django.urls import reverse

from hromada.aid.models import StockMove
from hromada.aid.services import stock
from hromada.aid.tests.factories import item, stock_up
from hromada.core.models import AuditEvent


def test_people_of_the_organisation_see_its_stock_and_nobody_else(community, as_user):
    stock_up(community.shelter, "blankets", 40)
    url = reverse("aid:stock-place", args=[community.shelter.pk])
    assert "Blankets" in as_user(community.analyst).get(url).content.decode()
    for persona in ("volunteer", "doctor", "outsider"):
        assert as_user(getattr(community, persona)).get(url).status_code == 404
    assert as_user(community.anonymous).get(url).status_code == 302
    assert AuditEvent.objects.filter(action="stock.viewed", actor=community.analyst).exists()


def test_a_coordinator_records_a_donation_and_a_count_from_the_page(community, as_user):
    client = as_user(community.coordinator)
    response = client.post(
        reverse("aid:stock-receive", args=[community.school.pk]),
        {
            "receive-item": item("blankets").pk,
            "receive-quantity": "40",
            "receive-reason": "donation",
        },
    )
    assert response.status_code == 302
    client.post(
        reverse("aid:stock-count", args=[community.school.pk]),
        {"count-item": item("blankets").pk, "count-counted": "38"},
    )
    assert stock.on_hand(community.school, item("blankets")) == Decimal(38)


def test_taking_more_than_the_shelf_holds_is_refused_on_the_page(community, as_user):
    stock_up(community.school, "blankets", 5)
    response = as_user(community.coordinator).post(
        reverse("aid:stock-issue", args=[community.school.pk]),
        {
            "issue-item": item("blankets").pk,
            "issue-quantity": "6",
            "issue-reason": "distribution",
        },
    )
    assert response.status_code == 422
    assert "Only 5" in response.content.decode()
    assert stock.on_hand(community.school, item("blankets")) == Decimal(5)


def test_the_ledger_page_lists_moves_and_corrects_a_wrong_one(community, as_user):
    stock_up(community.school, "candles", 10)
    [move] = StockMove.objects.all()
    client = as_user(community.coordinator)
    assert (
        "Candles"
        in client.get(reverse("aid:stock-moves", args=[community.school.pk])).content.decode()
    )
    client.post(
        reverse("aid:stock-reverse", args=[community.school.pk, move.pk]),
        {"note": "Подвійний запис"},
    )
    assert stock.on_hand(community.school, item("candles")) == 0
    assert StockMove.objects.count() == 2


def test_a_volunteer_of_the_organisation_sees_but_cannot_change(community, as_user):
    from hromada.core.models import Role
    from hromada.core.tests.factories import make_user

    helper = make_user(roles={community.council: [Role.VOLUNTEER]})
    client = as_user(helper)
    assert client.get(reverse("aid:stock-place", args=[community.school.pk])).status_code == 200
    response = client.post(
        reverse("aid:stock-receive", args=[community.school.pk]),
        {"receive-item": item("candles").pk, "receive-quantity": "1", "receive-reason": "donation"},
    )
    assert response.status_code == 403

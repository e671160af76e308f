from decimal import Decimal

import pytest
from django.urls import reverse

from hromada.aid.models import Delivery
from hromada.aid.services import deliveries, stock
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import Role
from hromada.core.tests.factories import make_user


@pytest.fixture
def driver(community):
    return make_user(username="driver", roles={community.council: [Role.VOLUNTEER]})


def test_a_coordinator_plans_by_hand_and_lines_find_their_needs(community, as_user):
    stock_up(community.school, "blankets", 50)
    need = make_need(place=community.office, item=item("blankets"))
    response = as_user(community.coordinator).post(
        reverse("aid:delivery-new"),
        {
            "from_place": community.school.pk,
            "to_place": community.office.pk,
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": item("blankets").pk,
            "lines-0-quantity": "20",
        },
    )
    delivery = Delivery.objects.get()
    assert response.status_code == 302
    assert delivery.lines.get().need == need


def test_a_plan_beyond_the_free_stock_is_explained(community, as_user):
    stock_up(community.school, "blankets", 5)
    response = as_user(community.coordinator).post(
        reverse("aid:delivery-new"),
        {
            "from_place": community.school.pk,
            "to_place": community.office.pk,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": item("blankets").pk,
            "lines-0-quantity": "20",
        },
    )
    assert response.status_code == 422
    assert "only 5" in response.content.decode()
    assert not Delivery.objects.exists()


def test_the_driver_walks_the_delivery_from_claim_to_handover(community, as_user, driver):
    stock_up(community.school, "blankets", 50)
    need = make_need(place=community.office, item=item("blankets"), quantity=Decimal(20))
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(20), need)],
    )
    client = as_user(driver)
    assert "Open to claim" in client.get(reverse("aid:delivery-list")).content.decode()
    client.post(reverse("aid:delivery-claim", args=[delivery.pk]))
    client.post(reverse("aid:delivery-pick-up", args=[delivery.pk]))
    line = delivery.lines.get()
    response = client.post(
        reverse("aid:delivery-deliver", args=[delivery.pk]),
        {"recipient_name": "Олена", f"line_{line.pk}": "20"},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == "covered"
    assert stock.on_hand(community.office, item("blankets")) == Decimal(20)
    confirm = as_user(community.coordinator).post(
        reverse("aid:delivery-confirm", args=[delivery.pk])
    )
    assert confirm.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "confirmed"


def test_a_driver_of_another_organisation_sees_nothing(community, as_user, driver):
    stock_up(community.school, "blankets", 5)
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(5))],
    )
    assert (
        as_user(community.volunteer)
        .get(reverse("aid:delivery-detail", args=[delivery.pk]))
        .status_code
        == 404
    )
    assert (
        as_user(community.volunteer)
        .post(reverse("aid:delivery-claim", args=[delivery.pk]))
        .status_code
        == 404
    )


def test_steps_out_of_turn_are_told_not_crashed(community, as_user, driver):
    stock_up(community.school, "blankets", 5)
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(5))],
    )
    response = as_user(driver).post(
        reverse("aid:delivery-pick-up", args=[delivery.pk]), follow=True
    )
    assert "this step does not apply" in response.content.decode()

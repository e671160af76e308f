import datetime
import json
import uuid
from decimal import Decimal

from django.utils import timezone

from hromada.aid.models import StockMove
from hromada.aid.tests.factories import item
from hromada.core.models import AuditEvent
from hromada.funds.models import Donation, Expense, Purchase
from hromada.funds.tests.factories import make_donation, make_expense, make_fund

YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


def post(client, path, body, **headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_wrong_input_is_answered_with_field_errors_and_writes_nothing(community, as_user):
    fund = make_fund(organization=community.council)
    client = as_user(community.coordinator)

    response = post(
        client,
        f"/api/funds/{fund.pk}/donations",
        {"amount": "10.001", "currency": "XYZ", "received_on": "yesterday"},
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"amount", "currency", "received_on"} <= set(errors)
    assert not Donation.objects.exists()


def test_a_rule_broken_in_the_service_is_a_field_error_too(community, as_user):
    fund = make_fund(organization=community.council, currencies=["UAH"])
    client = as_user(community.coordinator)
    body = {"amount": "10.00", "currency": "USD", "received_on": YESTERDAY}

    response = post(client, f"/api/funds/{fund.pk}/donations", body)

    assert response.status_code == 422
    assert "accepts" in response.json()["errors"]["currency"][0]


def test_a_purchase_refused_half_way_leaves_no_expense_and_no_stock(community, as_user):
    fund = make_fund(organization=community.council)
    make_donation(fund, "1000.00")
    body = {
        "amount": "100.00", "currency": "UAH", "spent_on": YESTERDAY, "payee": "ФОП",
        "purpose": "Суміш", "category": "baby",
        "purchases": [
            {"item_id": item("candles").pk, "quantity": "5", "hub_id": community.school.pk},
            {"item_id": item("baby-formula").pk, "quantity": "5", "hub_id": community.school.pk},
        ],
    }  # fmt: skip

    response = post(as_user(community.coordinator), f"/api/funds/{fund.pk}/expenses", body)

    assert response.status_code == 422
    assert "purchases" in response.json()["errors"]
    assert not Expense.objects.exists() and not Purchase.objects.exists()
    assert not StockMove.objects.exists()


def test_a_retried_create_returns_the_first_donation(community, as_user):
    fund = make_fund(organization=community.council)
    client = as_user(community.coordinator)
    key = str(uuid.uuid4())
    body = {"amount": "250.00", "currency": "UAH", "received_on": YESTERDAY}

    first = post(client, f"/api/funds/{fund.pk}/donations", body, HTTP_IDEMPOTENCY_KEY=key)
    second = post(client, f"/api/funds/{fund.pk}/donations", body, HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Donation.objects.count() == 1


def test_another_organisations_private_fund_is_not_found_by_changing_the_id(community, as_user):
    private = make_fund(organization=community.council, is_public=False)
    make_donation(private, "100.00", donor_name="Олена")
    spent = make_expense(private, "10.00")
    client = as_user(community.other_coordinator)

    for path in (
        f"/api/funds/{private.pk}",
        f"/api/funds/{private.pk}/donations",
        f"/api/funds/{private.pk}/expenses",
        f"/api/funds/{private.pk}/expenses/{spent.pk}",
        f"/api/funds/{private.pk}/ledger/donations",
    ):
        assert client.get(path).status_code == 404, path
    body = {"amount": "1.00", "currency": "UAH", "received_on": YESTERDAY}
    assert post(client, f"/api/funds/{private.pk}/donations", body).status_code == 404
    assert [f["fund"]["id"] for f in client.get("/api/funds").json()] == []


def test_an_expense_of_one_fund_is_not_read_through_another(community, as_user):
    public = make_fund(organization=community.hq)
    private = make_fund(organization=community.council, is_public=False)
    hidden = make_expense(private, "10.00")

    response = as_user(community.anonymous).get(f"/api/funds/{public.pk}/expenses/{hidden.pk}")

    assert response.status_code == 404


def test_the_public_list_of_donations_never_names_an_anonymous_donor(community, as_user):
    fund = make_fund(organization=community.council)
    make_donation(fund, "100.00", donor_name="Таємний Донор", donor_contact="secret@example.org")
    make_donation(fund, "200.00", donor_name="Anna Schmidt", donor_public=True)

    body = as_user(community.anonymous).get(f"/api/funds/{fund.pk}/donations").json()

    assert sorted(d["donor"] for d in body["items"]) == ["", "Anna Schmidt"]
    text = json.dumps(body, ensure_ascii=False)
    assert "Таємний" not in text and "secret@" not in text


def test_managers_read_the_ledger_and_the_read_is_logged(community, as_user):
    fund = make_fund(organization=community.council)
    make_donation(fund, "100.00", donor_name="Олена", donor_contact="+380")

    response = as_user(community.coordinator).get(f"/api/funds/{fund.pk}/ledger/donations")

    assert response.status_code == 200
    assert response.json()["items"][0]["donor_name"] == "Олена"
    assert AuditEvent.objects.filter(action="funds.ledger.viewed").count() == 1


def test_the_second_manager_approves_through_the_api(community, as_user):
    fund = make_fund(organization=community.council, approval_threshold=Decimal("100.00"))
    make_donation(fund, "1000.00")
    body = {
        "amount": "500.00", "currency": "UAH", "spent_on": YESTERDAY, "payee": "ФОП",
        "purpose": "Генератор", "category": "power",
    }  # fmt: skip
    created = post(as_user(community.coordinator), f"/api/funds/{fund.pk}/expenses", body).json()
    assert created["status"] == "awaiting"
    url = f"/api/funds/{fund.pk}/expenses/{created['id']}/approve"

    assert post(as_user(community.coordinator), url, {}).status_code == 403
    approved = post(as_user(community.org_admin), url, {})

    assert approved.status_code == 200 and approved.json()["status"] == "spent"

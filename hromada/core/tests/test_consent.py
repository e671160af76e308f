"""Consent where the law needs it: the public forms ask for it, and the row records when it
was given and which wording (core.privacy.CONSENTS)."""

import uuid

import pytest
from django.urls import reverse

from hromada.aid.models import Pledge
from hromada.aid.tests.factories import item
from hromada.alerts.models import Subscription
from hromada.core.privacy import CONSENTS
from hromada.tracing.models import Inquiry
from hromada.volunteers import services as volunteer_services


def pledge_form(**overrides):
    data = {
        "item": item("blankets").pk,
        "quantity": "3",
        "handover": "drop_off",
        "contact_name": "Claire",
        "contact_phone": "+33 6 00 00 00 00",
        "idempotency_key": uuid.uuid4().hex,
    }
    return {**data, **overrides}


INQUIRY = {"family_name": "Shevchenko", "given_name": "Oleksandr", "inquirer_name": "Maria",
           "inquirer_contact": "+1 416 555 0101"}  # fmt: skip
SUBSCRIPTION = {"email": "olena@example.org", "language": "en"}


@pytest.mark.parametrize(
    ("url", "data", "model"),
    [
        ("aid:give", pledge_form, Pledge),
        ("tracing:inquiry-new", lambda: INQUIRY, Inquiry),
        ("alerts:subscribe", lambda: SUBSCRIPTION, Subscription),
    ],
)
def test_a_public_form_without_the_consent_box_ticked_keeps_nothing(
    community, as_user, url, data, model
):
    response = as_user(community.anonymous).post(reverse(url), data())
    assert response.status_code == 422
    assert "consent" in response.context["form"].errors
    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("url", "data", "model", "purpose"),
    [
        ("aid:give", pledge_form, Pledge, "pledge_contact"),
        ("tracing:inquiry-new", lambda: INQUIRY, Inquiry, "tracing_inquirer"),
        ("alerts:subscribe", lambda: SUBSCRIPTION, Subscription, "alerts_subscription"),
    ],
)
def test_a_ticked_consent_is_recorded_with_its_wording(
    community, as_user, url, data, model, purpose
):
    as_user(community.anonymous).post(reverse(url), {**data(), "consent": "on"})
    row = model.objects.get()
    assert row.consent_at is not None
    assert row.consent_version == CONSENTS[purpose].version


def test_the_consent_box_says_what_is_agreed_to(community, as_user):
    page = as_user(community.anonymous).get(reverse("alerts:subscribe")).content.decode()
    assert "until I unsubscribe" in page


def test_a_volunteers_signup_records_the_wording_they_agreed_to(community):
    from hromada.volunteers.tests.factories import make_desk

    make_desk(community.hq)
    result = volunteer_services.sign_up(
        organization=community.hq, name="Ірина Бондар",
        phone="050 765 43 21", consent=True,
    )  # fmt: skip
    assert result.volunteer.consent_version == CONSENTS["volunteer_signup"].version


@pytest.mark.parametrize(
    ("path", "payload", "model", "purpose"),
    [
        ("/api/pledges", {"title": "Ковдри", "quantity": "3", "unit": "piece", "contact_name": "Claire",
                          "contact_phone": "+33 6 00 00 00 00"}, Pledge, "pledge_contact"),
        ("/api/tracing/inquiries", INQUIRY, Inquiry, "tracing_inquirer"),
        ("/api/alert-subscriptions", {"email": "olena@example.org"}, Subscription,
         "alerts_subscription"),
    ],
)  # fmt: skip
def test_the_api_records_consent_when_the_caller_says_it_was_given(
    community, as_user, path, payload, model, purpose
):
    client = as_user(community.anonymous)
    response = client.post(path, {**payload, "consent": True}, content_type="application/json")
    assert response.status_code in (201, 202), response.content
    assert model.objects.get().consent_version == CONSENTS[purpose].version

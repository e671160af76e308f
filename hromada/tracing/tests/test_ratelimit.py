"""Inquiries are rate-limited per connection; the page and the API share one count."""

import json

from django.test import override_settings
from django.urls import reverse

from hromada.tracing.models import Inquiry


def page_form(**overrides):
    return {
        "family_name": "Shevchenko",
        "given_name": "Oleksandr",
        "inquirer_name": "Maria",
        "inquirer_contact": "+1 416 555 0101",
        "consent": "on",
        **overrides,
    }


@override_settings(RATE_LIMITS={"inquiry": (1, 3600)})
def test_the_inquiry_past_the_limit_is_refused_and_files_nothing(community, as_user):
    client = as_user(community.anonymous)
    assert client.post(reverse("tracing:inquiry-new"), page_form()).status_code == 302

    refused = client.post(reverse("tracing:inquiry-new"), page_form(given_name="Petro"))

    assert refused.status_code == 429 and refused["Retry-After"]
    html = refused.content.decode()
    assert "Too many attempts from this connection" in html and "Petro" in html
    by_api = client.post(
        "/api/tracing/inquiries",
        json.dumps({k: v for k, v in page_form().items() if k != "consent"}),
        content_type="application/json",
    )
    assert by_api.status_code == 429 and by_api["Retry-After"]
    assert Inquiry.objects.count() == 1
    other = client.post(reverse("tracing:inquiry-new"), page_form(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and Inquiry.objects.count() == 2

"""Anonymous incident reports and incident searches are rate-limited per connection."""

from django.test import override_settings
from django.urls import reverse

from hromada.reports.models import Incident


def report(community, **overrides):
    return {
        "kind": "shelling", "day": "2022-02-28", "time": "06:30", "time_precision": "exact",
        "area": community.town.code, "location_precision": "area",
        "description": "Two houses burning.", **overrides,
    }  # fmt: skip


@override_settings(RATE_LIMITS={"incident-report": (1, 3600)})
def test_the_report_past_the_limit_is_refused_and_kept_on_the_form(community, as_user):
    client = as_user(community.anonymous)
    url = reverse("reports:incident-report")
    assert client.post(url, report(community)).status_code == 302

    refused = client.post(url, report(community, description="A school hit."))

    assert refused.status_code == 429 and refused["Retry-After"]
    assert "A school hit." in refused.content.decode()
    assert Incident.objects.count() == 1
    assert client.post(url, report(community), REMOTE_ADDR="198.51.100.7").status_code == 302
    # Signed-in reporters are known: their reports are not counted.
    assert as_user(community.volunteer).post(url, report(community)).status_code == 302


@override_settings(RATE_LIMITS={"search": (1, 60)})
def test_searching_incidents_is_limited_by_page_and_api(community, as_user):
    client = as_user(community.anonymous)
    assert client.get(reverse("reports:incident-list"), {"q": "school"}).status_code == 200
    assert client.get(reverse("reports:incident-list"), {"q": "school"}).status_code == 429
    assert client.get("/api/reports/incidents", {"q": "school"}).status_code == 429

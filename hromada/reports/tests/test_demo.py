"""The demo's situation record: the field report's figures, by their sources, with dates."""

from unittest import mock

import pytest
from django.urls import reverse

from hromada.core import demo
from hromada.reports import metrics
from hromada.reports.models import Claim, Incident, MediaItem, Sitrep, Verification


@pytest.fixture
def loaded(db):
    with mock.patch.object(demo, "DEMO_APPS", ["reports"]):  # this app's part only
        return demo.load()


def figure(source: str, metric: str, **filters):
    claim = Claim.objects.get(source__name_en=source, metric=metric, **filters)
    return (claim.qualifier, claim.low, claim.best, claim.high)


def test_the_demo_holds_the_field_reports_figures_as_claims_by_their_sources(loaded):
    assert loaded["sources"] == 10 and loaded["incidents"] == 12 and loaded["sitreps"] == 2
    town, kyiv, un = (
        "Okhtyrka City Council",
        "Government of Ukraine",
        "UN Human Rights Office (OHCHR)",
    )
    assert figure(town, metrics.KILLED, as_of__day=28) == ("exact", 28, 28, 28)
    assert figure(town, metrics.INJURED, as_of__day=28) == ("exact", 68, 68, 68)
    assert figure(kyiv, metrics.KILLED) == ("about", None, 200, None)
    assert figure(kyiv, metrics.CHILDREN_KILLED) == ("exact", 16, 16, 16)
    assert figure(kyiv, metrics.COMBATANTS_KILLED, party__code="ru") == (
        "more_than",
        4300,
        4300,
        None,
    )
    assert figure(kyiv, metrics.COMBATANTS_CAPTURED) == ("about", None, 200, None)
    assert figure(un, metrics.KILLED, as_of__day=28) == ("exact", 102, 102, 102)
    assert figure(un, metrics.CHILDREN_KILLED) == ("exact", 7, 7, 7)
    assert figure(un, metrics.INJURED) == ("exact", 304, 304, 304)
    assert Claim.objects.get(source__name_en=un, metric=metrics.KILLED, as_of__day=28).undercount
    assert figure(un, metrics.CASUALTIES) == ("at_least", 240, 240, None)  # 26 February
    assert figure(un, metrics.KILLED, as_of__day=26) == ("at_least", 64, 64, None)
    assert figure("UNHCR, the UN Refugee Agency", metrics.REFUGEES_FLED, as_of__day=28) == (
        "more_than", 500000, 500000, None,
    )  # fmt: skip
    destroyed = Claim.objects.get(metric=metrics.BUILDINGS_DESTROYED)
    assert (destroyed.qualifier, destroyed.low, destroyed.source.kind) == (
        "more_than",
        10,
        "eyewitness",
    )
    assert all(c.as_of.year == 2022 and c.as_of.month == 2 and 24 <= c.as_of.day <= 28
               for c in Claim.objects.all())  # fmt: skip


def test_the_demo_has_media_in_each_status_and_one_recycled(loaded):
    statuses = set(Verification.objects.values_list("status", flat=True))
    assert statuses == set(Verification.Status.values)
    recycled = MediaItem.objects.get(recycled_found_at__isnull=False)
    assert recycled.recycled_of.first_seen_at.year == 2014
    pumping = Incident.objects.get(kind="structure_damage", infrastructure=["water"])
    assert pumping.status == "reported" and "older picture" in pumping.review_note


def test_the_demos_two_daily_sitreps_are_public_and_show_the_sources_side_by_side(loaded, client):
    latest = Sitrep.objects.get(status="published")
    earlier = Sitrep.objects.get(status="superseded")
    assert earlier.superseded_by == latest
    page = client.get(reverse("reports:sitrep-detail", args=[latest.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    for name in (
        "Okhtyrka City Council",
        "Government of Ukraine",
        "UN Human Rights Office (OHCHR)",
    ):
        assert name in html
    assert "Natalia" not in html  # an eyewitness is never named in public


def test_loading_the_demo_again_changes_nothing(loaded):
    with mock.patch.object(demo, "DEMO_APPS", ["reports"]):
        assert demo.load() == {}
    assert Claim.objects.count() == loaded["claims"]

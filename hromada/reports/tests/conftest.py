"""Fixtures for the reports tests: a second analyst of the council (a sitrep's approver)
and the sources of the field report."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hromada.reports import metrics
from hromada.reports.models import Source
from hromada.reports.tests.factories import analyst_of, make_source, party


@pytest.fixture
def reviewer(community):
    """Another analyst of the council: somebody other than the author approves."""
    return analyst_of(community.council, username="reviewer")


@pytest.fixture
def sources(community):
    """The sources of the field report (and outlets that repeat them)."""
    a = community.analyst
    return SimpleNamespace(
        town=make_source(a, name_en="Okhtyrka City Council", independence_group="okhtyrka-council"),
        government=make_source(
            a, name_en="Government of Ukraine", kind=Source.Kind.NATIONAL_GOVERNMENT,
            scale=Source.Scale.NATIONAL, party=party("ua"), independence_group="government-ua",
        ),
        ohchr=make_source(
            a, name_en="OHCHR", kind=Source.Kind.UN_AGENCY, scale=Source.Scale.INTERNATIONAL,
            reliability="A", recorder_for=[metrics.CASUALTIES], independence_group="ohchr",
        ),
        unhcr=make_source(
            a, name_en="UNHCR", kind=Source.Kind.UN_AGENCY, scale=Source.Scale.INTERNATIONAL,
            reliability="A", recorder_for=[metrics.REFUGEES_FLED, metrics.REFUGEES_HOSTED],
        ),
        eyewitness=make_source(a, name_en="Natalia", kind=Source.Kind.EYEWITNESS),
    )  # fmt: skip

"""Properties of reconciliation that the pages, the exports and the benchmark rely on."""

import datetime
import random

import pytest

from hromada.reports import metrics, selectors, services
from hromada.reports.models import Claim
from hromada.reports.reconciliation import latest_per_scope
from hromada.reports.selectors import area_ref, claim_rows, figures_for_every_area
from hromada.reports.tests.factories import (
    at,
    make_claim,
    make_document,
    make_incident,
    make_source,
    party,
)

FIGURE_FIELDS = (
    "metric",
    "party",
    "headline",
    "headline_kind",
    "floor",
    "independent",
    "tally",
    "warnings",
)


def random_record(community, seed):
    """Claims of several sources about the country, the oblast, the hromada, the town, the
    village and incidents, with corrections and retractions among them."""
    rng = random.Random(seed)
    a = community.analyst
    sources = [make_source(a, independence_group=f"g{n % 3}") for n in range(5)]
    areas = [None, community.oblast, community.hromada, community.town, community.village]
    incidents = [make_incident(a, area=rng.choice(areas[3:])) for _ in range(3)]
    for n in range(60):
        document = make_document(a, rng.choice(sources))
        metric = rng.choice([metrics.KILLED, metrics.INJURED, metrics.CASUALTIES, metrics.CHILDREN_KILLED,
                             metrics.IDPS, metrics.COMBATANTS_KILLED])  # fmt: skip
        scope = {"incident": rng.choice(incidents)} if n % 5 == 0 else {"area": rng.choice(areas)}
        if metric == metrics.IDPS:
            scope = {"area": rng.choice(areas)}
        claim = make_claim(
            a, rng.choice(["12", "at least 30", "~40", "between 5 and 9", "dozens"]), document=document,
            metric=metric, as_of=at(rng.randrange(24, 29), rng.randrange(24)),
            basis=rng.choice(Claim.Basis.values), party=party("ru") if metric == metrics.COMBATANTS_KILLED else None,
            control=rng.choice(["whole", "whole", "government", "other"]) if "area" in scope else "whole",
            **scope,
        )  # fmt: skip
        if n % 7 == 0:
            services.retract_claim(a, claim)
        elif n % 11 == 0:
            services.correct_claim(a, claim, words="50")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_areas_figures_in_one_pass_equal_each_areas_own_reconciliation(community, seed):
    random_record(community, seed)
    cutoff = at(28, 23)
    every = figures_for_every_area(cutoff)
    for area in (community.oblast, community.hromada, community.town, community.village):
        one = selectors.all_figures(
            claim_rows(area, cutoff=cutoff), area=area_ref(area), cutoff=cutoff,
            stale_after=datetime.timedelta(days=7),
        )  # fmt: skip
        summary = {(f["metric"], f["party"]): f for f in every.get(area.code, [])}
        for figure in one:
            key = (figure["metric"], figure["party"])
            if key in summary:
                assert {k: summary[key][k] for k in FIGURE_FIELDS} == {
                    k: figure[k] for k in FIGURE_FIELDS
                }, (seed, area, key)
            else:  # only other areas have this metric: listed, never counted
                assert (figure["headline"], figure["floor"], figure["independent"]) == (
                    None,
                    None,
                    0,
                )
                assert figure["rows"] == [] and figure["tally"] is None


def test_a_later_cutoff_never_forgets_a_source(community, sources):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town, as_of=at(27, 18))
    make_claim(a, "102", source=sources.ohchr, basis="verified_records", as_of=at(28, 0))
    earlier = selectors.reconcile_area(community.town, metrics.KILLED, at(28, 1))
    later = selectors.reconcile_area(community.town, metrics.KILLED, at(28, 23))
    assert earlier["independent"] == later["independent"] == 1
    assert {r["value"] for r in later["others"]} == {102}


def test_claims_about_combatants_are_reconciled_per_party(community, sources):
    a = community.analyst
    make_claim(a, "more than 4,300", source=sources.government, metric=metrics.COMBATANTS_KILLED,
               party=party("ru"), basis="belligerent_claim")  # fmt: skip
    make_claim(a, "dozens", source=sources.government, metric=metrics.COMBATANTS_KILLED,
               party=party("ua"), basis="official_statement")  # fmt: skip
    russian = selectors.reconcile_area(None, metrics.COMBATANTS_KILLED, at(28, 23), party="ru")
    ukrainian = selectors.reconcile_area(None, metrics.COMBATANTS_KILLED, at(28, 23), party="ua")
    assert [r["value"] for r in russian["rows"]] == [4300]
    assert [(r["low"], r["high"]) for r in ukrainian["rows"]] == [(20, 99)]


@pytest.mark.parametrize("seed", [4, 5])
def test_the_sql_window_and_the_python_rule_pick_the_same_latest_claims(community, seed):
    random_record(community, seed)
    cutoff = at(27, 12)  # some corrections come after it
    every = selectors._rows([Claim.objects.filter(as_of__lte=cutoff, incident__isnull=True)])
    for area in (community.oblast, community.town):
        by_sql = {
            r.id
            for r in claim_rows(area, cutoff=cutoff)
            if r.incident_id is None and r.area_id != area.pk
        }
        related = [
            r for r in every
            if r.area_id != area.pk and (area.path.startswith(r.area_path) or r.area_path.startswith(area.path))
        ]  # fmt: skip
        assert by_sql == {r.id for r in latest_per_scope(related, cutoff)}, (seed, area)

"""The cases issue 5 names, one by one (they run on SQLite and on PostgreSQL)."""

import datetime
import hashlib
import io
import json

import hxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hromada.reports import metrics, services
from hromada.reports.models import Claim, Incident, MediaLink, Sitrep, Source
from hromada.reports.selectors import reconcile_area
from hromada.reports.tests.factories import (
    at,
    make_claim,
    make_document,
    make_incident,
    make_media,
    make_sitrep,
    make_source,
    party,
    picture,
)

KILLED, INJURED, CHILDREN = metrics.KILLED, metrics.INJURED, metrics.CHILDREN_KILLED
LATE = at(28, 23)


def values(rows):
    return sorted(r["value"] for r in rows)


def reasons(row):
    return {r["code"] for r in row["reasons"]}


class ExactRow:
    """A libhxl row read by exact hashtag: ``Row.get("#affected+killed")`` is a pattern
    that also matches ``+min``, ``+max`` and ``+children`` columns and returns the first
    non-empty one."""

    def __init__(self, columns, row):
        self.values = {
            column.display_tag: value for column, value in zip(columns, row.values, strict=False)
        }

    def get(self, tag):
        return self.values[tag]


def hxl_rows(content: bytes):
    data = hxl.data(io.BytesIO(content), hxl.InputOptions(allow_local=True))
    rows = list(data)
    return data, [ExactRow(data.columns, row) for row in rows]


# 1 ---------------------------------------------------------------------------------------------


def test_the_same_incident_reported_by_two_sources_counts_once_its_range_spanning_both(
    community, sources
):
    a = community.analyst
    incident = make_incident(a, area=community.town)
    make_claim(a, "5", source=sources.town, incident=incident)
    make_claim(a, "7", source=sources.ohchr, incident=incident, basis="verified_records")

    result = reconcile_area(community.town, KILLED, LATE)

    assert result["tally"] == {"incidents": 1, "low": 5, "high": 7, "graded_low": 5}


def test_an_incident_entered_twice_is_suggested_as_a_duplicate_and_counts_once_when_merged(
    community, sources
):
    a = community.analyst
    first = make_incident(a, area=community.town)
    second = make_incident(
        a, area=community.town, latitude="50.308500", longitude="34.892400",
        occurred_earliest=at(28, 1), occurred_latest=at(28, 2),
    )  # fmt: skip
    make_claim(a, "5", source=sources.town, incident=first)
    make_claim(a, "7", source=sources.ohchr, incident=second, basis="verified_records")
    assert reconcile_area(community.town, KILLED, LATE)["tally"]["incidents"] == 2

    assert [other for other, _score in services.possible_duplicates(first)] == [second]
    services.merge_incidents(a, first, second)

    assert reconcile_area(community.town, KILLED, LATE)["tally"] == {
        "incidents": 1, "low": 5, "high": 7, "graded_low": 5,
    }  # fmt: skip
    assert Incident.objects.get(pk=second.pk).status == Incident.Status.MERGED


# 2 ---------------------------------------------------------------------------------------------


def test_four_outlets_repeating_ohchrs_figure_are_one_independent_source(community, sources):
    a = community.analyst
    report = make_document(a, sources.ohchr)
    make_claim(a, "102", document=report, basis="verified_records")
    for n in range(4):
        outlet = make_source(a, name_en=f"Outlet {n}", kind=Source.Kind.MEDIA_NATIONAL)
        # Two cite the report, two say "according to OHCHR".
        cites = {"cites_document": report} if n % 2 else {"cites_source": sources.ohchr}
        make_claim(a, "102", document=make_document(a, outlet, **cites), basis="verified_records")

    result = reconcile_area(None, KILLED, LATE)

    assert len(result["rows"]) == 5
    assert result["independent"] == 1
    assert all("repeats" in reasons(row) for row in result["rows"] if row["origin"])


def test_sources_of_one_independence_group_count_once(community, sources):
    a = community.analyst
    ministry = make_source(a, name_en="Ministry", independence_group="government-ua")
    make_claim(a, "200", source=sources.government, basis="official_statement")
    make_claim(a, "210", source=ministry, basis="official_statement")
    make_claim(a, "102", source=sources.ohchr, basis="verified_records")

    assert reconcile_area(None, KILLED, LATE)["independent"] == 2


# 3 ---------------------------------------------------------------------------------------------


def test_cumulative_figures_from_different_dates_are_never_summed(community, sources):
    a = community.analyst
    for words, day, month in (("64", 26, 2), ("102", 28, 2), ("227", 2, 3)):
        make_claim(
            a, words, source=sources.ohchr, as_of=at(day, 0, month=month), basis="verified_records"
        )

    assert reconcile_area(None, KILLED, at(3, 12, month=3))["headline"] == 227
    assert reconcile_area(None, KILLED, at(28, 12))["headline"] == 102
    result = reconcile_area(None, KILLED, at(3, 12, month=3))
    assert values(result["rows"]) == [227]
    assert sorted(e["row"]["value"] for e in result["excluded"]) == [64, 102]
    assert {e["why"] for e in result["excluded"]} == {"older"}


# 4 ---------------------------------------------------------------------------------------------


def test_a_regions_daily_figure_is_never_added_to_the_national_cumulative_figure(
    community, sources
):
    a = community.analyst
    make_claim(a, "102", source=sources.ohchr, basis="verified_records")
    regional = make_source(a, name_en="Sumy Regional Administration", scale=Source.Scale.REGIONAL)
    make_claim(
        a, "5", source=regional, area=community.oblast, measure="period",
        period_start=datetime.date(2022, 2, 27), period_end=datetime.date(2022, 2, 27),
    )  # fmt: skip

    national = reconcile_area(None, KILLED, LATE)
    regional_view = reconcile_area(community.oblast, KILLED, LATE)

    assert national["headline"] == 102
    assert values(national["rows"]) == [102]
    assert [
        (row["value"], reasons(row) >= {"subset", "measure"}) for row in national["others"]
    ] == [(5, True)]
    # In the region's own view the daily figure is still not a cumulative figure.
    assert regional_view["rows"] == [] and regional_view["headline"] is None
    assert {r["value"] for r in regional_view["others"]} == {5, 102}


# 5 ---------------------------------------------------------------------------------------------


def test_figures_as_of_different_times_are_flagged_with_the_difference_in_utc(community, sources):
    a = community.analyst
    make_claim(a, "102", source=sources.ohchr, as_of=at(28, 0), basis="verified_records")
    # The same instant written in UTC: midnight in Kyiv is 22:00 UTC the day before.
    same = make_source(a, name_en="Same time")
    make_claim(
        a, "100", source=same, as_of=datetime.datetime(2022, 2, 27, 22, 0, tzinfo=datetime.UTC)
    )
    earlier = make_source(a, name_en="Earlier")
    make_claim(a, "90", source=earlier, as_of=at(27, 12))

    rows = {row["value"]: row for row in reconcile_area(None, KILLED, LATE)["rows"]}

    assert "time" not in reasons(rows[100])
    assert [r for r in rows[90]["reasons"] if r["code"] == "time"] == [
        {"code": "time", "seconds": -12 * 3600}
    ]
    assert rows[90]["as_of"] == "2022-02-27T10:00:00+00:00"  # stored and shown in UTC


# 6 ---------------------------------------------------------------------------------------------


def test_a_retracted_claim_leaves_the_highest_claim_cell_and_stays_in_the_audit_view(
    community, sources, as_user
):
    a = community.analyst
    make_claim(a, "102", source=sources.ohchr, basis="verified_records")
    inflated = make_claim(a, "352", source=sources.government, basis="official_statement")
    assert reconcile_area(None, KILLED, LATE)["highest"]["value"] == 352

    services.retract_claim(a, inflated, note="Withdrawn by the ministry.")
    result = reconcile_area(None, KILLED, LATE)

    assert result["highest"]["value"] == 102
    assert [(e["why"], e["row"]["claim"]) for e in result["excluded"]] == [
        ("retracted", inflated.pk)
    ]
    page = as_user(a).get(
        reverse("reports:reconcile"),
        {"area": "UA", "metric": KILLED, "cutoff": "2022-02-28T23:00", "control": "whole"},
    )
    assert f"#{inflated.pk}" in page.content.decode() and "retracted" in page.content.decode()


# 7 ---------------------------------------------------------------------------------------------


def test_a_sources_correction_supersedes_its_earlier_figure(community, sources):
    a = community.analyst
    first = make_claim(a, "28", source=sources.town, area=community.town)
    corrected, _created = services.correct_claim(a, first, words="31")

    result = reconcile_area(community.town, KILLED, LATE)

    assert result["headline"] == 31 and values(result["rows"]) == [31]
    assert [(e["why"], e["row"]["value"]) for e in result["excluded"]] == [("superseded", 28)]
    assert Claim.objects.get(pk=first.pk).source_status == Claim.SourceStatus.CORRECTED
    assert corrected.supersedes_id == first.pk


def test_a_correction_made_after_the_cutoff_does_not_change_the_figure_at_the_cutoff(
    community, sources
):
    a = community.analyst
    first = make_claim(a, "28", source=sources.town, area=community.town, as_of=at(27, 18))
    services.correct_claim(a, first, words="31", as_of=at(28, 18))

    assert reconcile_area(community.town, KILLED, at(28, 0))["headline"] == 28
    assert reconcile_area(community.town, KILLED, LATE)["headline"] == 31


# 8 ---------------------------------------------------------------------------------------------


def test_children_are_never_added_to_the_total(community, sources):
    a = community.analyst
    make_claim(
        a, "102 killed, including 7 children", source=sources.ohchr, basis="verified_records"
    )

    killed = reconcile_area(None, KILLED, LATE)
    children = reconcile_area(None, CHILDREN, LATE)

    assert killed["headline"] == 102 and values(killed["rows"]) == [102]
    assert children["headline"] == 7
    assert Claim.objects.get(metric=CHILDREN).part_of.metric == KILLED


def test_a_breakdown_that_does_not_add_up_is_flagged(community, sources):
    a = community.analyst
    make_claim(a, "10 killed, including 12 children", source=sources.town, area=community.town)
    casualties = make_document(a, sources.ohchr)
    make_claim(a, "240", document=casualties, metric=metrics.CASUALTIES, basis="verified_records")
    make_claim(a, "64", document=casualties, metric=KILLED, basis="verified_records")
    make_claim(a, "200", document=casualties, metric=INJURED, basis="verified_records")

    town = reconcile_area(community.town, KILLED, LATE)
    national = reconcile_area(None, metrics.CASUALTIES, LATE)

    assert [w["code"] for w in town["warnings"]] == ["subset_exceeds"]
    assert national["warnings"] == [
        {
            "code": "components_mismatch",
            "claim": national["rows"][0]["claim"],
            "value": 240,
            "sum": 264,
        }
    ]


# 9 ---------------------------------------------------------------------------------------------


def test_casualties_including_dead_store_both_and_injured_is_derived_and_labelled(
    community, sources
):
    a = community.analyst
    whole = make_claim(
        a, "at least 240 casualties including 64 dead", source=sources.ohchr,
        metric=metrics.CASUALTIES, basis="verified_records",
    )  # fmt: skip

    stored = {c.metric: c for c in Claim.objects.all()}
    assert set(stored) == {metrics.CASUALTIES, KILLED}  # injured is not stored
    assert (stored[metrics.CASUALTIES].qualifier, stored[metrics.CASUALTIES].low) == (
        "at_least",
        240,
    )
    assert (stored[KILLED].qualifier, stored[KILLED].low, stored[KILLED].part_of_id) == (
        "at_least", 64, whole.pk,
    )  # fmt: skip
    injured = reconcile_area(None, INJURED, LATE)
    [row] = injured["rows"]
    assert (row["qualifier"], row["low"], row["claim"]) == ("at_least", 176, None)
    assert "derived" in reasons(row)
    assert sorted(row["derived_from"]) == sorted([whole.pk, stored[KILLED].pk])


# 10: the parser, in test_figures.py ------------------------------------------------------------


def test_the_parser_is_tested_on_at_least_twenty_phrasings():
    from hromada.reports.tests.test_figures import PHRASINGS

    assert len(PHRASINGS) >= 20


# 11 --------------------------------------------------------------------------------------------


def test_soldiers_and_prisoners_never_appear_in_civilian_rows(
    community, sources, reviewer, as_user
):
    a = community.analyst
    kyiv = make_document(a, sources.government)
    soldiers = make_claim(
        a, "more than 4,300", document=kyiv, metric=metrics.COMBATANTS_KILLED, party=party("ru"),
        basis="belligerent_claim",
    )  # fmt: skip
    prisoners = make_claim(
        a, "nearly 200", document=kyiv, metric=metrics.COMBATANTS_CAPTURED, party=party("ru"),
        basis="belligerent_claim",
    )  # fmt: skip
    make_claim(a, "some 200 civilians", document=kyiv, basis="official_statement")
    sitrep = make_sitrep(a, organization=community.council)

    payload = services.build_payload(sitrep)

    combatant_ids = {soldiers.pk, prisoners.pk}
    for figure in payload["figures"]:
        listed = {row["claim"] for row in figure["rows"] + figure["others"]}
        if metrics.get(figure["metric"]).block == metrics.Block.COMBATANT:
            assert listed <= combatant_ids
        else:
            assert not listed & combatant_ids
    export = as_user(a).get(reverse("reports:sitrep-export", args=[sitrep.pk]), {"format": "csv"})
    _data, [row] = hxl_rows(export.content)
    assert row.get("#affected+killed") == ""  # about 200 is no documented figure
    assert row.get("#affected+killed+max") == "200"
    assert "4300" not in export.content.decode()


# 12 --------------------------------------------------------------------------------------------


def test_a_towns_figure_and_the_national_figure_are_never_added(community, sources):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town)
    make_claim(a, "102", source=sources.ohchr, basis="verified_records")

    town = reconcile_area(community.town, KILLED, LATE)
    country = reconcile_area(None, KILLED, LATE)

    assert (town["headline"], country["headline"]) == (28, 102)
    assert [(r["value"], "larger_area" in reasons(r)) for r in town["others"]] == [(102, True)]
    assert [(r["value"], "subset" in reasons(r)) for r in country["others"]] == [(28, True)]
    assert 130 not in {town["headline"], country["headline"], town["highest"]["value"]}


# 13 --------------------------------------------------------------------------------------------


def test_refugees_who_fled_refugees_hosted_and_idps_are_three_figures_never_summed(
    community, sources
):
    a = community.analyst
    iom = make_source(a, name_en="IOM", kind=Source.Kind.UN_AGENCY, recorder_for=[metrics.IDPS])
    make_claim(a, "more than 500,000", source=sources.unhcr, metric=metrics.REFUGEES_FLED)
    make_claim(a, "450,000", source=sources.unhcr, metric=metrics.REFUGEES_HOSTED)
    make_claim(a, "160,000", source=iom, metric=metrics.IDPS)
    sitrep = make_sitrep(a, organization=community.council)

    figures = {
        f["metric"]: f["headline"]
        for f in services.build_payload(sitrep)["figures"]
        if metrics.get(f["metric"]).block == metrics.Block.DISPLACEMENT
    }

    assert figures == {
        metrics.REFUGEES_FLED: 500_000,
        metrics.REFUGEES_HOSTED: 450_000,
        metrics.IDPS: 160_000,
    }
    assert not [
        m
        for m in metrics.METRICS.values()
        if set(metrics.COMPONENTS.get(m.code, ())) & set(figures)
    ]


# 14 --------------------------------------------------------------------------------------------


def test_government_controlled_and_other_territory_are_kept_apart_unless_as_of_one_time(
    community, sources
):
    a = community.analyst
    oblast = community.oblast
    make_claim(a, "10", source=sources.ohchr, area=oblast, control="government", as_of=at(27, 12))
    make_claim(a, "5", source=sources.ohchr, area=oblast, control="other", as_of=at(28, 12))

    apart = reconcile_area(oblast, KILLED, LATE)
    assert apart["rows"] == [] and apart["headline"] is None
    assert sorted((r["control"], r["value"]) for r in apart["others"]) == [
        ("government", 10),
        ("other", 5),
    ]
    assert all("control" in reasons(r) for r in apart["others"])

    make_claim(a, "12", source=sources.ohchr, area=oblast, control="government", as_of=at(28, 12))
    together = reconcile_area(oblast, KILLED, LATE)
    [row] = together["rows"]
    assert (row["control"], row["value"], "derived" in reasons(row)) == ("whole", 17, True)


# 15 --------------------------------------------------------------------------------------------


def test_a_recycled_image_is_found_and_downgrades_what_it_supported(community, sources):
    a = community.analyst
    rested_on_it = make_incident(a, area=community.town)
    documented = make_incident(a, area=community.village)
    services.link_document(a, documented, make_document(a, sources.town), relation="reports")
    today = make_media(a, content=picture(7), first_seen_at=at(28, 9))
    for incident in (rested_on_it, documented):
        services.link_media(a, today, incident, relation="supports")

    # The same picture, smaller and recompressed, was online in 2014.
    original = make_media(
        a,
        content=picture(7, size=(480, 360), quality=60),
        first_seen_at=at(20, 9, month=7, year=2014),
    )

    today.refresh_from_db()
    assert today.recycled_of_id == original.pk and today.sha256 != original.sha256
    rested_on_it.refresh_from_db()
    documented.refresh_from_db()
    assert (rested_on_it.status, rested_on_it.grade) == ("reported", "unassessed")
    assert "older picture" in rested_on_it.review_note
    assert (documented.status, documented.grade) == ("published", "fair")
    assert original.recycled_found_at is None


def test_a_new_upload_of_an_old_picture_is_marked_recycled_at_once(community):
    a = community.analyst
    make_media(a, content=picture(9), first_seen_at=at(1, 9, month=3, year=2015))
    again = make_media(a, content=picture(9, size=(320, 240), quality=50), first_seen_at=at(28, 9))
    unrelated = make_media(a, content=picture(10), first_seen_at=at(28, 10))

    assert again.recycled_found_at is not None and unrelated.recycled_found_at is None


# 16 --------------------------------------------------------------------------------------------


def test_an_approved_sitreps_figures_do_not_change_when_its_claims_change(
    community, sources, reviewer, as_user
):
    a = community.analyst
    claim = make_claim(a, "28", source=sources.town, area=community.town, as_of=at(28, 18))
    sitrep = make_sitrep(a, organization=community.council, area=community.town)
    services.submit_sitrep(a, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    frozen, _ = services.sitrep_payload(sitrep)
    digest = sitrep.snapshot.sha256

    services.correct_claim(a, claim, words="31")
    services.retract_claim(a, claim)
    make_claim(a, "40", source=make_source(a), area=community.town, as_of=at(28, 19))

    again, is_frozen = services.sitrep_payload(Sitrep.objects.get(pk=sitrep.pk))
    assert is_frozen and again == frozen
    assert services.build_payload(sitrep) != frozen  # the live figures did move
    killed = next(f for f in again["figures"] if f["metric"] == KILLED)
    assert killed["headline"] == 28
    assert hashlib.sha256(services.canonical_json(again)).hexdigest() == digest
    services.publish_sitrep(a, sitrep)
    page = as_user(community.anonymous).get(reverse("reports:sitrep-detail", args=[sitrep.pk]))
    assert digest in page.content.decode()


# 17 --------------------------------------------------------------------------------------------


def test_public_coordinates_are_blurred_and_the_uploader_is_never_public(
    community, sources, as_user
):
    a = community.analyst
    incident = make_incident(a, area=community.town, latitude="50.308123", longitude="34.892456",
                             place_text="вул. Київська, 12", reporter_contact="+380501112233")  # fmt: skip
    media = make_media(a, uploader="@secret_uploader", url="https://t.me/x/1")
    services.link_media(a, media, incident, relation="supports")
    public = as_user(community.anonymous)

    feature = public.get(reverse("reports:incidents-geojson")).json()["features"][0]
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) != (50.308123, 34.892456)
    api = public.get(f"/api/reports/incidents/{incident.code}").json()
    assert (api["latitude"], api["longitude"]) == (lat, lon)
    assert api["place_text"] is None and api["reporter_contact"] is None
    page = public.get(reverse("reports:incident-detail", args=[incident.code])).content.decode()
    for secret in ("50.308123", "вул. Київська", "+380501112233", "@secret_uploader"):
        assert secret not in page
        assert secret not in json.dumps(api, ensure_ascii=False)
    assert public.get(f"/api/reports/media/{media.pk}").status_code == 401
    assert as_user(community.volunteer).get(f"/api/reports/media/{media.pk}").status_code == 404
    assert (
        as_user(community.volunteer)
        .get(reverse("reports:media-detail", args=[media.pk]))
        .status_code
        == 404
    )
    assert MediaLink.objects.filter(media=media).exists()


# 18 --------------------------------------------------------------------------------------------


def test_the_hxl_exports_parse_back_with_the_same_values(community, sources, reviewer, as_user):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town)
    make_claim(
        a, "102 killed, including 7 children", source=sources.ohchr, basis="verified_records"
    )
    make_claim(a, "more than 500,000", source=sources.unhcr, metric=metrics.REFUGEES_FLED)
    incident = make_incident(a, area=community.town, buildings_destroyed=11)
    make_claim(a, "between 2 and 3", source=sources.town, incident=incident)
    sitrep = make_sitrep(a, organization=community.council, area=community.town)
    client = as_user(a)

    claims_csv = client.get(reverse("reports:claims-export"), {"format": "csv"}).content
    _data, rows = hxl_rows(claims_csv)
    got = {
        (r.get("#indicator+code"), r.get("#indicator+value+num"), r.get("#indicator+qualifier"))
        for r in rows
    }
    assert got == {
        (KILLED, "28", "exact"), (KILLED, "102", "exact"), (CHILDREN, "7", "exact"),
        (metrics.REFUGEES_FLED, "500000", "more_than"), (KILLED, "", "range"),
    }  # fmt: skip
    ranged = next(r for r in rows if r.get("#indicator+qualifier") == "range")
    assert (ranged.get("#indicator+value+min"), ranged.get("#indicator+value+max")) == ("2", "3")
    assert ranged.get("#event+code") == incident.code
    claims_json = client.get(reverse("reports:claims-export"), {"format": "json"}).content
    _data, json_rows = hxl_rows(claims_json)
    assert sorted(r.get("#meta+id") for r in json_rows) == sorted(r.get("#meta+id") for r in rows)

    incidents_csv = client.get(reverse("reports:incidents-export"), {"format": "csv"}).content
    _data, [row] = hxl_rows(incidents_csv)
    assert (row.get("#event+code"), row.get("#impact+num+buildings+destroyed")) == (
        incident.code,
        "11",
    )
    assert (row.get("#affected+killed+min"), row.get("#affected+killed+max")) == ("2", "3")
    assert (row.get("#geo+lat"), row.get("#geo+lon")) == (
        str(incident.latitude.normalize()),
        str(incident.longitude.normalize()),
    )

    for fmt in ("csv", "json"):
        content = client.get(
            reverse("reports:sitrep-export", args=[sitrep.pk]), {"format": fmt}
        ).content
        _data, [row] = hxl_rows(content)
        assert row.get("#affected+killed") == "28"
        assert row.get("#affected+killed+min") == "28"
        assert row.get("#affected+killed+children") == ""  # no children figure for the town itself
        assert row.get("#loc+code") == community.town.code
    national = make_sitrep(a, organization=community.council)
    _data, [row] = hxl_rows(
        client.get(reverse("reports:sitrep-export", args=[national.pk])).content
    )
    assert (row.get("#affected+killed"), row.get("#affected+killed+children")) == ("102", "7")
    assert row.get("#affected+refugees+outflow") == "500000"
    assert row.get("#affected+refugees+outflow+sources") == "1"


def test_an_hxl_export_passes_libhxls_default_schema(community, sources, as_user):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town)
    sitrep = make_sitrep(a, organization=community.council, area=community.town)
    content = as_user(a).get(reverse("reports:sitrep-export", args=[sitrep.pk])).content
    errors = []
    schema = hxl.schema(
        None, callback=lambda e: errors.append(e) if e.rule.severity == "error" else None
    )
    schema.validate(hxl.data(io.BytesIO(content), hxl.InputOptions(allow_local=True)))
    assert not errors, [str(e) for e in errors]


def test_uploaded_files_are_stored_privately_with_their_sha256(community, sources, as_user):
    a = community.analyst
    document = make_document(a, sources.town)
    services.upload_archive(
        a,
        document,
        SimpleUploadedFile("statement.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    document.refresh_from_db()
    assert document.archive_sha256 == hashlib.sha256(b"%PDF-1.4 test").hexdigest()
    assert document.archive.name.startswith("reports/archive/")
    download = as_user(a).get(reverse("reports:document-archive", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        as_user(community.volunteer)
        .get(reverse("reports:document-archive", args=[document.pk]))
        .status_code
        == 404
    )

"""Who may open which reports page and API operation (see tests/matrix.py)."""

from django.core.cache import cache
from django.core.files.base import ContentFile

from hromada.reports import metrics
from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    MediaItem,
    Sitrep,
    SitrepSnapshot,
    Source,
    Verification,
)
from hromada.reports.tests.factories import at
from tests.matrix import Row, api_for, everyone, hidden_from_others, page_for, signed_in

# The analysts of the demo community (the council's) and the superuser.
ANALYSTS = {"analyst", "superuser"}


def prepare(c):
    """The objects the rows need, made directly (cheap: this runs for every row and persona;
    the services that make them are tested in the app's own tests)."""
    cache.delete("reports:anonymous-reports:127.0.0.1")  # the throttle of anonymous reports
    c.source = Source.objects.create(name_en="Council", kind="local_authority", scale="local")
    c.document = Document.objects.create(source=c.source, origin=c.source, title="Statement")
    c.claim = Claim.objects.create(
        document=c.document, source=c.source, metric=metrics.KILLED, area=c.town, as_of=at(28, 12),
        low=28, best=28, high=28, qualifier="exact", value_text="28", basis="documented_count",
    )  # fmt: skip
    window = {"occurred_earliest": at(27, 22), "occurred_latest": at(28, 6), "kind": "shelling"}
    c.incident = Incident.objects.create(
        code="20220228-AAAA",
        area=c.town,
        status="published",
        latitude=50.308,
        longitude=34.892,
        **window,
    )
    c.reported = Incident.objects.create(code="20220228-BBBB", area=c.town, **window)
    c.draft = Sitrep.objects.create(
        organization=c.council, area=c.town, cutoff=at(28, 20), created_by=c.analyst
    )
    c.published = Sitrep.objects.create(
        organization=c.council,
        area=c.town,
        cutoff=at(27, 20),
        status="published",
        created_by=c.analyst,
    )
    payload = {"version": 1, "area": None, "cutoff": "2022-02-27T18:00:00+00:00",
               "since": "2022-02-20T18:00:00+00:00", "stale_after_days": 7, "figures": [],
               "incidents": [], "needs": {"count": 0, "by_priority": {}, "top": []}, "series": {}}  # fmt: skip
    SitrepSnapshot.objects.create(sitrep=c.published, payload=payload, sha256="0" * 64)
    c.in_review = Sitrep.objects.create(
        organization=c.council, area=c.town, cutoff=at(28, 18), status="in_review",
        created_by=c.analyst, submitted_by=c.analyst,
    )  # fmt: skip
    c.approved = Sitrep.objects.create(
        organization=c.council, area=c.town, cutoff=at(28, 16), status="approved",
        created_by=c.analyst, submitted_by=c.analyst, approved_by=c.superuser,
    )  # fmt: skip
    c.media = MediaItem.objects.create(
        platform="telegram", uploader="@someone", first_seen_at=at(28, 9),
        file=ContentFile(b"\xff\xd8\xff", name="p.jpg"), content_type="image/jpeg",
    )  # fmt: skip
    c.verification = Verification.objects.create(
        media=c.media, claimed="The school after the strike"
    )


def analysts_or(status_for_others):
    """Analysts 200; anonymous visitors are asked to sign in; the rest get ``status``."""
    return lambda p: 200 if p in ANALYSTS else 302 if p == "anonymous" else status_for_others


def incident_json(c):
    return {
        "kind": "shelling",
        "occurred_earliest": "2022-02-28T06:00:00+02:00",
        "occurred_latest": "2022-02-28T07:00:00+02:00",
        "area": c.town.code,
    }


def incident_form(c):
    return {"kind": "fire", "day": "2022-02-28", "time_precision": "day", "area": c.town.code,
            "location_precision": "settlement"}  # fmt: skip


def claim_form(c):
    return {"metric": metrics.KILLED, "words": "30", "area": c.town.code, "control": "whole",
            "as_of": "2022-02-28T19:00", "basis": "documented_count"}  # fmt: skip


def sitrep_form(c):
    return {"organization": c.council.pk, "area": c.town.code, "cutoff": "2022-02-28T21:00",
            "stale_after_days": "7"}  # fmt: skip


SIGNED_IN_POST = lambda p: 302 if p in ANALYSTS or p == "anonymous" else 404  # noqa: E731
MANAGE = lambda p: 302 if p in ANALYSTS or p == "anonymous" else 403  # noqa: E731
# An API object only analysts may know about: 404 for other callers, 401 for nobody.
ANALYSTS_ONLY = lambda p: 200 if p in ANALYSTS else 401 if p == "anonymous" else 404  # noqa: E731
HIDDEN = hidden_from_others(ANALYSTS, 200)


def analysts_only(ok):
    """The analysts' record by API: ``ok`` for analysts; 404 for other callers; 401 anonymous."""
    return lambda p: ok if p in ANALYSTS else 401 if p == "anonymous" else 404


def nothing(c):
    return {}


def note(c):
    return {"note": "The source withdrew it."}


# fmt: off
ROWS = [
    Row("reports overview", "get", lambda c: "/reports/", everyone(200)),
    Row("sitreps", "get", lambda c: "/reports/sitreps/", everyone(200)),
    Row("published sitrep", "get", lambda c: f"/reports/sitreps/{c.published.pk}/", everyone(200)),
    Row("published sitrep figures", "get", lambda c: f"/reports/sitreps/{c.published.pk}/figures/", everyone(200)),
    Row("published sitrep map", "get", lambda c: f"/reports/sitreps/{c.published.pk}/incidents.geojson", everyone(200)),
    Row("draft sitrep", "get", lambda c: f"/reports/sitreps/{c.draft.pk}/", HIDDEN),
    Row("sitrep form", "get", lambda c: "/reports/sitreps/new/", page_for(ANALYSTS, 200)),
    Row("draft a sitrep", "post", lambda c: "/reports/sitreps/new/", page_for(ANALYSTS, 302), sitrep_form),
    Row("edit a draft", "get", lambda c: f"/reports/sitreps/{c.draft.pk}/edit/", analysts_or(404)),
    Row("submit a draft", "post", lambda c: f"/reports/sitreps/{c.draft.pk}/submit/", SIGNED_IN_POST),
    Row("reconcile", "get", lambda c: "/reports/reconcile/", page_for(ANALYSTS, 200)),
    Row("incidents", "get", lambda c: "/reports/incidents/", everyone(200)),
    Row("incidents GeoJSON", "get", lambda c: "/reports/incidents.geojson", everyone(200)),
    Row("incidents export", "get", lambda c: "/reports/incidents/export/", everyone(200)),
    Row("report form", "get", lambda c: "/reports/incidents/report/", everyone(200)),
    Row("report an incident", "post", lambda c: "/reports/incidents/report/", everyone(302), incident_form),
    Row("incident reported", "get", lambda c: f"/reports/incidents/report/{c.reported.code}/", everyone(200)),
    Row("published incident", "get", lambda c: f"/reports/incidents/{c.incident.code}/", everyone(200)),
    Row("unreviewed incident", "get", lambda c: f"/reports/incidents/{c.reported.code}/", HIDDEN),
    Row("edit an incident", "get", lambda c: f"/reports/incidents/{c.incident.code}/edit/", analysts_or(403)),
    Row("review an incident", "post", lambda c: f"/reports/incidents/{c.incident.code}/review/", MANAGE,
        lambda c: {"status": "published", "grade": "weak"}),
    Row("merge incidents", "post", lambda c: f"/reports/incidents/{c.incident.code}/merge/", MANAGE,
        lambda c: {"code": c.incident.code}),
    Row("not a duplicate", "post", lambda c: f"/reports/incidents/{c.incident.code}/not-duplicate/", MANAGE,
        lambda c: {"code": c.reported.code}),
    Row("link a document", "post", lambda c: f"/reports/incidents/{c.incident.code}/documents/", MANAGE,
        lambda c: {"document": c.document.pk, "relation": "reports"}),
    Row("sources", "get", lambda c: "/reports/sources/", page_for(ANALYSTS, 200)),
    Row("source form", "get", lambda c: "/reports/sources/new/", page_for(ANALYSTS, 200)),
    Row("source", "get", lambda c: f"/reports/sources/{c.source.pk}/", analysts_or(404)),
    Row("edit a source", "get", lambda c: f"/reports/sources/{c.source.pk}/edit/", analysts_or(403)),
    Row("document form", "get", lambda c: f"/reports/documents/new/?source={c.source.pk}", page_for(ANALYSTS, 200)),
    Row("document", "get", lambda c: f"/reports/documents/{c.document.pk}/", analysts_or(404)),
    Row("edit a document", "get", lambda c: f"/reports/documents/{c.document.pk}/edit/", analysts_or(403)),
    Row("retract a document", "post", lambda c: f"/reports/documents/{c.document.pk}/retract/", SIGNED_IN_POST,
        note),
    # No link to fetch: analysts are sent back with the reason.
    Row("archive a document", "post", lambda c: f"/reports/documents/{c.document.pk}/archive/", SIGNED_IN_POST),
    Row("record a figure", "post", lambda c: f"/reports/documents/{c.document.pk}/claims/", SIGNED_IN_POST, claim_form),
    Row("figures", "get", lambda c: "/reports/claims/", page_for(ANALYSTS, 200)),
    Row("figures export", "get", lambda c: "/reports/claims/export/", page_for(ANALYSTS, 200)),
    Row("figure", "get", lambda c: f"/reports/claims/{c.claim.pk}/", analysts_or(404)),
    Row("retract a figure", "post", lambda c: f"/reports/claims/{c.claim.pk}/retract/", SIGNED_IN_POST),
    Row("correct a figure", "post", lambda c: f"/reports/claims/{c.claim.pk}/correct/", SIGNED_IN_POST,
        lambda c: {"words": "31", "as_of": "2022-02-28T19:00"}),
    Row("assess a figure", "post", lambda c: f"/reports/claims/{c.claim.pk}/assess/", SIGNED_IN_POST,
        lambda c: {"assessment": "corroborated"}),
    Row("media", "get", lambda c: "/reports/media/", page_for(ANALYSTS, 200)),
    Row("media form", "get", lambda c: "/reports/media/new/", page_for(ANALYSTS, 200)),
    Row("media item", "get", lambda c: f"/reports/media/{c.media.pk}/", analysts_or(404)),
    Row("media file", "get", lambda c: f"/reports/media/{c.media.pk}/file/", analysts_or(404)),
    Row("link media", "post", lambda c: f"/reports/media/{c.media.pk}/link/", SIGNED_IN_POST,
        lambda c: {"code": c.incident.code, "relation": "supports"}),
    Row("media recycled", "post", lambda c: f"/reports/media/{c.media.pk}/recycled/", SIGNED_IN_POST, note),
    Row("start a verification", "post", lambda c: f"/reports/media/{c.media.pk}/verifications/", SIGNED_IN_POST,
        lambda c: {"claimed": "A shelled school"}),
    Row("edit a verification", "get", lambda c: f"/reports/verifications/{c.verification.pk}/edit/",
        analysts_or(404)),
    Row("propose a verdict", "post", lambda c: f"/reports/verifications/{c.verification.pk}/propose/",
        SIGNED_IN_POST, lambda c: {"status": "verified"}),
    Row("confirm a verdict", "post", lambda c: f"/reports/verifications/{c.verification.pk}/confirm/",
        SIGNED_IN_POST, lambda c: {"agree": "yes"}),
    Row("verifications export", "get", lambda c: "/reports/verifications/export/", page_for(ANALYSTS, 200)),
    Row("api metrics", "get", lambda c: "/api/reports/metrics", everyone(200)),
    Row("api parties", "get", lambda c: "/api/reports/parties", everyone(200)),
    Row("api parse a figure", "post", lambda c: "/api/reports/figures/parse", signed_in(200, 401),
        lambda c: {"words": "at least 240", "metric": metrics.CASUALTIES}, json=True),
    Row("api incidents", "get", lambda c: "/api/reports/incidents", everyone(200)),
    Row("api published incident", "get", lambda c: f"/api/reports/incidents/{c.incident.code}", everyone(200)),
    Row("api unreviewed incident", "get", lambda c: f"/api/reports/incidents/{c.reported.code}", HIDDEN),
    Row("api report an incident", "post", lambda c: "/api/reports/incidents", everyone(201), incident_json, json=True),
    Row("api review an incident", "post", lambda c: f"/api/reports/incidents/{c.incident.code}/review",
        api_for(ANALYSTS, 200), lambda c: {"status": Incident.Status.PUBLISHED, "grade": "fair"}, json=True),
    Row("api change an incident", "patch", lambda c: f"/api/reports/incidents/{c.incident.code}",
        api_for(ANALYSTS, 200), lambda c: {"place_text": "School No. 5"}, json=True),
    Row("api duplicates", "get", lambda c: f"/api/reports/incidents/{c.incident.code}/duplicates",
        api_for(ANALYSTS, 200)),
    Row("api merge incidents", "post", lambda c: f"/api/reports/incidents/{c.incident.code}/merge",
        api_for(ANALYSTS, 200), lambda c: {"code": c.reported.code}, json=True),
    Row("api sitreps", "get", lambda c: "/api/reports/sitreps", everyone(200)),
    Row("api published sitrep", "get", lambda c: f"/api/reports/sitreps/{c.published.pk}", everyone(200)),
    Row("api draft sitrep", "get", lambda c: f"/api/reports/sitreps/{c.draft.pk}", HIDDEN),
    Row("api draft a sitrep", "post", lambda c: "/api/reports/sitreps", api_for(ANALYSTS, 201),
        lambda c: {"organization_id": c.council.pk, "area": c.town.code, "cutoff": "2022-02-28T21:00:00+02:00"},
        json=True),
    # A sitrep's steps: the council's analysts (and the superuser); nobody else may know a draft.
    Row("api submit a sitrep", "post", lambda c: f"/api/reports/sitreps/{c.draft.pk}/submit", analysts_only(200),
        nothing, json=True),
    Row("api return a sitrep", "post", lambda c: f"/api/reports/sitreps/{c.in_review.pk}/return",
        analysts_only(200), note, json=True),
    # Its author may not approve it.
    Row("api approve a sitrep", "post", lambda c: f"/api/reports/sitreps/{c.in_review.pk}/approve",
        lambda p: {"superuser": 200, "analyst": 403, "anonymous": 401}.get(p, 404), nothing, json=True),
    Row("api publish a sitrep", "post", lambda c: f"/api/reports/sitreps/{c.approved.pk}/publish",
        analysts_only(200), nothing, json=True),
    Row("api sources", "get", lambda c: "/api/reports/sources", api_for(ANALYSTS, 200)),
    Row("api add a source", "post", lambda c: "/api/reports/sources", api_for(ANALYSTS, 201),
        lambda c: {"name_en": "A new source", "kind": "local_ngo", "scale": "local"}, json=True),
    Row("api source", "get", lambda c: f"/api/reports/sources/{c.source.pk}", ANALYSTS_ONLY),
    Row("api change a source", "patch", lambda c: f"/api/reports/sources/{c.source.pk}", analysts_only(200),
        lambda c: {"name_en": "City Council"}, json=True),
    Row("api documents", "get", lambda c: "/api/reports/documents", api_for(ANALYSTS, 200)),
    Row("api record a document", "post", lambda c: "/api/reports/documents", api_for(ANALYSTS, 201),
        lambda c: {"source_id": c.source.pk, "title": "Evening statement"}, json=True),
    Row("api document", "get", lambda c: f"/api/reports/documents/{c.document.pk}", ANALYSTS_ONLY),
    Row("api change a document", "patch", lambda c: f"/api/reports/documents/{c.document.pk}", analysts_only(200),
        lambda c: {"title": "Morning statement"}, json=True),
    Row("api retract a document", "post", lambda c: f"/api/reports/documents/{c.document.pk}/retract",
        analysts_only(200), note, json=True),
    # No link to fetch: 422 for analysts.
    Row("api archive a document", "post", lambda c: f"/api/reports/documents/{c.document.pk}/archive",
        analysts_only(422), nothing, json=True),
    Row("api claims", "get", lambda c: "/api/reports/claims", api_for(ANALYSTS, 200)),
    Row("api record a figure", "post", lambda c: "/api/reports/claims", api_for(ANALYSTS, 201),
        lambda c: {"document_id": c.document.pk, "metric": metrics.INJURED, "words": "68", "area": c.town.code,
                   "as_of": "2022-02-28T18:00:00+02:00", "basis": "documented_count"}, json=True),
    Row("api claim", "get", lambda c: f"/api/reports/claims/{c.claim.pk}", ANALYSTS_ONLY),
    Row("api correct a figure", "post", lambda c: f"/api/reports/claims/{c.claim.pk}/correct", analysts_only(201),
        lambda c: {"words": "31"}, json=True),
    Row("api retract a figure", "post", lambda c: f"/api/reports/claims/{c.claim.pk}/retract", analysts_only(200),
        note, json=True),
    Row("api assess a figure", "post", lambda c: f"/api/reports/claims/{c.claim.pk}/assess", analysts_only(200),
        lambda c: {"assessment": "corroborated"}, json=True),
    Row("api reconciliation", "get",
        lambda c: f"/api/reports/reconciliation?metric={metrics.KILLED}&area={c.town.code}",
        api_for(ANALYSTS, 200)),
    Row("api media", "get", lambda c: "/api/reports/media", api_for(ANALYSTS, 200)),
    Row("api media item", "get", lambda c: f"/api/reports/media/{c.media.pk}", ANALYSTS_ONLY),
    Row("api record media", "post", lambda c: "/api/reports/media", api_for(ANALYSTS, 201),
        lambda c: {"platform": "telegram", "url": "https://t.me/okhtyrka/1",
                   "first_seen_at": "2022-02-28T09:00:00+02:00"}),
    Row("api link media", "post", lambda c: f"/api/reports/media/{c.media.pk}/links", analysts_only(200),
        lambda c: {"incident": c.incident.code}, json=True),
    Row("api start a verification", "post", lambda c: f"/api/reports/media/{c.media.pk}/verifications",
        analysts_only(201), lambda c: {"claimed": "A shelled school"}, json=True),
    Row("api change a verification", "patch", lambda c: f"/api/reports/verifications/{c.verification.pk}",
        analysts_only(200), lambda c: {"claimed": "The school, east wing"}, json=True),
    Row("api propose a verdict", "post", lambda c: f"/api/reports/verifications/{c.verification.pk}/propose",
        analysts_only(200), lambda c: {"status": "verified"}, json=True),
    # Nothing proposed yet: 422 for analysts.
    Row("api confirm a verdict", "post", lambda c: f"/api/reports/verifications/{c.verification.pk}/confirm",
        analysts_only(422), lambda c: {"agree": True}, json=True),
]
# fmt: on

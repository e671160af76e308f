"""Role x endpoint rows for dashboards, imports and exports (see tests/matrix.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import (
    ANY_COORDINATOR,
    COUNCIL,
    MEMBERS,
    Row,
    api_for,
    everyone,
    hidden_from_others,
    only,
    page_for,
)

NEEDS_FILE = "place,item_code,quantity\nМіська рада,bread,10\n".encode()


def prepare(community) -> None:
    """Nothing up front: the rows that need an upload make it (``import_token``)."""


def import_token(c) -> str:
    """An upload waiting for its commit, the coordinator's own, made on first use: it is
    written to disk, and every upload lists the whole folder to purge old ones, so the
    rows that do not need it must not pay for it."""
    if not hasattr(c, "import_token"):
        from hromada.aid import imports

        c.import_token = imports.save_upload(c.coordinator, "needs", "needs.csv", NEEDS_FILE)
    return c.import_token


def needs_file(c):
    return {"kind": "needs", "file": SimpleUploadedFile("needs.csv", NEEDS_FILE)}


def api_file(c):
    return {"file": SimpleUploadedFile("needs.csv", NEEDS_FILE)}


# The uploader alone reaches an upload; everyone else is told it does not exist.
UPLOADER = {"coordinator"}

# fmt: off
ROWS = [
    Row("dashboard", "get", lambda c: "/dashboard/", everyone(200)),
    Row("area dashboard", "get", lambda c: f"/dashboard/?area={c.village.code}", everyone(200)),
    Row("public place dashboard", "get", lambda c: f"/dashboard/places/{c.office.pk}/", everyone(200)),
    Row("restricted place dashboard", "get", lambda c: f"/dashboard/places/{c.shelter.pk}/",
        hidden_from_others(COUNCIL, 200)),
    Row("members' place dashboard", "get", lambda c: f"/dashboard/places/{c.school.pk}/",
        hidden_from_others(MEMBERS, 200)),
    Row("needs map", "get", lambda c: "/dashboard/map/", everyone(200)),
    Row("needs GeoJSON", "get", lambda c: "/exports/needs.geojson", everyone(200)),
    Row("stock export", "get", lambda c: "/exports/stock.csv?hxl=1", page_for(MEMBERS, 200)),
    Row("stock export xlsx", "get", lambda c: "/exports/stock.csv?format=xlsx", page_for(MEMBERS, 200)),
    Row("deliveries export", "get", lambda c: "/exports/deliveries.csv", page_for(MEMBERS, 200)),
    Row("import page", "get", lambda c: "/imports/", page_for(ANY_COORDINATOR, 200)),
    Row("upload", "post", lambda c: "/imports/", page_for(ANY_COORDINATOR, 302), needs_file),
    Row("import template", "get", lambda c: "/imports/template/stock.csv", page_for(ANY_COORDINATOR, 200)),
    Row("import preview", "get", lambda c: f"/imports/{import_token(c)}/",
        only(UPLOADER, 200, others=404, anonymous=302)),
    Row("import problems", "get", lambda c: f"/imports/{import_token(c)}/problems.csv",
        only(UPLOADER, 200, others=404, anonymous=302)),
    # Everyone is sent on: the uploader to the needs board, the others back to the import page
    # ("no longer waiting"), the anonymous to sign in. Only the uploader's commit writes.
    Row("import commit", "post", lambda c: f"/imports/{import_token(c)}/commit/", everyone(302)),
    Row("import cancel", "post", lambda c: f"/imports/{import_token(c)}/cancel/", everyone(302)),
    Row("api dashboard", "get", lambda c: "/api/reports/dashboard", everyone(200)),
    Row("api restricted place dashboard", "get", lambda c: f"/api/reports/dashboard?place={c.shelter.pk}",
        hidden_from_others(COUNCIL, 200)),
    Row("api stock lots", "get", lambda c: "/api/reports/stock", api_for(MEMBERS, 200)),
    Row("api stock export", "get", lambda c: "/api/reports/stock/export?hxl=true", api_for(MEMBERS, 200)),
    Row("api deliveries", "get", lambda c: "/api/reports/deliveries", api_for(MEMBERS, 200)),
    Row("api deliveries export", "get", lambda c: "/api/reports/deliveries/export?format=xlsx",
        api_for(MEMBERS, 200)),
    Row("api needs export", "get", lambda c: "/api/reports/needs/export?hxl=true", everyone(200)),
    Row("api needs GeoJSON", "get", lambda c: "/api/reports/needs.geojson", everyone(200)),
    Row("api import check", "post", lambda c: "/api/reports/imports/needs", api_for(ANY_COORDINATOR, 200),
        api_file),
]
# fmt: on

from hromada.core import services
from tests.matrix import COUNCIL, Row, everyone, hidden_from_others, only, signed_in

# The personas whose roles ask for a second factor (core.two_factor.required).
TWO_FACTOR = {
    "coordinator", "org_admin", "doctor", "caseworker", "alert_approver", "other_coordinator",
    "superuser",
}  # fmt: skip


def prepare(c):
    c.token, _secret = services.issue_token(c.coordinator, "script")


def language(c):
    return {"language": "uk", "next": "/needs/"}


# fmt: off
ROWS = [
    Row("web app manifest", "get", lambda c: "/manifest.webmanifest", everyone(200)),
    Row("service worker", "get", lambda c: "/sw.js", everyone(200)),
    Row("home", "get", lambda c: "/", everyone(302)),
    Row("places", "get", lambda c: "/places/", everyone(200)),
    Row("places GeoJSON", "get", lambda c: "/places.geojson", everyone(200)),
    Row("public place", "get", lambda c: f"/places/{c.ward.pk}/", everyone(200)),
    Row(
        "restricted place",
        "get",
        lambda c: f"/places/{c.shelter.pk}/",
        hidden_from_others(COUNCIL, 200),
    ),
    Row("sign-in form", "get", lambda c: "/login/", everyone(200)),
    # An empty form is answered with the form again. (Not a wrong password: failures are
    # counted per address in the cache, which outlives the test.)
    Row("sign in, empty form", "post", lambda c: "/login/", everyone(200), lambda c: {}),
    Row("sign out", "post", lambda c: "/logout/", everyone(302)),
    Row("language", "post", lambda c: "/language/", everyone(302), language),
    Row("account", "get", lambda c: "/account/", signed_in(200, 302)),
    Row("password change form", "get", lambda c: "/account/password/", signed_in(200, 302)),
    # A wrong old password: the form again, nothing changed.
    Row("change password", "post", lambda c: "/account/password/", signed_in(200, 302),
        lambda c: {"old_password": "wrong", "new_password1": "x", "new_password2": "x"}),
    Row("password changed", "get", lambda c: "/account/password/done/", signed_in(200, 302)),
    Row("password reset form", "get", lambda c: "/account/password/reset/", everyone(200)),
    # Not an address: the form again. (A real one counts against the hourly limit per client.)
    Row("ask for a reset", "post", lambda c: "/account/password/reset/", everyone(200),
        lambda c: {"email": "not an address"}),
    Row("reset mail sent", "get", lambda c: "/account/password/reset/sent/", everyone(200)),
    # A forged link: the page says the link is not valid.
    Row("reset link, forged", "get", lambda c: f"/account/password/reset/{c.coordinator.pk}/forged-token/",
        everyone(200)),
    Row("reset complete", "get", lambda c: "/account/password/reset/complete/", everyone(200)),
    # A verified session (or one that owes nothing) is sent on to where it was going.
    Row("two-factor code", "get", lambda c: "/account/two-factor/", everyone(302)),
    Row("two-factor code, wrong", "post", lambda c: "/account/two-factor/", everyone(302),
        lambda c: {"code": "000000"}),
    # Set-up is for the roles that must have it (the others are sent to their account).
    Row("two-factor set-up", "get", lambda c: "/account/two-factor/setup/",
        only(TWO_FACTOR, 200, others=302, anonymous=302)),
    Row("two-factor set-up, wrong code", "post", lambda c: "/account/two-factor/setup/",
        only(TWO_FACTOR, 200, others=302, anonymous=302), lambda c: {"code": "000000"}),
    # New recovery codes: for whoever has an authenticator (the personas who must).
    Row("new recovery codes", "post", lambda c: "/account/two-factor/codes/",
        only(TWO_FACTOR, 200, others=302, anonymous=302)),
    Row("tokens", "get", lambda c: "/account/tokens/", signed_in(200, 302)),
    Row("my data", "get", lambda c: "/account/data/", signed_in(200, 302)),
    Row("download my data", "post", lambda c: "/account/data/", signed_in(200, 302)),
    Row(
        "create token",
        "post",
        lambda c: "/account/tokens/",
        signed_in(200, 302),
        lambda c: {"name": "x"},
    ),
    # Only its owner may revoke a token; others may not learn it exists.
    Row("revoke token", "post", lambda c: f"/account/tokens/{c.token.pk}/revoke/",
        only({"coordinator"}, 302, others=404, anonymous=302)),
    Row("admin", "get", lambda c: "/admin/", lambda p: 200 if p == "superuser" else 302),
    # ninja's root answers a JSON 404 (nothing lives there).
    Row("api root", "get", lambda c: "/api/", everyone(404)),
    Row("api docs", "get", lambda c: "/api/docs", everyone(200)),
    Row("api OpenAPI document", "get", lambda c: "/api/openapi.json", everyone(200)),
    Row("api places", "get", lambda c: "/api/places", everyone(200)),
    Row("api public place", "get", lambda c: f"/api/places/{c.ward.pk}", everyone(200)),
    Row(
        "api restricted place",
        "get",
        lambda c: f"/api/places/{c.shelter.pk}",
        hidden_from_others(COUNCIL, 200),
    ),
    Row("api areas", "get", lambda c: "/api/areas", everyone(200)),
    Row("api me", "get", lambda c: "/api/me", lambda p: 401 if p == "anonymous" else 200),
]
# fmt: on

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hromada.core.models import ApiToken, AuditEvent

ALLOWED_COOKIES = {
    settings.SESSION_COOKIE_NAME,
    settings.CSRF_COOKIE_NAME,
    settings.LANGUAGE_COOKIE_NAME,
}


def test_login_and_logout_are_audited_and_a_failed_login_too(community, client, password):
    client.post(reverse("core:login"), {"username": "coordinator", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "coordinator", "password": password})
    assert response.status_code == 302
    client.post(reverse("core:logout"))
    actions = list(AuditEvent.objects.order_by("at", "pk").values_list("action", "actor__username"))
    assert actions == [
        ("auth.login_failed", None),
        ("auth.login", "coordinator"),
        ("auth.logout", "coordinator"),
    ]
    assert AuditEvent.objects.get(action="auth.login_failed").details == {"username": "coordinator"}


def test_only_session_csrf_and_language_cookies_are_ever_set(community, client, password):
    seen = set()
    for response in (
        client.get(reverse("aid:needs-board")),
        client.get(reverse("core:login")),
        client.post(reverse("core:login"), {"username": "coordinator", "password": password}),
        client.get(reverse("aid:need-create")),
        client.post(reverse("core:set-language"), {"language": "en", "next": "/"}),
    ):
        seen |= set(response.cookies)
    assert seen
    assert seen <= ALLOWED_COOKIES


def test_every_page_forbids_third_party_resources(community, client):
    policy = client.get(reverse("aid:needs-board"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    scripts = directives["script-src"].split()
    assert scripts[0] == "'self'" and scripts[1].startswith("'nonce-") and len(scripts) == 2
    assert "unsafe" not in policy and "http" not in policy
    assert (
        client.get(reverse("aid:needs-board"))["Content-Security-Policy"] != policy
    )  # a fresh nonce


def test_the_language_switch_is_remembered_for_a_signed_in_user(community, as_user):
    client = as_user(community.coordinator)
    response = client.post(reverse("core:set-language"), {"language": "uk", "next": "/places/"})
    assert response["Location"] == "/places/"
    community.coordinator.refresh_from_db()
    assert community.coordinator.language == "uk"
    assert (
        client.get(reverse("core:place-list"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"]
        == "uk"
    )


def test_the_language_switch_never_redirects_off_site(community, client):
    response = client.post(
        reverse("core:set-language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("language", ["uk", "en"])
def test_error_pages_speak_the_visitors_language(community, client, language):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    with translation.override(language):
        assert (
            translation.gettext("This page does not exist, or you may not see it.")
            in response.content.decode()
        )
    assert response["Content-Language"] == language


def test_a_host_we_do_not_serve_gets_the_400_page_not_a_crash(db, client):
    # Refused before the user is known: the error page must not need one.
    response = client.get("/needs/", HTTP_HOST="attacker.example", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    with translation.override("en"):
        assert translation.gettext("The request could not be understood.") in response.text


def test_api_errors_are_json_even_for_unknown_paths(client):
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_place_pages_never_show_a_restricted_place_to_outsiders(community, as_user):
    anonymous = as_user(community.anonymous)
    listing = anonymous.get(reverse("core:place-list")).content.decode()
    assert "Лікарня" in listing and "Школа № 5" not in listing and "Укриття № 1" not in listing
    assert (
        anonymous.get(reverse("core:place-detail", args=[community.shelter.pk])).status_code == 404
    )
    assert (
        anonymous.get(reverse("core:place-detail", args=[community.school.pk])).status_code == 404
    )
    assert (
        as_user(community.volunteer)
        .get(reverse("core:place-detail", args=[community.shelter.pk]))
        .status_code
        == 404
    )


def test_reading_a_non_public_place_is_audited(community, as_user):
    as_user(community.analyst).get(reverse("core:place-detail", args=[community.shelter.pk]))
    as_user(community.analyst).get(reverse("core:place-detail", args=[community.ward.pk]))
    events = AuditEvent.objects.filter(action="place.viewed")
    assert [(e.actor, e.object_id) for e in events] == [
        (community.analyst, str(community.shelter.pk))
    ]


def test_a_user_creates_and_revokes_a_token_that_is_shown_once(community, as_user):
    client = as_user(community.coordinator)
    response = client.post(reverse("core:tokens"), {"name": "склад"})
    secret = response.context["secret"]
    assert secret.startswith("hmd_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert (
        token.digest != secret and secret not in client.get(reverse("core:tokens")).content.decode()
    )
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post(reverse("core:token-revoke", args=[token.pk]))
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "token.issued",
        "token.revoked",
    }


def test_nobody_revokes_another_users_token(community, as_user):
    client = as_user(community.coordinator)
    client.post(reverse("core:tokens"), {"name": "склад"})
    token = ApiToken.objects.get()
    assert (
        as_user(community.volunteer).post(reverse("core:token-revoke", args=[token.pk])).status_code
        == 404
    )
    token.refresh_from_db()
    assert token.revoked_at is None


def test_account_settings_refuse_an_unknown_time_zone(community, as_user):
    client = as_user(community.coordinator)
    response = client.post(
        reverse("core:account"),
        {"name": "Наталія", "phone": "", "language": "uk", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 200 and response.context["form"].errors["time_zone"]
    response = client.post(
        reverse("core:account"),
        {"name": "Наталія", "phone": "", "language": "uk", "time_zone": "Europe/Warsaw"},
    )
    assert response.status_code == 302
    community.coordinator.refresh_from_db()
    assert (community.coordinator.name, community.coordinator.time_zone) == (
        "Наталія",
        "Europe/Warsaw",
    )


def test_the_places_geojson_holds_only_what_the_visitor_may_see(community, as_user):
    data = as_user(community.anonymous).get(reverse("core:places-geojson")).json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"Міська рада", "Лікарня", "Пункт видачі", "Пункт іншої ГО"}
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert (lon, lat) == (34.89, 50.31)  # GeoJSON puts longitude first
    analyst = {
        f["properties"]["name"]
        for f in as_user(community.analyst).get(reverse("core:places-geojson")).json()["features"]
    }
    assert "Укриття № 1" in analyst

"""The screens: a secret URL per display, the alerts for its area and categories in its
languages, standing messages between alerts, a page that works without JavaScript, a small
JSON state for the script, and check-ins the operator sees."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hromada.alerts import services
from hromada.alerts.models import Display
from hromada.alerts.tests.factories import make_display, published


def screen_url(display: Display) -> str:
    return reverse("alerts:screen", args=[display.token])


def state_url(display: Display) -> str:
    return reverse("alerts:screen-state", args=[display.token])


@pytest.fixture
def display(community) -> Display:
    return make_display(
        organization=community.council,
        area=community.town,
        standing_messages="Укриття № 2 відкрите цілодобово\nХліб — щодня з 7:00",
    )


def test_the_screen_shows_alerts_in_its_languages_with_severity_and_end_time(
    community, as_user, display
):
    alert = published(community, areas=[community.hromada])
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()

    assert 'class="screen-alert sev-extreme"' in html
    assert alert.info("uk").headline in html and alert.info("en").headline in html
    assert html.index(alert.info("uk").headline) < html.index(alert.info("en").headline)
    assert timezone.localtime(alert.expires_at).strftime("%H:%M") in html
    assert "Укриття № 2" in html  # standing messages are in the page, hidden while alerts show
    assert '<section class="screen-standing" hidden' in html


def test_the_screen_works_without_javascript(community, as_user, display):
    response = as_user(community.anonymous).get(screen_url(display))
    html = response.content.decode()
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert '<script src="/static/alerts/screen.js" defer></script>' in html
    assert "<script>" not in html  # the Content-Security-Policy would block an inline script
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_between_alerts_the_screen_shows_the_standing_messages(community, as_user, display):
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()
    assert '<section class="screen-standing" aria-label' in html
    assert "Укриття № 2 відкрите цілодобово" in html and "Хліб — щодня з 7:00" in html


def test_the_screen_shows_only_alerts_for_its_area_and_categories(community, as_user, display):
    published(community, areas=[community.village], headline_uk="Лише село")
    published(community, areas=[community.oblast], headline_uk="Вся область")
    display.categories = ["Health"]
    display.save()
    published(community, areas=[community.town], category="Health", headline_uk="Вода в місті")

    html = as_user(community.anonymous).get(screen_url(display)).content.decode()

    assert "Вода в місті" in html
    assert "Лише село" not in html and "Вся область" not in html  # Security, not Health


def test_exercises_tests_and_restricted_alerts_never_reach_a_screen(community, as_user, display):
    published(community, status="Exercise", headline_uk="Навчання")
    published(community, scope="Restricted", restriction="Рятувальники", headline_uk="Для своїх")
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()
    assert "Навчання" not in html and "Для своїх" not in html


def test_a_long_description_scrolls(community, as_user, display):
    published(community, description_uk="Дуже довгий опис. " * 30)
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()
    assert 'class="screen-description ticker ticker-m"' in html


def test_the_state_changes_version_when_an_alert_is_published_or_cancelled(
    community, as_user, display
):
    client = as_user(community.anonymous)
    empty = client.get(state_url(display)).json()
    assert empty["alerts"] == 0 and "screen-standing" in empty["html"]
    assert (
        client.get(state_url(display), {"v": empty["version"]}).json()["html"] is None
    )  # unchanged

    alert = published(community)
    fresh = client.get(state_url(display), {"v": empty["version"]}).json()
    assert fresh["alerts"] == 1 and alert.info("uk").headline in fresh["html"]
    assert fresh["version"] != empty["version"]

    cancel, _ = services.start_follow_up(community.alert_author, alert, msg_type="Cancel")
    services.submit_alert(community.alert_author, cancel)
    services.approve_alert(community.alert_approver, cancel)
    gone = client.get(state_url(display), {"v": fresh["version"]}).json()
    assert gone["alerts"] == 0 and gone["version"] == empty["version"]


def test_an_alert_leaves_the_screen_when_it_expires(community, as_user, display, monkeypatch):
    alert = published(community, expires=timezone.now() + datetime.timedelta(minutes=10))
    client = as_user(community.anonymous)
    assert client.get(state_url(display)).json()["alerts"] == 1

    later = alert.expires_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(state_url(display)).json()["alerts"] == 0


def test_each_alert_on_the_screen_carries_its_expiry_for_the_script(community, as_user, display):
    alert = published(community)
    html = as_user(community.anonymous).get(state_url(display)).json()["html"]
    assert f'data-expires="{timezone.localtime(alert.expires_at).isoformat()}"' in html


def test_a_wrong_or_rotated_token_shows_nothing(community, as_user, display):
    client = as_user(community.anonymous)
    old = screen_url(display)
    services.rotate_display_token(community.alert_author, display)
    assert client.get(old).status_code == 404
    assert client.get(reverse("alerts:screen", args=["guess"])).status_code == 404
    assert client.get(screen_url(display)).status_code == 200
    display.is_active = False
    display.save()
    assert client.get(screen_url(display)).status_code == 404


def test_check_ins_are_recorded_at_most_every_thirty_seconds(community, as_user, display):
    client = as_user(community.anonymous)
    client.get(screen_url(display), HTTP_USER_AGENT="Billboard/1.0")
    display.refresh_from_db()
    first = display.last_seen_at
    assert first is not None and display.last_user_agent == "Billboard/1.0"
    assert not display.is_dark()

    client.get(state_url(display))
    display.refresh_from_db()
    assert display.last_seen_at == first  # within 30 s: no write

    assert services.record_checkin(
        display, ip=None, user_agent="x", now=first + datetime.timedelta(seconds=31)
    )
    assert display.is_dark(now=first + datetime.timedelta(minutes=5))


def test_the_operator_sees_which_screens_are_dark(community, as_user, display):
    silent = make_display(organization=community.council, name="Екран на вокзалі")
    as_user(community.anonymous).get(screen_url(display))
    html = as_user(community.alert_author).get(reverse("alerts:display-list")).content.decode()
    row = html[html.index("Екран на вокзалі") :]
    assert "Dark" in row[: row.index("</tr>")]
    assert html.count('class="alive"') == 1 and silent.last_seen_at is None


def test_display_urls_are_shown_only_to_the_organisations_alert_staff(community, as_user, display):
    url = reverse("alerts:display-edit", args=[display.pk])
    assert display.token in as_user(community.alert_approver).get(url).content.decode()
    for persona in ("volunteer", "other_coordinator", "coordinator"):
        assert as_user(getattr(community, persona)).get(url).status_code in (403, 404)


def test_a_display_is_created_and_changed_through_the_form(community, as_user):
    client = as_user(community.alert_author)
    response = client.post(
        reverse("alerts:display-create"),
        {
            "name": "Білборд",
            "organization": community.council.pk,
            "area": community.town.pk,
            "languages": ["uk", "ru"],
            "standing_messages": "Разом ми — сила",
            "is_active": "on",
            "idempotency_key": "display-key-01",
        },
    )
    display = Display.objects.get()
    assert response["Location"] == reverse("alerts:display-edit", args=[display.pk])
    assert display.languages == ["uk", "ru"] and display.created_by == community.alert_author

    response = client.post(
        reverse("alerts:display-edit", args=[display.pk]),
        {
            "name": "Білборд",
            "organization": community.council.pk,
            "languages": ["uk"],
            "standing_messages": "<script>x</script>",
        },
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"standing_messages"}
    assert Display.objects.get().standing_messages == "Разом ми — сила"


def test_the_screen_speaks_the_displays_first_language(community, as_user, display):
    display.languages = ["en", "uk"]
    display.save()
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()
    assert '<html lang="en">' in html and "last updated" in html


def test_the_screens_list_costs_a_fixed_number_of_queries(
    community, as_user, django_assert_num_queries
):
    for n in range(4):
        make_display(organization=community.council, name=f"Екран {n}", area=community.town)
    client = as_user(community.alert_author)
    client.get(reverse("alerts:display-list"))
    # session, user, roles (read once per request), the displays with their area and owner
    with django_assert_num_queries(4):
        response = client.get(reverse("alerts:display-list"))
    assert response.content.decode().count('class="dark"') == 4


def test_a_screen_poll_costs_a_fixed_number_of_queries(
    community, as_user, display, django_assert_num_queries
):
    for n in range(3):
        published(community, areas=[community.town], headline_uk=f"Тривога {n}")
    client = as_user(community.anonymous)
    client.get(state_url(display))
    # the display; the check-in (a conditional update); current alerts; infos; their areas
    with django_assert_num_queries(5):
        assert client.get(state_url(display)).json()["alerts"] == 3


def test_an_announced_event_shows_when_it_begins(community, as_user, display):
    display.languages = ["en"]
    display.save()
    onset = timezone.now() + datetime.timedelta(hours=2)
    published(
        community, severity="Moderate", category="Infra", onset=onset, headline_uk="Вимкнення води"
    )
    html = as_user(community.anonymous).get(screen_url(display)).content.decode()
    from hromada.alerts.templatetags.alerts_tags import clock

    assert f"from {clock(onset)}" in html

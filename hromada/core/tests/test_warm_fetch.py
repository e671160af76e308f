"""A page the service worker fetches ahead (``X-Hromada-Warm``) leaves the waiting messages for
the page the person opens next: "Your settings are saved." is not used up by a warm-up."""

import pytest

pytestmark = pytest.mark.django_db

SAVED = "Your settings are saved."


def test_a_warm_fetch_neither_shows_nor_uses_up_the_waiting_message(community, as_user):
    client = as_user(community.coordinator)
    client.post(
        "/account/",
        {"name": "Олена", "phone": "", "language": "en", "time_zone": "Europe/Kyiv"},
    )
    warm = client.get("/needs/", headers={"X-Hromada-Warm": "1"})
    assert warm.status_code == 200
    assert SAVED not in warm.content.decode()
    assert SAVED in client.get("/account/").content.decode()
    assert SAVED not in client.get("/account/").content.decode()  # shown once

"""Sign-ups and the contact directory's search are rate-limited per connection."""

import json

from django.test import override_settings
from django.urls import reverse

from hromada.volunteers.models import Volunteer
from hromada.volunteers.tests.factories import make_desk


def signup(community, phone):
    return {
        "organization": community.council.pk,
        "name": "Іван Петренко",
        "phone": phone,
        "consent": "on",
    }


@override_settings(RATE_LIMITS={"volunteer-signup": (2, 3600)})
def test_the_sign_up_past_the_limit_is_refused_and_saves_nobody(community, as_user):
    make_desk(community.council)
    client = as_user(community.anonymous)
    url = reverse("volunteers:signup")
    assert client.post(url, signup(community, "050 765 4321")).status_code == 302
    assert client.post(url, signup(community, "050 765 4322")).status_code == 302

    refused = client.post(url, signup(community, "050 765 4323"))

    assert refused.status_code == 429 and refused["Retry-After"]
    assert "050 765 4323" in refused.content.decode()
    by_api = client.post(
        "/api/volunteers/signup",
        json.dumps(
            {
                "organization_id": community.council.pk,
                "name": "X",
                "phone": "0507654324",
                "consent": True,
            }
        ),
        content_type="application/json",
    )
    assert by_api.status_code == 429
    assert Volunteer.objects.count() == 2
    other = client.post(url, signup(community, "050 765 4325"), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and Volunteer.objects.count() == 3


@override_settings(RATE_LIMITS={"directory-search": (2, 60)})
def test_the_directory_search_is_limited_per_connection(community, as_user):
    client = as_user(community.anonymous)
    url = reverse("volunteers:directory")
    assert client.get(url, {"q": "лікар"}).status_code == 200
    assert client.get("/api/directory", {"q": "лікар"}).status_code == 200
    refused = client.get(url, {"q": "лікар"})
    assert refused.status_code == 429 and "Too many searches" in refused.content.decode()
    assert client.get(url, {"q": "лікар"}, REMOTE_ADDR="198.51.100.7").status_code == 200

"""The needs board and "needed most" are rendered once for every anonymous visitor
(hromada.lib.pagecache): after a strike the whole town opens them at once."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from hromada.aid.services import needs as need_services
from hromada.aid.tests.factories import item, make_need
from hromada.lib import pagecache

BOARD = reverse("aid:needs-board")
MOST = reverse("aid:needed-most")


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.fixture
def anonymous(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.mark.parametrize("path", [BOARD, MOST])
def test_a_second_anonymous_visitor_is_served_without_touching_the_database(
    community, anonymous, path, django_assert_num_queries
):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    assert "Insulin" in anonymous.get(path).text  # rendered, and kept
    with django_assert_num_queries(0):
        second = anonymous.get(path)
    assert second.status_code == 200 and "Insulin" in second.text


def test_each_visitor_gets_their_own_nonce_and_a_csrf_token_that_works(community, client):
    make_need(place=community.ward, item=item("insulin"))
    first, second = client.get(BOARD), client.get(BOARD)
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        assert f'nonce="{nonce_of(response)}"' in response.text
        assert "hromada-nonce" not in response.text and "hromada-csrf" not in response.text
    # The language switch on the kept page posts with a token made for this visitor.
    strict = type(client)(enforce_csrf_checks=True)
    page = strict.get(BOARD)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    switched = strict.post(
        reverse("core:set-language"),
        {"language": "en", "next": BOARD, "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302


def test_a_new_need_reaches_the_kept_board_at_once(community, anonymous):
    make_need(place=community.ward, item=item("insulin"))
    assert "Blankets" not in anonymous.get(BOARD).text
    make_need(place=community.hub, item=item("blankets"))
    assert "Blankets" in anonymous.get(BOARD).text


def test_goods_received_for_a_need_reach_the_kept_board(community, anonymous):
    need = make_need(place=community.ward, item=item("insulin"), quantity=Decimal(100))
    assert "covered" not in anonymous.get(BOARD).text
    with transaction.atomic():
        need_services.add_coverage(need, Decimal(40))
    assert "(40 of 100 covered)" in anonymous.get(BOARD).text


def test_the_kept_pages_are_dropped_again_when_the_writing_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    # Another visitor's connection may render the board between a write and its commit, and
    # keep it without the write: the commit moves the version once more. Once per
    # transaction, however many needs it writes.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for code in ("insulin", "blankets", "candles"):
            make_need(item=item(code))
        written = pagecache._version("needs")
    assert len([c for c in callbacks if getattr(c, "pagecache_scope", None)]) == 1
    assert pagecache._version("needs") == written + 1


def test_an_import_moves_the_version_once_at_its_end(db, django_capture_on_commit_callbacks):
    before = pagecache._version("needs")
    with django_capture_on_commit_callbacks(execute=True), pagecache.batch("needs"):
        for code in ("insulin", "blankets", "candles"):
            make_need(item=item(code))
        assert pagecache._version("needs") == before  # nothing moves during the batch
    assert pagecache._version("needs") == before + 2  # at its end, and at the commit


def test_signed_in_users_are_never_served_the_anonymous_page(community, needs_for_members, as_user):
    assert "Power bank" not in as_user(community.anonymous).get(BOARD).text
    assert "Power bank" in as_user(community.volunteer).get(BOARD).text


def test_each_language_and_each_filter_has_its_own_page(community, client):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.hub, item=item("blankets"), priority="low")
    english = client.get(BOARD, HTTP_ACCEPT_LANGUAGE="en").text
    ukrainian = client.get(BOARD, HTTP_ACCEPT_LANGUAGE="uk").text
    assert "What is needed" in english and "What is needed" not in ukrainian
    critical = client.get(BOARD, {"priority": "critical"}, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Insulin" in critical and "Blankets" not in critical
    assert "Blankets" in client.get(BOARD, HTTP_ACCEPT_LANGUAGE="en").text


@pytest.fixture
def needs_for_members(community):
    make_need(place=community.ward, item=item("insulin"))
    make_need(place=community.office, item=item("power-bank"), visibility="members")

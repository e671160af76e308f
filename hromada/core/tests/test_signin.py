"""Sign-in throttling and the password reset: guessing costs time, nobody learns who has an
account, and a forgotten password comes back by mail in its reader's language."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from hromada.core.models import AuditEvent
from hromada.core.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def english() -> Client:
    return Client(headers={"accept-language": "en"})


def sign_in(client: Client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_name_even_for_the_right_one():
    user = make_user(username="olena")
    client = english()
    for _ in range(5):
        response = sign_in(client, "olena", "wrong")
        assert response.status_code == 200
        assert "Too many" not in response.content.decode()
    response = sign_in(client, "olena", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address too: the lock is on the name, not only the address.
    assert "Too many" in sign_in(english(), "OLENA ", PASSWORD, ip="203.0.113.9").content.decode()
    locked = AuditEvent.objects.filter(action="signin.locked")
    assert locked.count() == 1
    assert locked.get().details["username"] == "olena"
    assert user.pk  # the account itself is untouched


def test_a_name_without_an_account_locks_the_same_way():
    client = english()
    for _ in range(5):
        sign_in(client, "nobody-here", "guess")
    body = sign_in(client, "nobody-here", "guess").content.decode()
    assert "Too many failed sign-ins" in body


def test_a_successful_sign_in_forgets_the_earlier_failures():
    make_user(username="petro")
    for _ in range(4):
        sign_in(english(), "petro", "wrong")
    assert sign_in(english(), "petro", PASSWORD).status_code == 302
    for _ in range(4):
        sign_in(english(), "petro", "wrong")
    assert sign_in(english(), "petro", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_ADDRESS=6)
def test_one_address_trying_many_names_is_stopped():
    make_user(username="taras")
    client = english()
    for n in range(6):
        sign_in(client, f"name{n}", "guess")
    assert "Too many" in sign_in(client, "taras", PASSWORD).content.decode()
    # Someone else, elsewhere, signs in as usual.
    assert sign_in(english(), "taras", PASSWORD, ip="192.0.2.1").status_code == 302


@override_settings(LOGIN_LOCKOUT_SECONDS=1)
def test_the_lock_ends_when_its_window_does():
    make_user(username="iryna")
    for _ in range(5):
        sign_in(english(), "iryna", "wrong")
    assert "Too many" in sign_in(english(), "iryna", PASSWORD).content.decode()
    time.sleep(1.2)
    assert sign_in(english(), "iryna", PASSWORD).status_code == 302


def test_the_lock_message_is_in_the_readers_language():
    for _ in range(5):
        sign_in(english(), "mykola", "wrong")
    client = Client(headers={"accept-language": "uk"})
    body = client.post(
        LOGIN, {"username": "mykola", "password": "x"}, REMOTE_ADDR="198.51.100.7"
    ).content.decode()
    assert "Забагато невдалих спроб увійти" in body


def reset(client: Client, email: str, ip: str = "198.51.100.7"):
    return client.post(reverse("core:password-reset"), {"email": email}, REMOTE_ADDR=ip)


def test_a_reset_answers_the_same_whether_or_not_the_address_has_an_account(mailoutbox):
    make_user(username="maria", email="maria@example.org", language="en")
    known = reset(english(), "maria@example.org")
    unknown = reset(english(), "stranger@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("core:password-reset-sent")
    assert [m.to for m in mailoutbox] == [["maria@example.org"]]


def test_the_reset_link_sets_a_new_password_once(mailoutbox):
    make_user(username="anna", email="anna@example.org", language="en")
    reset(english(), "anna@example.org")
    (mail,) = mailoutbox
    assert "anna" in mail.body
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.body).group(1)
    client = english()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new = "a-much-better-passphrase-2026"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your new password is saved." in done.content.decode()
    assert sign_in(english(), "anna", new).status_code == 302
    again = english().get(link, follow=True)
    assert "This link has been used already or is too old." in again.content.decode()


def test_the_reset_mail_is_in_the_language_its_reader_chose(mailoutbox):
    make_user(username="oksana", email="oksana@example.org", language="uk")
    Client(headers={"accept-language": "en"}).post(
        reverse("core:password-reset"), {"email": "oksana@example.org"}
    )
    (mail,) = mailoutbox
    assert "новий пароль" in (mail.subject + mail.body).lower()


def test_the_reset_form_cannot_flood_an_inbox(mailoutbox):
    make_user(username="ivan", email="ivan@example.org")
    for n in range(5):
        assert reset(english(), "ivan@example.org", ip=f"192.0.2.{n}").status_code == 302
    assert len(mailoutbox) == 3


def test_behind_our_proxy_each_visitor_is_counted_by_their_own_address(rf, settings):
    from hromada.core.services import client_ip

    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    # The client may write anything to the left; our proxy appends the address it saw.
    forged = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    assert client_ip(forged) == "203.0.113.7"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
    # Not from our proxy: the header is the client's own words and is ignored.
    direct = rf.get("/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(direct) == "198.51.100.9"


def test_two_visitors_behind_the_proxy_do_not_lock_each_other_out(client, settings, community):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        client.post(
            LOGIN,
            {"username": "someone", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    other = client.post(
        LOGIN,
        {"username": "volunteer", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )
    assert other.status_code == 302, "the guesser's address is locked, not the proxy's"

"""Two-factor sign-in: who must give a code, what an unverified session reaches, and how
codes, recovery codes, throttling and resets behave."""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hromada.core import two_factor
from hromada.core.models import AuditEvent, Membership, Role
from hromada.core.services import issue_token
from hromada.core.tests.factories import make_user

pytestmark = pytest.mark.django_db


def code_now(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_sign_in(user, password) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("core:login"), {"username": user.username, "password": password})
    assert response.status_code == 302, "the password step signs in"
    return client


@pytest.mark.parametrize(
    "role,asked",
    [
        (Role.COORDINATOR, True),
        (Role.CASEWORKER, True),
        (Role.ALERT_APPROVER, True),
        (Role.ORG_ADMIN, True),
        (Role.VOLUNTEER, False),
        (Role.ANALYST, False),
        (Role.ALERT_AUTHOR, False),
    ],
)
def test_the_roles_that_reach_people_or_speak_for_the_town_must_give_a_second_factor(
    community, role, asked
):
    user = make_user(roles={community.council: [role]})
    assert two_factor.required(user) is asked
    assert two_factor.required(community.superuser)
    assert not two_factor.required(community.outsider)


def test_a_coordinator_without_an_authenticator_is_sent_to_set_one_up_and_nowhere_else(
    community, password
):
    client = password_sign_in(community.coordinator, password)
    board = client.get(reverse("aid:needs-board"))
    assert board.status_code == 302
    assert board["Location"].startswith(reverse("core:two-factor-setup"))
    assert "next=" in board["Location"]
    shelter = client.get(reverse("core:place-detail", args=[community.shelter.pk]))
    assert shelter.status_code == 302 and "two-factor" in shelter["Location"]
    api = client.get("/api/needs")
    assert api.status_code == 403
    assert "authenticator" in api.json()["detail"]

    setup = client.get(reverse("core:two-factor-setup"))
    assert setup.status_code == 200
    page = setup.content.decode()
    assert 'src="data:image/svg+xml' in page, "the QR code is drawn here, not fetched"
    assert not TOTPDevice.objects.filter(user=community.coordinator).exists(), "nothing stored yet"
    device = TOTPDevice(key=client.session[two_factor.PENDING_KEY])
    assert two_factor.secret_text(device).replace(" ", "") in page.replace(" ", "")

    wrong = client.post(reverse("core:two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=community.coordinator, confirmed=True).exists()

    done = client.post(reverse("core:two-factor-setup"), {"code": code_now(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]+)</code>", done.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODES
    assert client.get(reverse("aid:needs-board")).status_code == 200
    assert client.get("/api/needs").status_code == 200
    assert AuditEvent.objects.filter(actor=community.coordinator, action="2fa.enrolled").exists()


def test_a_signed_in_coordinator_gives_the_code_and_lands_where_they_were_going(
    community, password
):
    device = TOTPDevice.objects.create(user=community.coordinator, name="phone", confirmed=True)
    client = password_sign_in(community.coordinator, password)
    target = reverse("core:place-detail", args=[community.shelter.pk])
    to_code = client.get(target)
    assert to_code["Location"] == f"{reverse('core:two-factor')}?next={target.replace('/', '%2F')}"
    # Whoever knows the password alone cannot put their own phone in place of the owner's.
    assert client.get(reverse("core:two-factor-setup"))["Location"].startswith(
        reverse("core:two-factor")
    )

    wrong = client.post(reverse("core:two-factor"), {"code": "123456", "next": target})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert AuditEvent.objects.filter(actor=community.coordinator, action="2fa.failed").exists()

    session_before = client.cookies["hromada_session"].value
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code's wait is tested on its own
    device.save()
    right = client.post(reverse("core:two-factor"), {"code": code_now(device), "next": target})
    assert right.status_code == 302 and right["Location"] == target
    assert client.get(target).status_code == 200
    assert client.cookies["hromada_session"].value != session_before, "a new session key"


def test_the_code_page_does_not_let_the_phone_fetch_ahead_with_the_session_it_renews(
    community, password
):
    # Giving the code renews the session key; a page-ahead fetch (hromada-offline.js, for a
    # page naming its user) still carrying the old key would be answered by deleting the new
    # session's cookie, signing the person out again. The code page names nobody.
    device = TOTPDevice.objects.create(user=community.coordinator, name="phone", confirmed=True)
    client = password_sign_in(community.coordinator, password)
    owed = client.get(reverse("core:two-factor"))
    assert owed.status_code == 200 and 'data-user=""' in owed.text
    client.post(reverse("core:two-factor"), {"code": code_now(device), "next": "/account/"})
    signed_in = client.get(reverse("core:account"))
    assert f'data-user="{community.coordinator.pk}"' in signed_in.text


def test_a_code_works_once_and_wrong_codes_make_the_next_try_wait(community, password):
    device = TOTPDevice.objects.create(user=community.caseworker, name="phone", confirmed=True)
    code = code_now(device)
    first = password_sign_in(community.caseworker, password)
    assert first.post(reverse("core:two-factor"), {"code": code}).status_code == 302

    thief = password_sign_in(community.caseworker, password)
    replay = thief.post(reverse("core:two-factor"), {"code": code})
    assert replay.status_code == 200, "a code seen once (over a shoulder) is spent"
    again = thief.post(reverse("core:two-factor"), {"code": code_now(device, steps_ahead=1)})
    assert again.status_code == 200
    assert "Too many wrong codes" in again.content.decode()
    assert thief.get(reverse("tracing:inquiry-list")).status_code == 302


def test_a_recovery_code_signs_in_once(community, password):
    user = community.alert_approver
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.get(reverse("core:two-factor-setup"))
    device = TOTPDevice(key=client.session[two_factor.PENDING_KEY])
    setup = client.post(reverse("core:two-factor-setup"), {"code": code_now(device)})
    codes = re.findall(r"<code>([a-z0-9]+)</code>", setup.content.decode())

    other = password_sign_in(user, password)
    assert other.post(reverse("core:two-factor"), {"code": codes[0].upper()}).status_code == 302
    assert AuditEvent.objects.filter(actor=user, action="2fa.recovery_code_used").exists()
    assert StaticToken.objects.filter(device__user=user).count() == two_factor.RECOVERY_CODES - 1

    third = password_sign_in(user, password)
    assert third.post(reverse("core:two-factor"), {"code": codes[0]}).status_code == 200


def test_volunteers_sign_in_with_a_password_alone(community, password):
    client = password_sign_in(community.volunteer, password)
    assert client.get(reverse("core:account")).status_code == 200


def test_a_role_granted_during_a_session_asks_for_the_second_factor_on_the_next_page(
    community, password
):
    client = password_sign_in(community.volunteer, password)
    Membership.objects.filter(user=community.volunteer).update(roles=[Role.COORDINATOR])
    response = client.get(reverse("core:account"))
    assert response.status_code == 302 and "two-factor" in response["Location"]


def test_a_personal_token_is_a_credential_of_its_own(community):
    _token, raw = issue_token(community.coordinator, "hub laptop")
    response = Client().get("/api/needs", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_new_recovery_codes_replace_the_old_ones(community, as_user):
    client = as_user(community.coordinator)
    response = client.post(reverse("core:two-factor-codes"))
    codes = re.findall(r"<code>([a-z0-9]+)</code>", response.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODES
    assert set(
        StaticToken.objects.filter(device__user=community.coordinator).values_list(
            "token", flat=True
        )
    ) == set(codes)
    account = client.get(reverse("core:account")).content.decode()
    assert f"{two_factor.RECOVERY_CODES} recovery codes left" in account


def test_a_lost_phone_is_reset_by_command_and_audited(community, as_user):
    as_user(community.coordinator).post(reverse("core:two-factor-codes"))
    call_command("two_factor_reset", "coordinator", reason="phone lost in the shelling")
    assert not TOTPDevice.objects.filter(user=community.coordinator).exists()
    assert not StaticToken.objects.filter(device__user=community.coordinator).exists()
    event = AuditEvent.objects.get(action="2fa.reset")
    assert event.details["reason"] == "phone lost in the shelling"


def _idle_for(client, seconds: int) -> None:
    from hromada.core.middleware import LAST_SEEN

    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_a_coordinators_session_ends_after_the_idle_limit_and_says_why(
    community, as_user, settings
):
    # A coordinator's phone left unlocked in a shelter stops being the coordinator.
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 3600
    client = as_user(community.coordinator)
    assert client.get(reverse("core:account")).status_code == 200
    _idle_for(client, 3601)
    ended = client.get(reverse("core:account"), HTTP_ACCEPT_LANGUAGE="en")
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("core:login") + "?next=")
    login_page = client.get(ended["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "signed out after 60 minutes without activity" in login_page.text
    assert AuditEvent.objects.filter(
        actor=community.coordinator, action="auth.session_idle_ended"
    ).exists()
    assert client.get(reverse("core:account")).status_code == 302  # signed out for good


def test_the_api_answers_an_idle_privileged_session_401(community, as_user, settings):
    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 3600
    client = as_user(community.caseworker)
    _idle_for(client, 7200)
    response = client.get("/api/needs", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "without activity" in response.json()["detail"]


def test_within_the_limit_and_for_volunteers_the_session_goes_on(community, as_user, settings):
    from hromada.core.middleware import LAST_SEEN

    settings.PRIVILEGED_SESSION_IDLE_SECONDS = 3600
    coordinator = as_user(community.coordinator)
    _idle_for(coordinator, 3000)
    assert coordinator.get(reverse("core:account")).status_code == 200
    assert coordinator.session[LAST_SEEN] >= int(time.time()) - 5  # the clock starts again
    volunteer = as_user(community.volunteer)  # sees no shelter addresses: the 14-day session
    _idle_for(volunteer, 10 * 3600)
    assert volunteer.get(reverse("core:account")).status_code == 200


@pytest.mark.parametrize(
    "seconds,said",
    [(12 * 3600, "12 hours"), (2 * 3600, "2 hours"), (5400, "90 minutes"), (30, "1 minute")],
)
def test_the_sign_out_message_gives_the_limit_as_set(seconds, said):
    from django.utils import translation

    from hromada.core.middleware import _idle_message

    with translation.override("en"):
        assert f"signed out after {said} without activity" in _idle_message(seconds)

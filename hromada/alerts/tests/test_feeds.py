"""Official alerts in: an Atom index of CAP messages served over HTTP on 127.0.0.1 (or a
folder of CAP files) is read, each message validated, and re-broadcast: at once for a
trusted sender, after an approver's look otherwise."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from hromada.alerts import feeds, services
from hromada.alerts.models import Alert, Feed, FeedItem
from hromada.alerts.tests.factories import make_display, make_subscription
from hromada.alerts.tests.servers import StaticSite

DATA = Path(__file__).resolve().parent / "data"
ALERT = (DATA / "external-alert.xml").read_bytes()
CANCEL = (DATA / "external-cancel.xml").read_bytes()
CAP = "application/cap+xml"
ATOM = "application/atom+xml"


def index(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:dsns:alerts</id><title>DSNS</title>'
        "<updated>2022-02-28T05:02:00+02:00</updated>" + "".join(entries) + "</feed>"
    ).encode()


def entry(entry_id: str, href: str = "", inline: bytes = b"") -> str:
    body = (
        f'<link rel="alternate" type="{CAP}" href="{href}"/>'
        if href
        else f'<content type="application/xml">{inline.decode().split("?>", 1)[1]}</content>'
    )
    return f"<entry><id>{entry_id}</id><updated>2022-02-28T05:00:00+02:00</updated><title>x</title>{body}</entry>"


@pytest.fixture
def site():
    return StaticSite()


def make_feed(community, url: str, **overrides) -> Feed:
    fields = {"name": "ДСНС", "organization": community.council, "url": url + "/alerts.atom"}
    fields.update(overrides)
    return Feed.objects.create(**fields)


def test_an_untrusted_feed_waits_for_an_approver(community, site, as_user):
    site.files = {
        "/alerts.atom": (ATOM, index(entry("urn:1", href="/cap/0417.xml"))),
        "/cap/0417.xml": (CAP, ALERT),
    }
    with site.running() as url:
        feed = make_feed(community, url)
        result = feeds.poll_feed(feed)

    assert (result.new, result.refused, result.failed) == (1, 0, False)
    alert = Alert.objects.get()
    assert (alert.state, alert.sender, alert.feed) == ("pending", "warnings@dsns.example", feed)
    assert list(alert.areas.all()) == [community.oblast]  # matched by its KATOTTG geocode
    assert not Alert.objects.current().exists()

    page = as_user(community.alert_approver).get(reverse("alerts:alert-detail", args=[alert.pk]))
    assert "Reject" in page.content.decode() and "Return to the author" not in page.content.decode()
    services.approve_alert(community.alert_approver, alert)
    alert.refresh_from_db()
    assert alert.is_current() and alert.reviewed_by == community.alert_approver
    # The CAP file we serve is the message exactly as it came, signature and parameters included.
    served = as_user(community.anonymous).get(reverse("alerts:alert-cap", args=[alert.pk])).content
    assert served == ALERT


def test_a_trusted_sender_reaches_screens_and_subscribers_at_once(
    community, site, as_user, mailoutbox, django_capture_on_commit_callbacks
):
    display = make_display(organization=community.council, area=community.town)
    make_subscription(areas=[community.village], address="village@example.org")
    site.files = {
        "/alerts.atom": (ATOM, index(entry("urn:1", href="/cap/0417.xml"))),
        "/cap/0417.xml": (CAP, ALERT),
    }
    with site.running() as url, django_capture_on_commit_callbacks(execute=True):
        feeds.poll_feed(make_feed(community, url, trusted_senders="*@dsns.example"))

    alert = Alert.objects.get()
    assert alert.state == "published" and alert.reviewed_by is None
    screen = (
        as_user(community.anonymous)
        .get(reverse("alerts:screen", args=[display.token]))
        .content.decode()
    )
    assert "Повітряна тривога в Сумській області" in screen  # the oblast contains the town
    assert [m.to for m in mailoutbox] == [["village@example.org"]]


def test_a_second_poll_reads_nothing_twice(community, site):
    site.files = {
        "/alerts.atom": (
            ATOM,
            index(entry("urn:1", href="/cap/0417.xml"), entry("urn:2", inline=CANCEL)),
        ),
        "/cap/0417.xml": (CAP, ALERT),
    }
    with site.running() as url:
        feed = make_feed(community, url, trusted_senders="warnings@dsns.example")
        first = feeds.poll_feed(feed)
        second = feeds.poll_feed(feed)

    assert (first.new, second.new) == (2, 0)
    assert site.hits == {"/alerts.atom": 2, "/cap/0417.xml": 1}
    alert, cancel = Alert.objects.order_by("sent")
    assert cancel.msg_type == "Cancel" and list(cancel.references.all()) == [alert]
    alert.refresh_from_db()
    assert alert.replaced_by == cancel and not Alert.objects.current().exists()


def test_an_invalid_message_is_refused_recorded_and_not_fetched_again(community, site):
    broken = ALERT.replace(b"<urgency>Immediate</urgency>", b"<urgency>Now!</urgency>")
    no_references = CANCEL.replace(b"<references>", b"<!-- ").replace(b"</references>", b" -->")
    site.files = {
        "/alerts.atom": (
            ATOM,
            index(entry("urn:bad", href="/cap/bad.xml"), entry("urn:cancel", href="/cap/c.xml")),
        ),
        "/cap/bad.xml": (CAP, broken),
        "/cap/c.xml": (CAP, no_references),
    }
    with site.running() as url:
        feed = make_feed(community, url)
        result = feeds.poll_feed(feed)
        feeds.poll_feed(feed)

    assert (result.new, result.refused) == (0, 2)
    assert not Alert.objects.exists()
    errors = dict(FeedItem.objects.values_list("key", "error"))
    assert "CAP 1.2 schema" in errors["urn:bad@2022-02-28T05:00:00+02:00"]
    assert "must name the alert it follows" in errors["urn:cancel@2022-02-28T05:00:00+02:00"]
    assert site.hits["/cap/bad.xml"] == 1


def test_an_unreachable_feed_is_noted_and_tried_again_next_time(community, site):
    feed = make_feed(community, "http://127.0.0.1:9")
    result = feeds.poll_feed(feed)
    feed.refresh_from_db()
    assert result.failed and feed.last_error and feed.last_ok_at is None
    assert not FeedItem.objects.exists()

    site.files = {
        "/alerts.atom": (ATOM, index(entry("urn:1", href="/cap/0417.xml"))),
        "/cap/0417.xml": (CAP, ALERT),
    }
    with site.running() as url:
        Feed.objects.filter(pk=feed.pk).update(url=url + "/alerts.atom")
        feed.refresh_from_db()
        assert feeds.poll_feed(feed).new == 1
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_ok_at is not None


def test_a_feed_with_a_dtd_is_refused_whole(community, site):
    evil = b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed>&x;</feed>'
    site.files = {"/alerts.atom": (ATOM, evil)}
    with site.running() as url:
        feed = make_feed(community, url)
        assert feeds.poll_feed(feed).failed
    feed.refresh_from_db()
    assert "DTD" in feed.last_error


def test_a_folder_of_cap_files(community, tmp_path):
    (tmp_path / "0417.xml").write_bytes(ALERT)
    (tmp_path / "notes.txt").write_text("not CAP")
    feed = Feed.objects.create(
        name="Папка",
        organization=community.council,
        kind="folder",
        folder=str(tmp_path),
        trusted_senders="warnings@dsns.example",
    )
    assert feeds.poll_feed(feed).new == 1
    (tmp_path / "0502.xml").write_bytes(CANCEL)
    assert feeds.poll_feed(feed).new == 1
    assert not Alert.objects.current().exists()


def test_the_command_polls_every_active_feed_and_says_what_it_did(community, site):
    site.files = {
        "/alerts.atom": (ATOM, index(entry("urn:1", href="/cap/0417.xml"))),
        "/cap/0417.xml": (CAP, ALERT),
    }
    with site.running() as url:
        make_feed(community, url)
        make_feed(community, "http://127.0.0.1:9", name="Вимкнений", is_active=False)
        out = io.StringIO()
        call_command("poll_alert_feeds", stdout=out)
        call_command("poll_alert_feeds", stdout=out)
    assert out.getvalue().splitlines() == [
        "CAP feeds polled: 1; new alerts: 1; refused: 0; unreachable: 0",
        "CAP feeds polled: 1; new alerts: 0; refused: 0; unreachable: 0",
    ]


def test_the_delivery_command_is_safe_to_run_twice(community):
    out = io.StringIO()
    call_command("send_alert_deliveries", stdout=out)
    call_command("send_alert_deliveries", stdout=out)
    assert out.getvalue().splitlines() == ["Alert deliveries: 0 sent, 0 interrupted"] * 2

"""Every alerts page and API operation, and what each persona gets (see tests/matrix.py).

Alert staff are the council's author and approver; the superuser may do what both may, but
never approve what they wrote (the rows' drafts are written by the author)."""

from urllib.parse import urlsplit

from hromada.alerts import delivery, services
from hromada.alerts.models import Channel, Subscription
from hromada.alerts.tests.factories import content, make_display, make_draft, published
from tests.matrix import Row, api_for, everyone, page_for, signed_in

STAFF = {"alert_author", "alert_approver", "superuser"}
AUTHORS = {"alert_author", "superuser"}
APPROVERS = {"alert_approver", "superuser"}
SCREEN_MANAGERS = {"alert_author", "alert_approver", "org_admin", "superuser"}


def prepare(c):
    c.live_alert = published(c, areas=[c.town])
    c.draft = make_draft(author=c.alert_author, organization=c.council)
    c.pending = make_draft(author=c.alert_author, organization=c.council)
    services.submit_alert(c.alert_author, c.pending)
    c.display = make_display(organization=c.council, area=c.town)
    subscription = Subscription.objects.create(channel=Channel.EMAIL, address="r@example.org")
    c.confirm_path = urlsplit(delivery.confirm_url(subscription)).path
    c.unsubscribe_path = urlsplit(delivery.unsubscribe_url(subscription)).path


def on_a_draft(personas: set[str], ok: int, *, anonymous: int):
    """Who may act on an unpublished alert: ``ok`` for ``personas``; 403 for other alert staff
    (they may see it); 404 for everyone else (they may not know it exists)."""

    def expect(persona: str) -> int:
        if persona in personas:
            return ok
        if persona == "anonymous":
            return anonymous
        return 403 if persona in STAFF else 404

    return expect


def managed(ok: int, *, anonymous: int):
    """A display's page: for its organisation's screen managers; 404 for others (secret)."""

    def expect(persona: str) -> int:
        if persona in SCREEN_MANAGERS:
            return ok
        return anonymous if persona == "anonymous" else 404

    return expect


def form(c):
    return {
        "status": "Actual",
        "scope": "Public",
        "category": "Other",
        "urgency": "Expected",
        "severity": "Minor",
        "certainty": "Observed",
        "expires": "2099-01-01T10:00",
        "area_codes": [c.town.code],
        "event_uk": "Хліб",
        "headline_uk": "Видача хліба",
        "event_en": "Bread",
        "headline_en": "Bread handed out",
        "organization": c.council.pk,
    }


def api_body(c):
    data = content(area_codes=[c.town.code])
    data["expires"] = data["expires"].isoformat()
    data["organization_id"] = c.council.pk
    return data


AUTHOR_PAGE = on_a_draft(AUTHORS, 302, anonymous=302)
APPROVER_PAGE = on_a_draft(APPROVERS, 302, anonymous=302)
AUTHOR_API = on_a_draft(AUTHORS, 200, anonymous=401)
APPROVER_API = on_a_draft(APPROVERS, 200, anonymous=401)

# fmt: off
ROWS = [
    Row("alerts page", "get", lambda c: "/alerts/", everyone(200)),
    Row("alerts map", "get", lambda c: "/alerts/map/", everyone(200)),
    Row("alert areas geojson", "get", lambda c: "/alerts/areas.geojson", everyone(200)),
    Row("alerts atom feed", "get", lambda c: "/alerts/feed.atom", everyone(200)),
    Row("published alert", "get", lambda c: f"/alerts/{c.live_alert.pk}/", everyone(200)),
    Row("published alert CAP", "get", lambda c: f"/alerts/{c.live_alert.pk}/cap.xml", everyone(200)),
    Row("draft alert", "get", lambda c: f"/alerts/{c.draft.pk}/", on_a_draft(STAFF, 200, anonymous=404)),
    Row("draft alert CAP", "get", lambda c: f"/alerts/{c.draft.pk}/cap.xml", on_a_draft(STAFF, 200, anonymous=404)),
    Row("alert desk", "get", lambda c: "/alerts/desk/", page_for(STAFF, 200)),
    Row("new alert form", "get", lambda c: "/alerts/new/", page_for(AUTHORS, 200)),
    Row("post new alert", "post", lambda c: "/alerts/new/", page_for(AUTHORS, 302), form),
    Row("edit draft form", "get", lambda c: f"/alerts/{c.draft.pk}/edit/", on_a_draft(AUTHORS, 200, anonymous=302)),
    Row("submit draft", "post", lambda c: f"/alerts/{c.draft.pk}/submit/", AUTHOR_PAGE),
    Row("delete draft", "post", lambda c: f"/alerts/{c.draft.pk}/discard/", AUTHOR_PAGE),
    Row("approve alert", "post", lambda c: f"/alerts/{c.pending.pk}/approve/", APPROVER_PAGE),
    Row("return alert", "post", lambda c: f"/alerts/{c.pending.pk}/return/", APPROVER_PAGE,
        lambda c: {"comment": "Add the address."}),
    Row("follow up alert", "post", lambda c: f"/alerts/{c.live_alert.pk}/follow-up/", page_for(AUTHORS, 302),
        lambda c: {"msg_type": "Update"}),
    Row("screens", "get", lambda c: "/alerts/displays/", page_for(SCREEN_MANAGERS, 200)),
    Row("new screen form", "get", lambda c: "/alerts/displays/new/", page_for(SCREEN_MANAGERS, 200)),
    Row("screen settings", "get", lambda c: f"/alerts/displays/{c.display.pk}/", managed(200, anonymous=302)),
    Row("screen new address", "post", lambda c: f"/alerts/displays/{c.display.pk}/new-address/",
        managed(302, anonymous=302)),
    Row("screen page", "get", lambda c: f"/alerts/screen/{c.display.token}/", everyone(200)),
    Row("screen state", "get", lambda c: f"/alerts/screen/{c.display.token}/state.json", everyone(200)),
    Row("subscribe form", "get", lambda c: "/alerts/subscribe/", everyone(200)),
    # The signed links in the mails: GET asks, POST acts; a forged link is nothing.
    Row("confirm subscription page", "get", lambda c: c.confirm_path, everyone(200)),
    Row("confirm subscription", "post", lambda c: c.confirm_path, everyone(200)),
    Row("confirm subscription, forged", "get", lambda c: "/alerts/subscribe/confirm/forged/", everyone(404)),
    Row("unsubscribe page", "get", lambda c: c.unsubscribe_path, everyone(200)),
    Row("unsubscribe", "post", lambda c: c.unsubscribe_path, everyone(200)),
    Row("unsubscribe, forged", "post", lambda c: "/alerts/unsubscribe/forged/", everyone(404)),
    # Rejecting is for alerts from external feeds: approvers are told to return a colleague's
    # alert instead (302 with the reason; 422 by API). Other staff 403, the rest 404.
    Row("reject alert", "post", lambda c: f"/alerts/{c.pending.pk}/reject/", APPROVER_PAGE,
        lambda c: {"comment": "Not ours."}),
    Row("api reject alert", "post", lambda c: f"/api/alerts/{c.pending.pk}/reject",
        on_a_draft(APPROVERS, 422, anonymous=401), lambda c: {"comment": "Not ours."}, json=True),
    Row("api change draft", "patch", lambda c: f"/api/alerts/{c.draft.pk}", AUTHOR_API,
        lambda c: {"headline_en": "Bread at the school"}, json=True),
    Row("api delete draft", "delete", lambda c: f"/api/alerts/{c.draft.pk}",
        on_a_draft(AUTHORS, 204, anonymous=401)),
    Row("api alerts", "get", lambda c: "/api/alerts", everyone(200)),
    Row("api published alert", "get", lambda c: f"/api/alerts/{c.live_alert.pk}", everyone(200)),
    Row("api draft alert", "get", lambda c: f"/api/alerts/{c.draft.pk}", on_a_draft(STAFF, 200, anonymous=404)),
    Row("api draft an alert", "post", lambda c: "/api/alerts", api_for(AUTHORS, 201), api_body, json=True),
    Row("api submit draft", "post", lambda c: f"/api/alerts/{c.draft.pk}/submit", AUTHOR_API),
    Row("api approve alert", "post", lambda c: f"/api/alerts/{c.pending.pk}/approve", APPROVER_API),
    Row("api return alert", "post", lambda c: f"/api/alerts/{c.pending.pk}/return", APPROVER_API,
        lambda c: {"comment": "Add the address."}, json=True),
    Row("api follow up", "post", lambda c: f"/api/alerts/{c.live_alert.pk}/follow-up", api_for(AUTHORS, 201),
        lambda c: {"msg_type": "Cancel"}, json=True),
    Row("api alert templates", "get", lambda c: "/api/alert-templates", signed_in(200, 401)),
    Row("api screens", "get", lambda c: "/api/alert-displays", api_for(SCREEN_MANAGERS, 200)),
    Row("api subscribe", "post", lambda c: "/api/alert-subscriptions", everyone(202),
        lambda c: {"email": "someone@example.org"}, json=True),
]
# fmt: on

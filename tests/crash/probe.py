"""The crash tests' hands and eyes inside the server's own database.

Run as ``python -m tests.crash.probe`` with the server's environment (same var dir, same
DATABASE_URL): it reads one JSON command a line on stdin and answers one JSON line on
stdout, prefixed with ``@@`` (anything else Django prints is ignored by the reader). One
process serves a whole test module, so Django starts once. It prepares what a case needs
(users, sessions, stock, a delivery on the road, sitreps in review) through the services,
and reports what the database holds after a crash.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import traceback
from decimal import Decimal
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from hromada.aid.models import Delivery, DeliveryLine, Item, Need, StockLevel, StockMove  # noqa: E402
from hromada.aid.services import deliveries, stock  # noqa: E402
from hromada.core.models import (  # noqa: E402
    Area,
    AuditEvent,
    IdempotencyKey,
    Membership,
    Organization,
    PeriodicRun,
    Place,
    Role,
    Sensitivity,
    User,
)
from hromada.core.services import issue_token  # noqa: E402
from hromada.reports import services as reports  # noqa: E402
from hromada.reports.models import Sitrep, SitrepSnapshot  # noqa: E402

PASSWORD = "crash-test-password"


def _user(username: str, org: Organization, *roles: str) -> User:
    user = User(username=username, name=username, email=f"{username}@example.org")
    user.set_password(PASSWORD)
    user.save()
    Membership.objects.create(user=user, organization=org, roles=[str(r) for r in roles])
    return user


def _session(user: User) -> str:
    """A signed-in session as the sign-in pages leave it: the password, and the second
    factor where the user's roles ask for one (an authenticator confirmed in this session)."""
    client = Client()
    client.force_login(user)
    if apps.is_installed("django_otp.plugins.otp_totp"):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.create(user=user, name="crash test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def world() -> dict[str, Any]:
    """One council with two hubs and a school, its people, stock, a delivery on the road
    and a sitrep waiting for its second analyst."""
    org = Organization.objects.create(name="Crash council", kind=Organization.Kind.NGO)
    area = Area.objects.create(
        code="UA99000000000000001",
        name_uk="Місто аварій",
        name_en="Crash town",
        level=Area.Level.SETTLEMENT,
    )

    def place(name: str, kind: str) -> Place:
        return Place.objects.create(
            name=name,
            kind=kind,
            organization=org,
            area=area,
            sensitivity=Sensitivity.PUBLIC,
            latitude=Decimal("50.31"),
            longitude=Decimal("34.89"),
        )

    hub, depot = place("Hub", Place.Kind.HUB), place("Depot", Place.Kind.HUB)
    school = place("School", Place.Kind.HUB)
    coordinator = _user("coordinator", org, Role.COORDINATOR)
    driver = _user("driver", org, Role.VOLUNTEER)
    author = _user("analyst1", org, Role.ANALYST)
    reviewer = _user("analyst2", org, Role.ANALYST)
    flour, rice = Item.objects.get(code="flour"), Item.objects.get(code="rice")
    for item in (flour, rice):
        stock.receive_stock(coordinator, place=hub, item=item, quantity=Decimal(1000))
    need = Need.objects.create(
        place=school,
        item=flour,
        quantity=Decimal(100),
        unit=flour.unit,
        visibility=Sensitivity.PUBLIC,
    )
    delivery, _created = deliveries.plan_delivery(
        coordinator,
        from_place=hub,
        to_place=school,
        lines=[deliveries.LineIn(flour, Decimal(40), need), deliveries.LineIn(rice, Decimal(25))],
    )
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)

    def sitrep(cutoff: datetime.datetime) -> Sitrep:
        created, _new = reports.create_sitrep(
            author, organization=org, area=area, cutoff=cutoff, title=f"Sitrep {cutoff:%H:%M}"
        )
        return reports.submit_sitrep(author, created)

    now = timezone.now()
    earlier = sitrep(now - datetime.timedelta(hours=6))
    reports.approve_sitrep(reviewer, earlier)
    reports.publish_sitrep(reviewer, earlier)
    waiting = sitrep(now - datetime.timedelta(hours=1))
    _token, raw = issue_token(coordinator, "crash tests")
    return {
        "hub": hub.pk,
        "depot": depot.pk,
        "school": school.pk,
        "flour": flour.pk,
        "rice": rice.pk,
        "need": need.pk,
        "delivery": delivery.pk,
        "lines": {str(ln.pk): str(ln.quantity) for ln in delivery.lines.all()},
        "earlier_sitrep": earlier.pk,
        "sitrep": waiting.pk,
        "token": raw,
        "sessions": {
            "coordinator": _session(coordinator),
            "driver": _session(driver),
            "reviewer": _session(reviewer),
        },
    }


def ledger(place_ids: list[int] | None = None) -> dict[str, Any]:
    """The stock as the database holds it, and whether levels and moves agree."""
    levels = StockLevel.objects.all()
    if place_ids:
        levels = levels.filter(place_id__in=place_ids)
    return {
        "moves": StockMove.objects.count(),
        "drift": [d.__dict__ for d in stock.check_levels()],
        "levels": {
            f"{lv.place_id}:{lv.item_id}": f"{lv.quantity.normalize():f}"
            for lv in levels.order_by("place_id", "item_id")
        },
    }


def delivery_state(pk: int) -> dict[str, Any]:
    delivery = Delivery.objects.get(pk=pk)
    need = DeliveryLine.objects.filter(delivery=delivery, need__isnull=False).first()
    return {
        "status": delivery.status,
        "recipient": delivery.recipient_name,
        "photo": delivery.photo.name or "",
        "photo_exists": bool(delivery.photo) and delivery.photo.storage.exists(delivery.photo.name),
        "moves": delivery.moves.count(),
        "delivered": [
            f"{q.normalize():f}" if q is not None else None
            for q in delivery.lines.order_by("pk").values_list("quantity_delivered", flat=True)
        ],
        "need_covered": f"{need.need.quantity_covered.normalize():f}"
        if need and need.need
        else None,
        **ledger(),
    }


def sitrep_state(pk: int, earlier: int) -> dict[str, Any]:
    sitrep = Sitrep.objects.get(pk=pk)
    return {
        "status": sitrep.status,
        "snapshots": SitrepSnapshot.objects.filter(sitrep=sitrep).count(),
        "approved_by": sitrep.approved_by_id,
        "earlier_status": Sitrep.objects.get(pk=earlier).status,
        "earlier_superseded_by": Sitrep.objects.get(pk=earlier).superseded_by_id,
    }


def import_state(key: str) -> dict[str, Any]:
    return {
        "needs": Need.objects.count(),
        "events": AuditEvent.objects.filter(action="aid.import.committed").count(),
        "keys": IdempotencyKey.objects.filter(scope="aid.import.commit", key=key).count(),
    }


def integrity() -> str:
    """The database's own check of its files (SQLite); PostgreSQL needs none after a kill."""
    if connection.vendor != "sqlite":
        return "ok"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return str(cursor.fetchone()[0])


def alert() -> dict[str, Any]:
    """Three residents subscribed by e-mail, and an air raid alert published for them: the
    outbox rows are written and the sending task queued (the worker sends them)."""
    from hromada.alerts.tests.factories import make_alert, make_subscription

    org = Organization.objects.get(name="Crash council")
    addresses = [make_subscription(address=f"resident{n}@example.org").address for n in (1, 2, 3)]
    published = make_alert(
        author=_user("alert_author", org, Role.ALERT_AUTHOR),
        approver=_user("alert_approver", org, Role.ALERT_APPROVER),
        organization=org,
    )
    return {"alert": published.pk, "addresses": addresses}


def alert_state(pk: int) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from hromada.alerts.models import Delivery as AlertDelivery

    tasks = DBTaskResult.objects.filter(task_path__endswith="send_alert_deliveries")
    return {
        "deliveries": dict(
            AlertDelivery.objects.filter(alert_id=pk).values_list("address", "status")
        ),
        "tasks": [
            {"status": t.status, "workers": len(t.worker_ids)}
            for t in tasks.order_by("enqueued_at")
        ],
        "periodic": dict(PeriodicRun.objects.values_list("name", "last_result")),
    }


def time_passes(hours: int) -> int:
    """The worker stays down for ``hours``: tasks it held and periodic jobs age by as much."""
    from django.db.models import F
    from django_tasks_db.models import DBTaskResult

    delta = datetime.timedelta(hours=hours)
    PeriodicRun.objects.update(last_run_at=F("last_run_at") - delta)
    return DBTaskResult.objects.filter(started_at__isnull=False).update(
        started_at=F("started_at") - delta
    )


COMMANDS = {
    "alert": lambda: alert(),
    "alert_state": lambda pk: alert_state(pk),
    "time_passes": lambda hours: time_passes(hours),
    "world": lambda: world(),
    "ledger": lambda: ledger(),
    "delivery": lambda pk: delivery_state(pk),
    "sitrep": lambda pk, earlier: sitrep_state(pk, earlier),
    "import": lambda key: import_state(key),
    "integrity": lambda: integrity(),
}


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        close_old_connections()
        try:
            answer = {"ok": COMMANDS[command["op"]](*command.get("args", []))}
        except Exception:
            answer = {"error": traceback.format_exc()}
        connection.close()  # hold nothing open between commands (a SQLite reader, a PG backend)
        sys.stdout.write("@@" + json.dumps(answer, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

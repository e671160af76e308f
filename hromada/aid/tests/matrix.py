from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from hromada.aid.models import (
    Delivery,
    DeliveryLine,
    DeliveryPlan,
    Pledge,
    RecurringNeed,
    StockMove,
)
from hromada.aid.services import deliveries, pledges
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.aid.tests.matrix_reports import ROWS as REPORT_ROWS
from hromada.aid.tests.matrix_reports import prepare as prepare_reports
from tests.matrix import (
    ANY_COORDINATOR,
    COUNCIL,
    MANAGERS,
    MEMBERS,
    Row,
    api_for,
    everyone,
    hidden_from_others,
    only,
    page_for,
    signed_in,
)


def council_managers(ok, *, anonymous):
    """The council's coordinators and admins; other council members 403; outsiders 404."""
    return lambda p: (
        anonymous if p == "anonymous" else ok if p in MANAGERS else 403 if p in COUNCIL else 404
    )


def council_drivers(ok, *, anonymous):
    """Volunteers and coordinators of the council drive its runs; its other members 403."""
    drivers = {"coordinator", "superuser"}
    return lambda p: (
        anonymous if p == "anonymous" else ok if p in drivers else 403 if p in COUNCIL else 404
    )


def prepare(c):
    prepare_reports(c)
    c.public_need = make_need(place=c.office)
    c.pledge, _ = pledges.offer_pledge(
        c.anonymous,
        item=item("blankets"),
        quantity=Decimal(5),
        contact_name="Марія",
        contact_phone="1",
    )
    c.follow = pledges.follow_token(c.pledge)
    stock_up(c.school, "candles", 20)
    c.delivery, _ = deliveries.plan_delivery(
        c.coordinator,
        from_place=c.school,
        to_place=c.office,
        lines=[deliveries.LineIn(item("candles"), Decimal(5))],
    )
    c.shelter_need = make_need(place=c.shelter)
    c.school_need = make_need(place=c.school)


def made(make):
    """An object made on first use, once per test: most rows need none of these."""
    name = f"_{make.__name__}"

    def get(c):
        if not hasattr(c, name):
            setattr(c, name, make(c))
        return getattr(c, name)

    return get


@made
def council_pledge(c):
    """An offer made for the council's need: only the council's managers handle it."""
    pledge = Pledge.objects.get(pk=c.pledge.pk)
    pledge.pk = None
    pledge.need, pledge.organization = c.public_need, c.council
    pledge.save()
    return pledge


# Runs from the school at each step, the coordinator driving (made directly: cheap).
@made
def claimed(c):
    return _run(c, Delivery.Status.CLAIMED, claimed_at=timezone.now())


@made
def picked(c):
    now = timezone.now()
    return _run(c, Delivery.Status.PICKED_UP, claimed_at=now, picked_up_at=now)


@made
def delivered(c):
    now = timezone.now()
    run = _run(c, Delivery.Status.DELIVERED, claimed_at=now, picked_up_at=now,
               delivered_at=now, recipient_name="Марія")  # fmt: skip
    run.photo.save("door.jpg", ContentFile(b"\xff\xd8\xff"), save=True)
    return run


@made
def move(c):
    return StockMove.objects.filter(to_place=c.school).first()


@made
def recurring(c):
    bread = item("bread")
    return RecurringNeed.objects.create(
        place=c.office, item=bread, quantity=Decimal(5), unit=bread.unit,
        starts_on=timezone.localdate(),
    )  # fmt: skip


@made
def plan(c):
    """The other NGO's coordinator runs a hub: their plan is theirs alone."""
    return DeliveryPlan.objects.create(created_by=c.other_coordinator)


def _run(c, status, **fields):
    run = Delivery.objects.create(
        from_place=c.school, to_place=c.office, status=status, driver=c.coordinator, **fields
    )
    DeliveryLine.objects.create(
        delivery=run, item=item("candles"), quantity=Decimal(1),
        quantity_picked=Decimal(1) if status != Delivery.Status.CLAIMED else None,
    )  # fmt: skip
    return run


def need_form(c):
    return {
        "place": c.office.pk,
        "item": item("bread").pk,
        "quantity": "10",
        "priority": "high",
        "visibility": "public",
    }


def need_json(c):
    return {"place_id": c.office.pk, "item_id": item("bread").pk, "quantity": "10"}


def council_offer(ok, *, anonymous):
    """An offer for the council's need: its managers handle it; nobody else may know it."""
    return only(MANAGERS, ok, others=404, anonymous=anonymous)


HANDLERS_200 = only(ANY_COORDINATOR, 200, others=404, anonymous=302)
HANDLERS_302 = only(ANY_COORDINATOR, 302, others=404, anonymous=302)
COUNCIL_PAGE = only(COUNCIL, 200, others=404, anonymous=302)
COUNCIL_API = only(COUNCIL, 200, others=404, anonymous=401)
RECEIVE_PAGE = council_managers(302, anonymous=302)
RECEIVE_API = council_managers(201, anonymous=401)
CLAIM_PAGE = council_drivers(302, anonymous=302)
CLAIM_API = council_drivers(200, anonymous=401)


def decline(c):
    return {"decline_reason": "Вже є"}


def offer(c):
    return {
        "item_id": item("candles").pk,
        "quantity": "1",
        "contact_name": "М",
        "contact_phone": "1",
    }


def receive_form(c):
    return {
        "receive-item": item("candles").pk,
        "receive-quantity": "1",
        "receive-reason": "donation",
    }


def receive_json(c):
    return {"item_id": item("candles").pk, "quantity": "1"}


def nothing(c):
    return {}


def reason(c):
    return {"reason": "Дорогу перекрито"}


def stock_form(action, **fields):
    return lambda c: {
        f"{action}-item": item("candles").pk,
        **{f"{action}-{k}": v(c) for k, v in fields.items()},
    }


def stock_json(**fields):
    return lambda c: {"item_id": item("candles").pk, **{k: v(c) for k, v in fields.items()}}


def one(c):
    return "1"


def office(c):
    return c.office.pk


# A step the coordinator (the driver) takes; the council's other people are refused (403).
DRIVER_PAGE = only({"coordinator"}, 302, others=404, anonymous=302)
DRIVER_STEP_PAGE = lambda p: (  # noqa: E731
    302 if p in {"coordinator", "anonymous"} else 403 if p in COUNCIL else 404
)
DRIVER_STEP_API = lambda p: (  # noqa: E731
    200 if p == "coordinator" else 401 if p == "anonymous" else 403 if p in COUNCIL else 404
)
# Council members see the delivery; only the driver may hand a claim back, the others are
# told it is not theirs (the service's "not yours to give back": 302 with a message, 422).
UNCLAIM_PAGE = only(COUNCIL, 302, others=404, anonymous=302)
UNCLAIM_API = lambda p: (  # noqa: E731
    200 if p == "coordinator" else 401 if p == "anonymous" else 422 if p in COUNCIL else 404
)
MANAGE_RUN_PAGE = council_managers(302, anonymous=302)
MANAGE_RUN_API = council_managers(200, anonymous=401)
# Only the plan's author (the other NGO's coordinator) and the superuser.
PLAN_OWNER = {"other_coordinator", "superuser"}


def PLAN_PAGE(ok):
    return only(PLAN_OWNER, ok, others=404, anonymous=302)


# fmt: off
ROWS = [
    Row("needs board", "get", lambda c: "/needs/", everyone(200)),
    Row("needs CSV", "get", lambda c: "/needs/export.csv", everyone(200)),
    Row("public need", "get", lambda c: f"/needs/{c.public_need.pk}/", everyone(200)),
    Row("restricted need", "get", lambda c: f"/needs/{c.shelter_need.pk}/", hidden_from_others(COUNCIL, 200)),
    Row("members' need", "get", lambda c: f"/needs/{c.school_need.pk}/", hidden_from_others(MEMBERS, 200)),
    # Coordinators of any organisation may open the form; they post only at their own places.
    Row("need form", "get", lambda c: "/needs/new/", page_for(ANY_COORDINATOR, 200)),
    Row("post need", "post", lambda c: "/needs/new/", page_for(MANAGERS, 302), need_form),
    Row("edit form", "get", lambda c: f"/needs/{c.public_need.pk}/edit/", page_for(MANAGERS, 200)),
    Row("close need", "post", lambda c: f"/needs/{c.public_need.pk}/close/", page_for(MANAGERS, 302),
        lambda c: {"status": "covered"}),
    Row("api needs", "get", lambda c: "/api/needs", everyone(200)),
    Row("api post need", "post", lambda c: "/api/needs", api_for(MANAGERS, 201), need_json, json=True),
    Row("api restricted need", "get", lambda c: f"/api/needs/{c.shelter_need.pk}", hidden_from_others(COUNCIL, 200)),
    Row("api patch need", "patch", lambda c: f"/api/needs/{c.public_need.pk}", api_for(MANAGERS, 200),
        lambda c: {"priority": "critical"}, json=True),
    Row("api close need", "post", lambda c: f"/api/needs/{c.public_need.pk}/close", api_for(MANAGERS, 200),
        lambda c: {"status": "cancelled"}, json=True),
    Row("api items", "get", lambda c: "/api/items", everyone(200)),
    # Giving
    Row("needed most", "get", lambda c: "/needs/most/", everyone(200)),
    Row("offer form", "get", lambda c: "/give/", everyone(200)),
    Row("offers", "get", lambda c: "/pledges/", page_for(ANY_COORDINATOR, 200)),
    Row("an offer", "get", lambda c: f"/pledges/{c.pledge.pk}/", HANDLERS_200),
    Row("decline offer", "post", lambda c: f"/pledges/{c.pledge.pk}/decline/", HANDLERS_302, decline),
    Row("follow offer", "get", lambda c: f"/pledges/follow/{c.follow}/", everyone(200)),
    # The offer for the council's need: its managers only; other coordinators may not know it.
    Row("council's offer", "get", lambda c: f"/pledges/{council_pledge(c).pk}/", council_offer(200, anonymous=302)),
    Row("accept offer", "post", lambda c: f"/pledges/{council_pledge(c).pk}/accept/", council_offer(302, anonymous=302),
        lambda c: {"hub": c.school.pk}),
    Row("receive offer", "post", lambda c: f"/pledges/{council_pledge(c).pk}/receive/",
        council_offer(302, anonymous=302), lambda c: {"hub": c.school.pk, "quantity": "5"}),
    Row("api council's offer", "get", lambda c: f"/api/pledges/{council_pledge(c).pk}",
        council_offer(200, anonymous=401)),
    Row("api accept offer", "post", lambda c: f"/api/pledges/{council_pledge(c).pk}/accept",
        council_offer(200, anonymous=401), lambda c: {"hub_id": c.school.pk}, json=True),
    Row("api decline offer", "post", lambda c: f"/api/pledges/{council_pledge(c).pk}/decline",
        council_offer(200, anonymous=401), lambda c: {"reason": "Вже є"}, json=True),
    Row("api receive offer", "post", lambda c: f"/api/pledges/{council_pledge(c).pk}/receive",
        council_offer(200, anonymous=401), lambda c: {"hub_id": c.school.pk, "quantity": "5"}, json=True),
    Row("api needed most", "get", lambda c: "/api/needed-most", everyone(200)),
    Row("api offer", "post", lambda c: "/api/pledges", everyone(201), offer, json=True),
    Row("api offers", "get", lambda c: "/api/pledges", signed_in(200, 401)),
    Row("api follow offer", "get", lambda c: f"/api/pledges/follow/{c.follow}", everyone(200)),
    # Stock
    Row("stock", "get", lambda c: "/stock/", signed_in(200, 302)),
    Row("stock of a place", "get", lambda c: f"/stock/{c.school.pk}/", COUNCIL_PAGE),
    Row("stock moves", "get", lambda c: f"/stock/{c.school.pk}/moves/", COUNCIL_PAGE),
    Row("receive stock", "post", lambda c: f"/stock/{c.school.pk}/receive/", RECEIVE_PAGE, receive_form),
    Row("api stock", "get", lambda c: "/api/stock", signed_in(200, 401)),
    Row("api stock of a place", "get", lambda c: f"/api/stock/{c.school.pk}", COUNCIL_API),
    Row("api receive", "post", lambda c: f"/api/stock/{c.school.pk}/receive", RECEIVE_API, receive_json, json=True),
    Row("issue stock", "post", lambda c: f"/stock/{c.school.pk}/issue/", RECEIVE_PAGE,
        stock_form("issue", quantity=one, reason=lambda c: "distribution")),
    Row("transfer stock", "post", lambda c: f"/stock/{c.school.pk}/transfer/", RECEIVE_PAGE,
        stock_form("transfer", quantity=one, to_place=office)),
    Row("count stock", "post", lambda c: f"/stock/{c.school.pk}/count/", RECEIVE_PAGE,
        stock_form("count", counted=lambda c: "19")),
    Row("reverse a move", "post", lambda c: f"/stock/{c.school.pk}/moves/{move(c).pk}/reverse/", RECEIVE_PAGE,
        lambda c: {"note": "Порахували двічі"}),
    Row("api stock moves", "get", lambda c: f"/api/stock/{c.school.pk}/moves", COUNCIL_API),
    Row("api issue", "post", lambda c: f"/api/stock/{c.school.pk}/issue", RECEIVE_API,
        stock_json(quantity=one), json=True),
    Row("api transfer", "post", lambda c: f"/api/stock/{c.school.pk}/transfer", RECEIVE_API,
        stock_json(quantity=one, to_place_id=office), json=True),
    Row("api count", "post", lambda c: f"/api/stock/{c.school.pk}/count", council_managers(200, anonymous=401),
        stock_json(counted=lambda c: "19"), json=True),
    Row("api reverse a move", "post", lambda c: f"/api/stock/moves/{move(c).pk}/reverse", RECEIVE_API,
        lambda c: {"note": "Порахували двічі"}, json=True),
    # Deliveries
    Row("deliveries", "get", lambda c: "/deliveries/", signed_in(200, 302)),
    Row("plan delivery", "get", lambda c: "/deliveries/new/", page_for(ANY_COORDINATOR, 200)),
    Row("a delivery", "get", lambda c: f"/deliveries/{c.delivery.pk}/", COUNCIL_PAGE),
    Row("claim delivery", "post", lambda c: f"/deliveries/{c.delivery.pk}/claim/", CLAIM_PAGE),
    Row("api deliveries", "get", lambda c: "/api/deliveries", signed_in(200, 401)),
    Row("api a delivery", "get", lambda c: f"/api/deliveries/{c.delivery.pk}", COUNCIL_API),
    Row("api claim", "post", lambda c: f"/api/deliveries/{c.delivery.pk}/claim", CLAIM_API, nothing, json=True),
    Row("delivery photo", "get", lambda c: f"/deliveries/{delivered(c).pk}/photo/", COUNCIL_PAGE),
    Row("unclaim delivery", "post", lambda c: f"/deliveries/{claimed(c).pk}/unclaim/", UNCLAIM_PAGE),
    Row("pick up delivery", "post", lambda c: f"/deliveries/{claimed(c).pk}/pick-up/", DRIVER_STEP_PAGE),
    Row("deliver delivery", "post", lambda c: f"/deliveries/{picked(c).pk}/deliver/", DRIVER_STEP_PAGE,
        lambda c: {"recipient_name": "Марія", f"line_{picked(c).lines.get().pk}": "1"}),
    Row("confirm delivery", "post", lambda c: f"/deliveries/{delivered(c).pk}/confirm/", MANAGE_RUN_PAGE),
    Row("fail delivery", "post", lambda c: f"/deliveries/{claimed(c).pk}/fail/", MANAGE_RUN_PAGE, reason),
    Row("cancel delivery", "post", lambda c: f"/deliveries/{c.delivery.pk}/cancel/", MANAGE_RUN_PAGE, reason),
    Row("api plan delivery", "post", lambda c: "/api/deliveries",
        # Council managers plan from the school; its other people may not (403); for everyone
        # else the school is no hub of theirs (422 "unknown place").
        lambda p: 201 if p in MANAGERS else 401 if p == "anonymous" else 403 if p in COUNCIL else 422,
        lambda c: {"from_place_id": c.school.pk, "to_place_id": c.office.pk,
                   "lines": [{"item_id": item("candles").pk, "quantity": "1"}]}, json=True),
    Row("api unclaim", "post", lambda c: f"/api/deliveries/{claimed(c).pk}/unclaim", UNCLAIM_API, nothing, json=True),
    Row("api pick up", "post", lambda c: f"/api/deliveries/{claimed(c).pk}/pickup", DRIVER_STEP_API, nothing,
        json=True),
    Row("api deliver", "post", lambda c: f"/api/deliveries/{picked(c).pk}/deliver", DRIVER_STEP_API,
        lambda c: {"recipient_name": "Марія"}, json=True),
    Row("api confirm", "post", lambda c: f"/api/deliveries/{delivered(c).pk}/confirm", MANAGE_RUN_API,
        nothing, json=True),
    Row("api fail", "post", lambda c: f"/api/deliveries/{claimed(c).pk}/fail", MANAGE_RUN_API, reason, json=True),
    Row("api cancel", "post", lambda c: f"/api/deliveries/{c.delivery.pk}/cancel", MANAGE_RUN_API, reason,
        json=True),
    # Recurring needs
    Row("recurring needs", "get", lambda c: "/needs/recurring/", page_for(ANY_COORDINATOR, 200)),
    Row("api recurring needs", "get", lambda c: "/api/recurring-needs", signed_in(200, 401)),
    Row("stop recurring need", "post", lambda c: f"/needs/recurring/{recurring(c).pk}/stop/",
        only(MANAGERS, 302, others=404, anonymous=302)),
    Row("api post recurring need", "post", lambda c: "/api/recurring-needs", api_for(MANAGERS, 201),
        lambda c: {"place_id": c.office.pk, "item_id": item("bread").pk, "quantity": "5",
                   "starts_on": timezone.localdate().isoformat()}, json=True),
    Row("api stop recurring need", "post", lambda c: f"/api/recurring-needs/{recurring(c).pk}/stop",
        only(MANAGERS, 200, others=404, anonymous=401), nothing, json=True),
    # Planning (only those who run a hub; in the community, the other NGO's point is one)
    Row("plan deliveries", "get", lambda c: "/plan/", page_for({"other_coordinator", "superuser"}, 200)),
    Row("a plan", "get", lambda c: f"/plan/{plan(c).pk}/", PLAN_PAGE(200)),
    Row("a plan's map", "get", lambda c: f"/plan/{plan(c).pk}/map.geojson", PLAN_PAGE(200)),
    # An empty plan: its owner is sent on (to the deliveries or back with a message).
    Row("confirm a plan", "post", lambda c: f"/plan/{plan(c).pk}/confirm/", PLAN_PAGE(302)),
]
# fmt: on
ROWS += REPORT_ROWS

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from hromada.aid.models import Delivery, StockMove
from hromada.aid.services import deliveries, stock
from hromada.aid.services.deliveries import LineIn
from hromada.aid.tests.factories import item, make_need, stock_up
from hromada.core.models import Role
from hromada.core.tests.factories import make_user


@pytest.fixture
def run(community):
    """The council's school (a hub here) sends 100 blankets to the council's office, for its need."""
    stock_up(community.school, "blankets", 150)
    need = make_need(place=community.office, item=item("blankets"), quantity=Decimal(100))
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[LineIn(item("blankets"), Decimal(100), need)],
    )
    driver = make_user(username="driver", roles={community.council: [Role.VOLUNTEER]})
    return delivery, need, driver


def on_hand(place, code="blankets"):
    return stock.on_hand(place, item(code))


def test_the_whole_run_moves_stock_and_covers_the_need(community, run):
    delivery, need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    assert on_hand(community.school) == Decimal(50)
    assert deliveries.in_transit(delivery) == {item("blankets").pk: Decimal(100)}
    deliveries.mark_delivered(driver, delivery, recipient_name="Олена Шевчук")
    assert on_hand(community.office) == Decimal(100)
    assert deliveries.in_transit(delivery) == {}
    need.refresh_from_db()
    assert (need.status, need.quantity_covered) == ("covered", Decimal(100))
    deliveries.confirm_delivery(community.coordinator, delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.confirmed_by) == ("confirmed", community.coordinator)


def test_a_short_delivery_counts_what_arrived_and_returns_the_rest(community, run):
    delivery, need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    [line] = delivery.lines.all()
    deliveries.mark_delivered(
        driver, delivery, recipient_name="Олена", received={line.pk: Decimal(70)}
    )
    need.refresh_from_db()
    assert (need.status, need.quantity_covered) == ("partly_covered", Decimal(70))
    assert on_hand(community.school) == Decimal(80) and on_hand(community.office) == Decimal(70)


def test_more_than_was_loaded_cannot_be_delivered(community, run):
    delivery, _need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    [line] = delivery.lines.all()
    with pytest.raises(ValidationError):
        deliveries.mark_delivered(
            driver, delivery, recipient_name="Олена", received={line.pk: Decimal(101)}
        )
    with pytest.raises(ValidationError):
        deliveries.mark_delivered(driver, delivery, recipient_name="  ")


def test_a_failed_run_puts_the_goods_back_on_the_hubs_shelf(community, run):
    delivery, need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    deliveries.fail_delivery(driver, delivery, reason="Обстріл, дорога перекрита")
    assert on_hand(community.school) == Decimal(150)
    assert deliveries.in_transit(delivery) == {}
    need.refresh_from_db()
    assert need.quantity_covered == 0


def test_steps_out_of_order_are_refused(community, run):
    delivery, _need, driver = run
    with pytest.raises(ValidationError):
        deliveries.pick_up(driver, delivery)  # not claimed
    deliveries.claim_delivery(driver, delivery)
    with pytest.raises(ValidationError):
        deliveries.mark_delivered(driver, delivery, recipient_name="x")  # not picked up
    with pytest.raises(ValidationError):
        deliveries.confirm_delivery(community.coordinator, delivery)


def test_a_plan_cannot_promise_stock_the_hub_does_not_have_free(community, run):
    with pytest.raises(ValidationError) as error:
        deliveries.plan_delivery(
            community.coordinator,
            from_place=community.school,
            to_place=community.shelter,
            lines=[LineIn(item("blankets"), Decimal(60))],
        )
    assert "only 50" in error.value.message_dict["lines"][0]


def test_only_the_hubs_people_drive_and_only_its_coordinators_plan(community, run):
    delivery, _need, _driver = run
    with pytest.raises(PermissionDenied):
        deliveries.claim_delivery(community.doctor, delivery)
    with pytest.raises(PermissionDenied):
        deliveries.plan_delivery(
            community.volunteer,
            from_place=community.school,
            to_place=community.office,
            lines=[LineIn(item("blankets"), Decimal(1))],
        )


def test_a_second_driver_is_told_someone_else_was_first(community, run):
    delivery, _need, driver = run
    other = make_user(roles={community.council: [Role.VOLUNTEER]})
    deliveries.claim_delivery(driver, delivery)
    with pytest.raises(ValidationError) as error:
        deliveries.claim_delivery(other, delivery)
    assert "Someone else" in error.value.messages[0]
    assert deliveries.claim_delivery(driver, delivery).driver == driver  # a double tap is harmless


def test_a_claim_that_sat_too_long_goes_back_to_the_pool_and_the_driver_is_told(
    community, run, mailoutbox, django_capture_on_commit_callbacks
):
    delivery, _need, driver = run
    driver.email = "driver@example.org"
    driver.language = "en"
    driver.save()
    deliveries.claim_delivery(driver, delivery)
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(hours=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries.release_stale_claims() == 1
        assert deliveries.release_stale_claims() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.driver) == ("planned", None)
    assert any("back to the pool" in m.body for m in mailoutbox)


def test_a_driver_holding_too_many_unmoved_claims_cannot_claim_more(community):
    stock_up(community.school, "candles", 100)
    driver = make_user(roles={community.council: [Role.VOLUNTEER]})
    runs = [
        deliveries.plan_delivery(
            community.coordinator,
            from_place=community.school,
            to_place=community.office,
            lines=[LineIn(item("candles"), Decimal(1))],
        )[0]
        for _ in range(deliveries.MAX_OPEN_CLAIMS + 1)
    ]
    for delivery in runs[:-1]:
        deliveries.claim_delivery(driver, delivery)
    with pytest.raises(ValidationError) as error:
        deliveries.claim_delivery(driver, runs[-1])
    assert "before you claim more" in error.value.messages[0]
    deliveries.pick_up(driver, runs[0])
    deliveries.claim_delivery(driver, runs[-1])


def test_cancelling_after_pickup_returns_the_goods(community, run):
    delivery, _need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    with pytest.raises(PermissionDenied):
        deliveries.cancel_delivery(driver, delivery)
    deliveries.cancel_delivery(community.coordinator, delivery, reason="Не потрібно")
    assert on_hand(community.school) == Decimal(150)
    assert StockMove.objects.filter(delivery=delivery).count() == 2


def test_a_delivery_photo_is_shrunk_and_stripped_of_its_location(
    community, run, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    delivery, _need, driver = run
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (50.0, 18.0, 36.0)}  # a GPS position
    Image.new("RGB", (4000, 3000), "red").save(raw, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("photo.jpg", raw.getvalue(), content_type="image/jpeg")
    deliveries.mark_delivered(driver, delivery, recipient_name="Олена", photo=upload)
    delivery.refresh_from_db()
    kept = Image.open(delivery.photo.open())
    assert max(kept.size) == deliveries.PHOTO_MAX_PIXELS
    assert 0x8825 not in kept.getexif()
    with pytest.raises(ValidationError):
        deliveries._shrunk_photo(SimpleUploadedFile("x.jpg", b"not an image"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drivers_pressing_claim_at_the_same_moment_one_wins():
    """Real threads, real connections: on PostgreSQL the row lock decides, on SQLite the
    IMMEDIATE transaction does. Exactly one claim succeeds, the other is told."""
    from hromada.core.tests.factories import make_area, make_organization, make_place

    org = make_organization()
    area = make_area()
    hub, place = make_place(organization=org, area=area), make_place(organization=org, area=area)
    coordinator = make_user(roles={org: [Role.COORDINATOR]})
    drivers = [make_user(roles={org: [Role.VOLUNTEER]}) for _ in range(2)]
    stock_up(hub, "candles", 10)
    delivery, _ = deliveries.plan_delivery(
        coordinator, from_place=hub, to_place=place, lines=[LineIn(item("candles"), Decimal(5))]
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(driver):
        try:
            barrier.wait()
            deliveries.claim_delivery(driver, Delivery.objects.get(pk=delivery.pk))
            outcomes.append("won")
        except ValidationError:
            outcomes.append("told")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(d,)) for d in drivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["told", "won"], (connection.vendor, outcomes)
    delivery.refresh_from_db()
    assert delivery.driver in drivers and delivery.status == "claimed"

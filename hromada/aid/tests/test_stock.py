import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hromada.aid.models import StockLevel, StockMove
from hromada.aid.services import stock
from hromada.aid.tests.factories import item, stock_up
from hromada.core.models import Role
from hromada.core.tests.factories import make_area, make_organization, make_place, make_user

TODAY = datetime.date(2026, 11, 25)


def level(place, code):
    return stock.on_hand(place, item(code))


def test_a_donation_enters_the_stock_and_a_distribution_leaves_it(community):
    stock.receive_stock(
        community.coordinator, place=community.school, item=item("blankets"), quantity=Decimal(40)
    )
    stock.issue_stock(
        community.coordinator, place=community.school, item=item("blankets"), quantity=Decimal(15)
    )
    assert level(community.school, "blankets") == Decimal(25)
    reasons = list(StockMove.objects.order_by("pk").values_list("reason", "from_place", "to_place"))
    assert reasons == [
        ("donation", None, community.school.pk),
        ("distribution", community.school.pk, None),
    ]


def test_stock_never_goes_below_zero_and_the_refusal_says_how_much_is_there(community):
    stock_up(community.school, "blankets", 10)
    with pytest.raises(ValidationError) as error:
        stock.issue_stock(
            community.coordinator,
            place=community.school,
            item=item("blankets"),
            quantity=Decimal(11),
        )
    assert "Only 10" in error.value.message_dict["quantity"][0]
    assert level(community.school, "blankets") == Decimal(10)
    assert StockMove.objects.count() == 1


def test_the_earliest_expiry_is_used_first(community):
    soon, later = TODAY + datetime.timedelta(days=3), TODAY + datetime.timedelta(days=30)
    stock_up(community.school, "baby-formula", 10, expires_on=later, batch="B")
    stock_up(community.school, "baby-formula", 10, expires_on=soon, batch="A")
    moves = stock.issue_stock(
        community.coordinator,
        place=community.school,
        item=item("baby-formula"),
        quantity=Decimal(15),
    )
    assert [(m.batch, m.quantity) for m in moves] == [("A", Decimal(10)), ("B", Decimal(5))]
    left = StockLevel.objects.get(place=community.school, batch="B")
    assert left.quantity == Decimal(5)
    assert list(stock.expiring(StockLevel.objects.all(), today=TODAY)) == []
    assert not left.expires_within(7, today=TODAY)


def test_perishables_need_an_expiry_date(community):
    with pytest.raises(ValidationError) as error:
        stock.receive_stock(
            community.coordinator, place=community.school, item=item("bread"), quantity=Decimal(5)
        )
    assert "expires_on" in error.value.message_dict


def test_a_count_is_recorded_as_a_correction_move(community):
    stock_up(community.school, "candles", 50)
    stock.count_stock(
        community.coordinator, place=community.school, item=item("candles"), counted=Decimal(47)
    )
    assert level(community.school, "candles") == Decimal(47)
    correction = StockMove.objects.latest("pk")
    assert (correction.reason, correction.quantity, correction.from_place) == (
        "correction",
        3,
        community.school,
    )
    assert (
        stock.count_stock(
            community.coordinator, place=community.school, item=item("candles"), counted=Decimal(47)
        )
        == []
    )


def test_a_mistaken_move_is_reversed_by_its_mirror_and_the_original_stays(community):
    stock_up(community.school, "candles", 20)
    [wrong] = stock.transfer_stock(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        item=item("candles"),
        quantity=Decimal(5),
    )
    with pytest.raises(ValidationError):
        stock.reverse_move(community.coordinator, wrong, note="")
    [mirror] = stock.reverse_move(community.coordinator, wrong, note="Не той склад")
    assert (mirror.from_place, mirror.to_place, mirror.corrects) == (
        community.office,
        community.school,
        wrong,
    )
    assert (
        level(community.school, "candles") == Decimal(20)
        and level(community.office, "candles") == 0
    )
    with pytest.raises(TypeError):
        wrong.save()
    with pytest.raises(TypeError):
        wrong.delete()


@pytest.mark.parametrize(
    "persona", ["volunteer", "analyst", "doctor", "other_coordinator", "anonymous"]
)
def test_only_the_places_coordinators_change_its_stock(community, persona):
    with pytest.raises(PermissionDenied):
        stock.receive_stock(
            getattr(community, persona),
            place=community.school,
            item=item("candles"),
            quantity=Decimal(1),
        )
    assert not StockMove.objects.exists()


def test_the_check_finds_a_drifted_cache_and_repairs_it(community):
    stock_up(community.school, "candles", 20)
    assert stock.check_levels() == []
    StockLevel.objects.filter(place=community.school).update(quantity=Decimal(999))
    [drift] = stock.check_levels(repair=True)
    assert (drift.cached, drift.derived) == (Decimal(999), Decimal(20))
    assert stock.check_levels() == []


class LedgerMachine(RuleBasedStateMachine):
    """Random receive, transfer, deliver, spoil and correct: the stock never goes negative,
    and every level equals the sum of the moves."""

    @initialize()
    def town(self):
        org = make_organization()
        area = make_area()
        self.places = [make_place(organization=org, area=area) for _ in range(3)]
        self.actor = make_user(roles={org: [Role.COORDINATOR]})
        self.items = [item("candles"), item("baby-formula")]

    def _try(self, action):
        try:
            with transaction.atomic():
                action()
        except ValidationError:
            pass

    @rule(p=st.integers(0, 2), i=st.integers(0, 1), q=st.integers(1, 50), days=st.integers(-2, 40))
    def receive(self, p, i, q, days):
        expiry = (
            timezone.localdate() + datetime.timedelta(days=days)
            if self.items[i].perishable
            else None
        )
        self._try(
            lambda: stock.receive_stock(
                self.actor,
                place=self.places[p],
                item=self.items[i],
                quantity=Decimal(q),
                expires_on=expiry,
            )
        )

    @rule(a=st.integers(0, 2), b=st.integers(0, 2), i=st.integers(0, 1), q=st.integers(1, 60))
    def transfer(self, a, b, i, q):
        self._try(
            lambda: stock.transfer_stock(
                self.actor,
                from_place=self.places[a],
                to_place=self.places[b],
                item=self.items[i],
                quantity=Decimal(q),
            )
        )

    @rule(p=st.integers(0, 2), i=st.integers(0, 1), q=st.integers(1, 60))
    def deliver(self, p, i, q):
        self._try(
            lambda: stock.move(
                self.actor,
                item=self.items[i],
                quantity=Decimal(q),
                reason=StockMove.Reason.DELIVERY,
                from_place=self.places[p],
            )
        )

    @rule(p=st.integers(0, 2), i=st.integers(0, 1), q=st.integers(1, 60))
    def spoil(self, p, i, q):
        self._try(
            lambda: stock.issue_stock(
                self.actor,
                place=self.places[p],
                item=self.items[i],
                quantity=Decimal(q),
                reason="spoilage",
                note="зіпсувалося",
            )
        )

    @rule(p=st.integers(0, 2), q=st.integers(0, 80))
    def count(self, p, q):
        self._try(
            lambda: stock.count_stock(
                self.actor, place=self.places[p], item=self.items[0], counted=Decimal(q)
            )
        )

    @invariant()
    def never_negative_and_always_the_sum_of_moves(self):
        assert not StockLevel.objects.filter(quantity__lt=0).exists()
        assert stock.check_levels() == []


@pytest.mark.django_db
def test_the_ledger_holds_under_random_operations():
    machine = LedgerMachine.TestCase
    machine.settings = hypothesis_settings(max_examples=25, stateful_step_count=25, deadline=None)
    machine().runTest()


def test_check_stock_reports_drift_and_repairs_it_when_asked(community):
    from io import StringIO

    from django.core.management import call_command

    stock_up(community.school, "candles", 20)
    out = StringIO()
    call_command("check_stock", stdout=out)
    assert out.getvalue().strip().endswith("0 found.")
    StockLevel.objects.filter(place=community.school).update(quantity=Decimal(7))
    out = StringIO()
    call_command("check_stock", "--repair", stdout=out)
    assert "1 repaired" in out.getvalue() and "cached 7" in out.getvalue()
    assert stock.on_hand(community.school, item("candles")) == Decimal(20)

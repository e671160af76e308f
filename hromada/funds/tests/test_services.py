import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from hromada.aid.models import StockMove
from hromada.aid.services import deliveries, stock
from hromada.aid.tests.factories import item, make_need
from hromada.core.models import Role
from hromada.core.tests.factories import make_organization, make_place, make_user
from hromada.funds import selectors, services
from hromada.funds.models import Donation, ExchangeRate, Expense, Purchase
from hromada.funds.tests.factories import make_fund, make_rate, receipt_file

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def fund(community):
    return make_fund(organization=community.council, approval_threshold=Decimal("1000.00"))


def spend(actor, fund, amount="100.00", **fields):
    defaults = {
        "currency": "UAH",
        "spent_on": YESTERDAY,
        "payee": "ФОП Коваль",
        "purpose": "Хліб",
        "category": "food",
    }
    defaults.update(fields)
    expense, _created = services.record_expense(actor, fund, amount=Decimal(amount), **defaults)
    return expense


def give(actor, fund, amount="1000.00", **fields):
    defaults = {"currency": "UAH", "received_on": YESTERDAY}
    defaults.update(fields)
    donation, _created = services.record_donation(actor, fund, amount=Decimal(amount), **defaults)
    return donation


def test_a_donation_and_an_expense_leave_the_balance_to_the_cent(community, fund):
    give(community.coordinator, fund, "1000.10")
    spend(community.coordinator, fund, "0.30")
    assert services.balances(fund) == {"UAH": Decimal("999.80")}


def test_an_amount_with_more_than_two_decimals_or_a_float_is_refused(community, fund):
    with pytest.raises(ValidationError) as error:
        give(community.coordinator, fund, "10.005")
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.record_donation(
            community.coordinator, fund, amount=10.1, currency="UAH", received_on=YESTERDAY
        )
    assert not Donation.objects.exists()


def test_the_same_reference_is_recorded_once(community, fund):
    give(community.coordinator, fund, reference="BANK-1")
    with pytest.raises(ValidationError) as error:
        give(community.coordinator, fund, reference="BANK-1")
    assert "reference" in error.value.message_dict
    assert Donation.objects.count() == 1


def test_a_donation_is_never_edited_only_corrected(community, fund):
    donation = give(community.coordinator, fund, "500.00")
    with pytest.raises(TypeError):
        donation.save()
    services.correct_donation(
        community.coordinator, donation, amount=Decimal("450.00"), note="Комісія"
    )
    services.correct_donation(community.coordinator, donation, amount=Decimal("475.00"), note="Ні")
    assert services.balances(fund) == {"UAH": Decimal("475.00")}
    assert [c.amount for c in donation.corrections.order_by("pk")] == [
        Decimal("-50.00"),
        Decimal("25.00"),
    ]


def test_sums_are_exact_to_the_cent_on_every_database(community, fund):
    # SQLite adds decimals as floating point: 2.01 - 2.00 would be 0.00999...
    donation = give(community.coordinator, fund, "2.01")
    services.correct_donation(community.coordinator, donation, amount=Decimal("0.01"), note="x")
    services.correct_donation(community.coordinator, donation, amount=Decimal("0.03"), note="y")
    assert services.balances(fund) == {"UAH": Decimal("0.03")}
    assert services.sums(Donation.objects.all()) == {(): Decimal("0.03")}
    assert services.sums(donation.corrections.all()) == {(): Decimal("-1.98")}


def test_a_volunteer_may_not_record_money(community, fund):
    with pytest.raises(PermissionDenied):
        give(community.volunteer, fund)
    with pytest.raises(PermissionDenied):
        give(community.other_coordinator, fund)


def test_an_expense_above_the_threshold_is_not_spent_until_a_second_person_approves(
    community, fund
):
    give(community.coordinator, fund, "5000.00")
    expense = spend(community.coordinator, fund, "2000.00")
    assert expense.status == Expense.Status.AWAITING
    assert services.balances(fund) == {"UAH": Decimal("5000.00")}
    with pytest.raises(PermissionDenied):
        services.approve_expense(community.coordinator, expense)  # not the one who recorded it
    with pytest.raises(PermissionDenied):
        services.approve_expense(community.analyst, expense)  # a member, not a manager
    services.approve_expense(community.org_admin, expense)
    expense.refresh_from_db()
    assert expense.status == Expense.Status.SPENT and expense.decided_by == community.org_admin
    assert services.balances(fund) == {"UAH": Decimal("3000.00")}


def test_a_rejected_expense_never_counts(community, fund):
    give(community.coordinator, fund, "5000.00")
    expense = spend(community.coordinator, fund, "2000.00")
    with pytest.raises(ValidationError):
        services.reject_expense(community.org_admin, expense, reason="")
    services.reject_expense(community.org_admin, expense, reason="Завелика ціна")
    with pytest.raises(ValidationError):
        services.approve_expense(community.org_admin, expense)
    assert services.balances(fund) == {"UAH": Decimal("5000.00")}


def test_an_expense_the_fund_cannot_pay_is_refused(community, fund):
    give(community.coordinator, fund, "100.00")
    with pytest.raises(ValidationError) as error:
        spend(community.coordinator, fund, "100.01")
    assert "amount" in error.value.message_dict
    assert not Expense.objects.exists()


def test_money_in_another_currency_needs_a_rate_to_be_weighed_against_the_threshold(
    community, fund
):
    give(community.coordinator, fund, "500.00", currency="EUR")
    with pytest.raises(ValidationError) as error:
        spend(community.coordinator, fund, "30.00", currency="EUR")
    assert "rate" in error.value.message_dict["currency"][0]
    make_rate("EUR", "44.00")
    expense = spend(community.coordinator, fund, "30.00", currency="EUR")  # 1320 UAH > 1000
    assert expense.base_amount == Decimal("1320.00")
    assert expense.status == Expense.Status.AWAITING


def test_currencies_are_never_added_without_a_rate(community, fund):
    give(community.coordinator, fund, "1000.00")
    give(community.coordinator, fund, "100.00", currency="USD")
    total = selectors.summary(fund).raised
    assert total.converted is None and total.missing == ["USD"]
    assert total.by_currency == {"UAH": Decimal("1000.00"), "USD": Decimal("100.00")}
    make_rate("USD", "41.00")
    total = selectors.summary(fund).raised
    assert total.converted == Decimal("5100.00")
    assert [str(r).split(" (")[0] for r in total.rates] == ["1 USD = 41 UAH"]


def test_the_rate_used_is_the_latest_one_on_or_before_the_day(community):
    make_rate("EUR", "40.00", on=YESTERDAY - datetime.timedelta(days=10))
    make_rate("EUR", "45.00", on=YESTERDAY)
    assert services.rate_for("EUR", "UAH", YESTERDAY - datetime.timedelta(days=1)).rate == Decimal(
        "40.00"
    )
    assert services.rate_for("EUR", "UAH", YESTERDAY).rate == Decimal("45.00")
    assert services.rate_for("UAH", "EUR", YESTERDAY).rate == Decimal("0.022222")  # the inverse


def test_spending_an_earmark_beyond_what_was_given_needs_a_confirmation(community, fund):
    give(community.coordinator, fund, "300.00", earmark_category="medicine")
    give(community.coordinator, fund, "700.00")
    spend(community.coordinator, fund, "200.00", category="medicine", earmark_category="medicine")
    with pytest.raises(ValidationError) as error:
        spend(
            community.coordinator, fund, "150.00", category="medicine", earmark_category="medicine"
        )
    assert "100.00" in error.value.message_dict["confirm_overspend"][0]
    assert Expense.objects.count() == 1
    expense = spend(
        community.coordinator, fund, "150.00", earmark_category="medicine", confirm_overspend=True
    )
    assert expense.overspend_confirmed
    [earmark] = selectors.earmarks(community.anonymous, fund)
    assert earmark.overspent and earmark.left == Decimal("-50.00")


def test_a_purchase_puts_its_goods_in_stock_in_the_same_transaction(community, fund):
    give(community.coordinator, fund, "900.00")
    expense = spend(
        community.coordinator,
        fund,
        "600.00",
        category="fortification",
        receipt=receipt_file(),
        purchases=[services.PurchaseIn(item("candles"), Decimal(40), community.school)],
    )
    purchase = Purchase.objects.get(expense=expense)
    assert purchase.batch == f"FND{expense.pk}-1"
    assert purchase.stock_move.reason == StockMove.Reason.PURCHASE
    assert stock.on_hand(community.school, item("candles")) == Decimal(40)
    assert expense.has_receipt


def test_a_refused_purchase_writes_neither_money_nor_stock(community, fund):
    give(community.coordinator, fund, "900.00")
    with pytest.raises(ValidationError) as error:
        spend(
            community.coordinator,
            fund,
            "100.00",
            purchases=[services.PurchaseIn(item("baby-formula"), Decimal(5), community.school)],
        )
    assert "purchases" in error.value.message_dict  # it spoils: an expiry is needed
    other_org = make_place(organization=make_organization())
    with pytest.raises(ValidationError):
        spend(
            community.coordinator,
            fund,
            "100.00",
            purchases=[services.PurchaseIn(item("candles"), Decimal(5), other_org)],
        )
    assert not Expense.objects.exists() and not StockMove.objects.exists()


def test_an_approved_purchase_reaches_stock_only_on_approval(community, fund):
    give(community.coordinator, fund, "5000.00")
    expense = spend(
        community.coordinator,
        fund,
        "3000.00",
        purchases=[services.PurchaseIn(item("candles"), Decimal(10), community.school)],
    )
    assert not StockMove.objects.exists()
    services.approve_expense(community.org_admin, expense)
    assert stock.on_hand(community.school, item("candles")) == Decimal(10)


def test_a_donation_earmarked_for_a_need_is_followed_to_the_delivery_it_paid_for(community, fund):
    need = make_need(place=community.office, item=item("candles"), quantity=Decimal(30))
    give(community.coordinator, fund, "800.00", earmark_need=need)
    expense = spend(
        community.coordinator,
        fund,
        "500.00",
        category="power",
        earmark_need=need,
        purchases=[services.PurchaseIn(item("candles"), Decimal(30), community.school)],
    )
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.office,
        lines=[deliveries.LineIn(item("candles"), Decimal(30), need)],
    )
    deliveries.claim_delivery(community.coordinator, delivery)
    deliveries.pick_up(community.coordinator, delivery)

    [earmark] = selectors.earmarks(community.anonymous, fund)
    assert earmark.key == f"need-{need.pk}"
    _donations, paid = selectors.earmark_rows(fund, earmark.key)
    assert list(paid) == [expense]
    [trail] = selectors.trails(community.anonymous, list(paid))[expense.pk]
    [carried] = trail.deliveries
    assert (carried.delivery, carried.quantity, carried.to_label) == (
        delivery,
        Decimal(30),
        community.office.name,
    )


def test_a_delivery_to_a_restricted_place_is_not_named_to_the_public(community, fund):
    give(community.coordinator, fund, "800.00")
    expense = spend(
        community.coordinator,
        fund,
        "100.00",
        purchases=[services.PurchaseIn(item("candles"), Decimal(5), community.school)],
    )
    delivery, _ = deliveries.plan_delivery(
        community.coordinator,
        from_place=community.school,
        to_place=community.shelter,
        lines=[deliveries.LineIn(item("candles"), Decimal(5))],
    )
    deliveries.claim_delivery(community.coordinator, delivery)
    deliveries.pick_up(community.coordinator, delivery)
    [public] = selectors.trails(community.anonymous, [expense])[expense.pk]
    [own] = selectors.trails(community.coordinator, [expense])[expense.pk]
    assert public.deliveries[0].to_label == "a place not shown publicly"
    assert own.deliveries[0].to_label == community.shelter.name


def test_a_conversion_moves_money_between_currencies(community, fund):
    give(community.coordinator, fund, "100.00", currency="EUR")
    services.convert_currency(
        community.coordinator,
        fund,
        sold_amount=Decimal("60.00"),
        sold_currency="EUR",
        bought_amount=Decimal("2640.00"),
        bought_currency="UAH",
        on=YESTERDAY,
    )
    assert services.balances(fund) == {"EUR": Decimal("40.00"), "UAH": Decimal("2640.00")}
    with pytest.raises(ValidationError):
        services.convert_currency(
            community.coordinator,
            fund,
            sold_amount=Decimal("41.00"),
            sold_currency="EUR",
            bought_amount=Decimal("1.00"),
            bought_currency="UAH",
            on=YESTERDAY,
        )


class FundLedger(RuleBasedStateMachine):
    """Random donations, expenses (some waiting, some approved or rejected), corrections and
    conversions: the balance in each currency is always exactly the sum we expect, to the cent."""

    @initialize()
    def fund(self):
        org = make_organization()
        self.first = make_user(roles={org: [Role.COORDINATOR]})
        self.second = make_user(roles={org: [Role.ORG_ADMIN]})
        self.fund = make_fund(organization=org, approval_threshold=Decimal("500.00"))
        # Examples share the database: the rate of the first one serves them all.
        ExchangeRate.objects.get_or_create(
            currency="EUR", quote="UAH", on=YESTERDAY, defaults={"rate": Decimal("44.00")}
        )
        self.expected = {"UAH": Decimal(0), "EUR": Decimal(0)}
        self.donations: list = []
        self.spent: list = []
        self.waiting: list = []

    def _try(self, action):
        try:
            with transaction.atomic():
                return action()
        except ValidationError:
            return None

    @rule(cents=st.integers(1, 200_000), eur=st.booleans())
    def donate(self, cents, eur):
        currency = "EUR" if eur else "UAH"
        amount = Decimal(cents) / 100
        donation = self._try(lambda: give(self.first, self.fund, str(amount), currency=currency))
        if donation is not None:
            self.expected[currency] += amount
            self.donations.append(donation)

    @rule(cents=st.integers(1, 100_000), eur=st.booleans())
    def pay(self, cents, eur):
        currency = "EUR" if eur else "UAH"
        amount = Decimal(cents) / 100
        expense = self._try(lambda: spend(self.first, self.fund, str(amount), currency=currency))
        if expense is None:
            assert amount > self.expected[currency]
        elif expense.status == Expense.Status.SPENT:
            self.expected[currency] -= amount
            self.spent.append(expense)
        else:
            self.waiting.append(expense)

    @rule(approve=st.booleans())
    def decide(self, approve):
        if not self.waiting:
            return
        expense = self.waiting.pop()
        if approve:
            done = self._try(lambda: services.approve_expense(self.second, expense))
            if done is not None:
                self.expected[expense.currency] -= expense.amount
                self.spent.append(expense)
        else:
            services.reject_expense(self.second, expense, reason="Ні")

    @rule(index=st.integers(0, 50), cents=st.integers(0, 200_000))
    def correct_donation(self, index, cents):
        if not self.donations:
            return
        donation = self.donations[index % len(self.donations)]
        before = donation.amount + sum(c.amount for c in donation.corrections.all())
        right = Decimal(cents) / 100
        if self._try(
            lambda: services.correct_donation(self.first, donation, amount=right, note="x")
        ):
            self.expected[donation.currency] += right - before

    @rule(index=st.integers(0, 50), cents=st.integers(0, 100_000))
    def correct_expense(self, index, cents):
        if not self.spent:
            return
        expense = self.spent[index % len(self.spent)]
        before = expense.amount + sum(c.amount for c in expense.corrections.all())
        right = Decimal(cents) / 100
        if self._try(lambda: services.correct_expense(self.first, expense, amount=right, note="x")):
            self.expected[expense.currency] -= right - before

    @rule(cents=st.integers(1, 50_000))
    def convert(self, cents):
        sold = Decimal(cents) / 100
        bought = (sold * 44).quantize(Decimal("0.01"))
        done = self._try(
            lambda: services.convert_currency(
                self.first,
                self.fund,
                sold_amount=sold,
                sold_currency="EUR",
                bought_amount=bought,
                bought_currency="UAH",
                on=YESTERDAY,
            )
        )
        if done is not None:
            self.expected["EUR"] -= sold
            self.expected["UAH"] += bought

    @invariant()
    def the_ledger_balances_to_the_cent(self):
        held = services.balances(self.fund)
        for currency, amount in self.expected.items():
            assert held.get(currency, Decimal(0)) == amount
            assert amount >= 0  # never spent what it did not hold


@pytest.mark.django_db
def test_the_ledger_balances_after_any_sequence_of_entries_and_corrections():
    machine = FundLedger.TestCase
    machine.settings = hypothesis_settings(max_examples=12, stateful_step_count=15, deadline=None)
    machine().runTest()

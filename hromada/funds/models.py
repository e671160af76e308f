"""Funds: money in (donations), money out (expenses), and what the money bought.

The ledger is append-only, like the stock ledger: a donation or an expense is never edited or
deleted; a mistake is put right by a correction, a new row that names the row it corrects and
carries the difference. A fund's balance in a currency is the sum of its rows in that currency,
so it is exact to the cent after any sequence of entries and corrections.

Money is ``Decimal`` with two places and always carries its currency. Amounts in different
currencies are added only through a dated ``ExchangeRate`` (entered or imported, never fetched).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.aid.models import Category as AidCategory
from hromada.aid.models import Item, Need, StockMove
from hromada.core.models import Organization, Place

CENT = Decimal("0.01")
NOTE_MAX = 2000


class Currency(models.TextChoices):
    UAH = "UAH", _("Ukrainian hryvnia")
    EUR = "EUR", _("Euro")
    USD = "USD", _("US dollar")
    PLN = "PLN", _("Polish złoty")
    GBP = "GBP", _("Pound sterling")


# What money is spent on, and what a donor may earmark it for: the aid categories (so that a
# purchase of bread and a donation for food meet) and the costs that buy no goods.
SPENDING_CATEGORIES = [
    *AidCategory.choices,
    ("transport", _("Transport and fuel for runs")),
    ("services", _("Services and repairs")),
    ("fees", _("Bank fees")),
]


class Fund(models.Model):
    """A campaign or an organisation's account. ``approval_threshold`` is in ``base_currency``:
    an expense worth more needs a second person's approval before it counts as spent."""

    name = models.CharField(_("name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="funds", verbose_name=_("organisation")
    )
    purpose = models.TextField(_("purpose"), validators=[MaxLengthValidator(NOTE_MAX)])
    currencies = models.JSONField(_("currencies accepted"), default=list)
    base_currency = models.CharField(
        _("currency of totals"), max_length=3, choices=Currency.choices, default=Currency.UAH
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("A public fund has a transparency page anyone can read."),
    )
    approval_threshold = models.DecimalField(
        _("second approval above"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("10000.00"),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "Expenses worth more than this (in the currency of totals) need a second person."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="fund_name_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(approval_threshold__gte=0), name="fund_threshold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def accepts(self, currency: str) -> bool:
        return currency in self.currencies or currency == self.base_currency


class ExchangeRate(models.Model):
    """One unit of ``currency`` was worth ``rate`` units of ``quote`` on ``on`` (the NBU rate,
    a bank's rate, or what a conversion really got). A total uses the latest rate on or before
    the day of the money it converts, and says which."""

    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    quote = models.CharField(_("in"), max_length=3, choices=Currency.choices, default=Currency.UAH)
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "quote", "on"], name="one_rate_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
            models.CheckConstraint(
                condition=~Q(currency=models.F("quote")), name="rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.quote} ({self.on})"


class Channel(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    CRYPTO = "crypto", _("Crypto")
    IN_KIND = "in_kind", _("In kind")


class Earmarked(models.Model):
    """What money is for: a category, a place or a need (any of them, or none)."""

    earmark_category = models.CharField(
        _("for the category"), max_length=32, choices=SPENDING_CATEGORIES, blank=True
    )
    earmark_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("for the place"),
    )
    earmark_need = models.ForeignKey(
        Need,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("for the need"),
    )

    class Meta:
        abstract = True

    @property
    def earmark_key(self) -> str:
        """ "need-12", "place-3", "category-food" or "" (the most precise one given)."""
        if self.earmark_need_id:
            return f"need-{self.earmark_need_id}"
        if self.earmark_place_id:
            return f"place-{self.earmark_place_id}"
        if self.earmark_category:
            return f"category-{self.earmark_category}"
        return ""


class Donation(Earmarked):
    """Money (or goods, valued) given to a fund. The donor is named on public pages and
    exports only when they agreed (``donor_public``); by default nobody is."""

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="donations", verbose_name=_("fund")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.BANK
    )
    donor_name = models.CharField(_("donor"), max_length=200, blank=True)
    donor_contact = models.CharField(_("donor's e-mail or phone"), max_length=200, blank=True)
    donor_public = models.BooleanField(
        _("the donor agrees to be named"),
        default=False,
        help_text=_("Only then is the name shown on the public page and in exports."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_(
            "The bank's or the payment system's reference: a second entry with it is refused."
        ),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    statement = models.ForeignKey(
        "StatementImport", null=True, blank=True, on_delete=models.PROTECT, related_name="donations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["fund", "received_on"], name="donation_fund_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "reference"],
                condition=~Q(reference="") & Q(corrects__isnull=True),
                name="donation_reference_once_per_fund",
                violation_error_message=_("A donation with this reference is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="donation_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} · {self.received_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Donations are never edited: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Donations are never deleted: record a correction instead.")

    @property
    def public_donor(self) -> str:
        """The name a public page may show: the donor's, only when they agreed."""
        return self.donor_name if self.donor_public and self.donor_name else ""


def _receipt_path(expense: Expense, filename: str) -> str:
    # MEDIA_ROOT is never served: receipts are read through the fund's permission check.
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"funds/receipts/{expense.fund_id}/{timezone.now():%Y%m%d%H%M%S%f}.{suffix}"


class Expense(Earmarked):
    """Money paid out of a fund. Above the fund's threshold it waits for a second person;
    only a spent expense (recorded below the threshold, or approved) counts against the
    balance, and only then are the goods it bought received into stock."""

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting approval")
        SPENT = "spent", _("Spent")
        REJECTED = "rejected", _("Rejected")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("fund")
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    spent_on = models.DateField(_("date"))
    payee = models.CharField(_("paid to"), max_length=200)
    purpose = models.CharField(_("what for"), max_length=300)
    category = models.CharField(_("category"), max_length=32, choices=SPENDING_CATEGORIES)
    receipt = models.FileField(_("receipt"), upload_to=_receipt_path, max_length=200, blank=True)
    receipt_type = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SPENT
    )
    base_amount = models.DecimalField(
        _("worth in the currency of totals"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    rate = models.ForeignKey(
        ExchangeRate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    overspend_confirmed = models.BooleanField(default=False, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-pk"]
        indexes = [
            models.Index(fields=["fund", "status", "spent_on"], name="expense_fund_status_day")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(corrects__isnull=False) & ~Q(amount=0)),
                name="expense_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.amount} {self.currency}"

    @property
    def is_spent(self) -> bool:
        return self.status == self.Status.SPENT

    @property
    def has_receipt(self) -> bool:
        return bool(self.receipt)


class Purchase(models.Model):
    """One kind of goods an expense bought, received at a hub as a lot of its own.

    The lot's batch label (``batch``) is carried by every later stock move of those goods,
    so the lot can be followed through the hub's FEFO picking to the deliveries that took it."""

    expense = models.ForeignKey(Expense, on_delete=models.CASCADE, related_name="purchases")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    hub = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", verbose_name=_("received at")
    )
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    stock_move = models.OneToOneField(
        StockMove, null=True, blank=True, on_delete=models.PROTECT, related_name="funded_by"
    )

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class Conversion(models.Model):
    """Money of a fund changed from one currency to another at the bank: it leaves one balance
    and reaches another, and its own rate is what it really got."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="conversions")
    sold_amount = models.DecimalField(
        _("sold"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    sold_currency = models.CharField(_("sold currency"), max_length=3, choices=Currency.choices)
    bought_amount = models.DecimalField(
        _("received"), max_digits=14, decimal_places=2, validators=[MinValueValidator(CENT)]
    )
    bought_currency = models.CharField(
        _("received currency"), max_length=3, choices=Currency.choices
    )
    on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("currency conversion")
        verbose_name_plural = _("currency conversions")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sold_amount__gt=0) & Q(bought_amount__gt=0), name="conversion_positive"
            ),
            models.CheckConstraint(
                condition=~Q(sold_currency=models.F("bought_currency")),
                name="conversion_two_currencies",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.sold_amount} {self.sold_currency} → {self.bought_amount} {self.bought_currency}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Conversions are never edited.")
        super().save(*args, **kwargs)


class BankMapping(models.Model):
    """Which column of one bank's statement holds what, saved per organisation and bank, so the
    next statement of that bank imports without asking again."""

    FIELDS = ("date", "amount", "currency", "reference", "donor", "description")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    bank = models.CharField(_("bank"), max_length=100)
    columns = models.JSONField(_("columns"), default=dict)  # field -> header in the file
    date_format = models.CharField(_("date format"), max_length=20, default="%d.%m.%Y")
    default_currency = models.CharField(
        _("currency when the file has none"),
        max_length=3,
        choices=Currency.choices,
        default=Currency.UAH,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bank column mapping")
        verbose_name_plural = _("bank column mappings")
        ordering = ["bank"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "bank"], name="one_mapping_per_bank")
        ]

    def __str__(self) -> str:
        return self.bank


class StatementImport(models.Model):
    """One bank statement imported into a fund: how many donations it added, which references
    it skipped as already recorded."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="statements")
    bank = models.CharField(_("bank"), max_length=100)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    added = models.PositiveIntegerField(_("added"), default=0)
    skipped = models.JSONField(_("skipped"), default=list)  # [{"row", "reference", "reason"}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.bank} · {self.file_name}"


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first day of the month and the first day of the next."""
    first = datetime.date(year, month, 1)
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first, following

"""What sites need: the item catalogue and needs posted by the places' coordinators."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.core.models import Place, Sensitivity


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    WATER = "water", _("Water")
    MEDICINE = "medicine", _("Medicines")
    MEDICAL = "medical", _("Medical supplies")
    HYGIENE = "hygiene", _("Hygiene")
    BABY = "baby", _("Baby care")
    CLOTHING = "clothing", _("Clothing")
    BEDDING = "bedding", _("Bedding and shelter")
    POWER = "power", _("Fuel and power")
    FORTIFICATION = "fortification", _("Fortification and repair")
    TOOLS = "tools", _("Tools")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    PIECE = "piece", _("pcs")
    KG = "kg", _("kg")
    LITRE = "litre", _("l")
    PACK = "pack", _("packs")
    BOX = "box", _("boxes")
    BAG = "bag", _("bags")
    LOAF = "loaf", _("loaves")
    ROLL = "roll", _("rolls")
    PAIR = "pair", _("pairs")
    SET = "set", _("sets")
    DOSE = "dose", _("doses")
    PORTION = "portion", _("portions")


class Item(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    perishable = models.BooleanField(_("perishable"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "name_uk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_uk


class Priority(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_RANK = Case(
    *(When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)),
    output_field=IntegerField(),
)

NOTE_MAX = 2000


class NeedQuerySet(models.QuerySet["Need"]):
    def current(self, today: datetime.date | None = None) -> NeedQuerySet:
        """Needs still to be met: open or partly covered, and not past their date. An unmet
        instance of a recurring need stays, overdue, until it is met or closed."""
        today = today or timezone.localdate()
        return self.filter(status__in=Need.OPEN_STATUSES).filter(
            Q(needed_by__isnull=True) | Q(needed_by__gte=today) | Q(recurrence__isnull=False)
        )

    def by_urgency(self) -> NeedQuerySet:
        return self.annotate(priority_rank=PRIORITY_RANK).order_by(
            "priority_rank", models.F("needed_by").asc(nulls_last=True), "-created_at", "-pk"
        )


class Need(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PARTLY_COVERED = "partly_covered", _("Partly covered")
        COVERED = "covered", _("Covered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    OPEN_STATUSES = (Status.OPEN, Status.PARTLY_COVERED)
    CLOSING_STATUSES = (Status.COVERED, Status.CANCELLED)

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="needs", verbose_name=_("place")
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=_("item"),
    )
    title = models.CharField(
        _("what is needed"),
        max_length=200,
        blank=True,
        help_text=_("Free text when the item is not in the catalogue, or a detail (size, brand)."),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    quantity_covered = models.DecimalField(
        _("quantity covered"),
        max_digits=12,
        decimal_places=3,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    visibility = models.CharField(
        _("who may see it"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.PUBLIC,
        help_text=_("A need is never shown more widely than its place."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    recurrence = models.ForeignKey(
        "RecurringNeed",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instances",
        verbose_name=_("recurring need"),
    )
    occurrence = models.DateField(_("for the day"), null=True, blank=True)
    history = HistoricalRecords()

    objects: ClassVar[NeedQuerySet] = NeedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "priority"], name="need_status_priority")]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="need_quantity_positive",
                violation_error_message=_("The quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_covered__gte=0),
                name="need_covered_not_negative",
                violation_error_message=_("The covered quantity cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["recurrence", "occurrence"], name="one_need_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(title=""),
                name="need_has_item_or_title",
                violation_error_message=_(
                    "Choose an item from the catalogue or describe what is needed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.place}"

    @property
    def label(self) -> str:
        item = self.item if self.item_id else None
        if item is None:
            return self.title
        return f"{item.name} ({self.title})" if self.title else item.name

    @property
    def shortfall(self) -> Decimal:
        return max(self.quantity - self.quantity_covered, Decimal(0))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.needed_by is not None and self.needed_by < timezone.localdate()

    @property
    def effective_visibility(self) -> str:
        """The stricter of the need's own visibility and its place's sensitivity."""
        return max(self.visibility, self.place.sensitivity, key=Sensitivity.rank)

    def status_for_coverage(self) -> str:
        """Open, partly covered or covered, from how much of the quantity is covered."""
        if self.quantity_covered >= self.quantity:
            return self.Status.COVERED
        if self.quantity_covered > 0:
            return self.Status.PARTLY_COVERED
        return self.Status.OPEN


class RecurringNeed(models.Model):
    """ "200 loaves every day at 08:00 for shelter 2": a template that posts one need per period."""

    class Every(models.TextChoices):
        DAY = "day", _("Every day")
        WEEK = "week", _("Every week")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="recurring_needs", verbose_name=_("place")
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("item")
    )
    title = models.CharField(_("what is needed"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.HIGH
    )
    every = models.CharField(_("how often"), max_length=8, choices=Every.choices, default=Every.DAY)
    weekday = models.PositiveSmallIntegerField(
        _("day of the week"),
        null=True,
        blank=True,
        choices=Weekday.choices,
        help_text=_("For weekly needs."),
    )
    at = models.TimeField(_("needed at"), default=datetime.time(8, 0))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    visibility = models.CharField(
        _("who may see it"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recurring need")
        verbose_name_plural = _("recurring needs")
        ordering = ["place__name", "at"]

    def __str__(self) -> str:
        what = self.item.name if self.item_id and self.item else self.title
        return f"{what} × {self.quantity} ({self.get_every_display()}) — {self.place}"

    def occurrences(self, until: datetime.date) -> list[datetime.date]:
        """The days from ``starts_on`` up to ``until`` (and ``ends_on``) this need falls on."""
        last = min(until, self.ends_on) if self.ends_on else until
        days = []
        day = self.starts_on
        while day <= last:
            if self.every == self.Every.DAY or day.weekday() == (self.weekday or 0):
                days.append(day)
            day += datetime.timedelta(days=1)
        return days


class Pledge(models.Model):
    """An offer of goods by anyone, signed in or not. Its donor follows it by a private link
    (a signature of its id: nothing secret is stored, see ``services.pledges.follow_token``)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        RECEIVED = "received", _("Received")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    class Handover(models.TextChoices):
        DROP_OFF = "drop_off", _("I will bring it to a hub")
        PICK_UP = "pick_up", _("It needs to be collected")

    OPEN_STATUSES = (Status.OFFERED, Status.ACCEPTED)

    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("item")
    )
    title = models.CharField(_("what you offer"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    need = models.ForeignKey(
        Need,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
        verbose_name=_("for the need"),
    )
    organization = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("handled by"),
    )
    hub = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges_to_receive",
        verbose_name=_("to be received at"),
    )
    handover = models.CharField(
        _("handover"), max_length=16, choices=Handover.choices, default=Handover.DROP_OFF
    )
    location = models.CharField(_("where it can be collected"), max_length=300, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    expires_on = models.DateField(_("best before"), null=True, blank=True)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pledges",
    )
    contact_name = models.CharField(_("your name"), max_length=200)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_version = models.CharField(
        _("consent text agreed to"),
        max_length=64,
        blank=True,
        help_text=_("Which wording of the consent text the person agreed to."),
    )
    language = models.CharField(_("language"), max_length=8, default="uk", editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OFFERED
    )
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("offered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="pledge_quantity_positive",
                violation_error_message=_("The quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(title=""),
                name="pledge_has_item_or_title",
                violation_error_message=_(
                    "Choose an item from the catalogue or describe what you offer."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} × {self.quantity}"

    @property
    def label(self) -> str:
        item = self.item if self.item_id else None
        if item is None:
            return self.title
        return f"{item.name} ({self.title})" if self.title else item.name

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class StockMove(models.Model):
    """One movement of goods. Never edited: a correction is a new move.

    ``from_place`` empty: the goods came from outside (a donation, a purchase) or from a
    vehicle (a delivery arriving). ``to_place`` empty: they left (consumed, handed out,
    spoiled, or onto a vehicle).
    """

    class Reason(models.TextChoices):
        DONATION = "donation", _("Donation received")
        PURCHASE = "purchase", _("Purchase")
        TRANSFER = "transfer", _("Transfer")
        DELIVERY = "delivery", _("Delivery")
        DISTRIBUTION = "distribution", _("Distribution")
        SPOILAGE = "spoilage", _("Spoilage")
        CORRECTION = "correction", _("Correction")

    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="moves", verbose_name=_("item")
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    from_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves_out",
        verbose_name=_("from"),
    )
    to_place = models.ForeignKey(
        Place,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves_in",
        verbose_name=_("to"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    pledge = models.ForeignKey(
        Pledge, null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    delivery = models.ForeignKey(
        "Delivery", null=True, blank=True, on_delete=models.PROTECT, related_name="moves"
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("corrects"),
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(
                condition=Q(from_place__isnull=False) | Q(to_place__isnull=False),
                name="move_has_a_place",
            ),
            models.CheckConstraint(
                condition=Q(from_place__isnull=True)
                | Q(to_place__isnull=True)
                | ~Q(from_place=F("to_place")),
                name="move_between_two_places",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}: {self.from_place or '—'} → {self.to_place or '—'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Stock moves are never edited: record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Stock moves are never deleted: record a correction instead.")


def lot_key(batch: str, expires_on: datetime.date | None) -> str:
    return f"{batch}|{expires_on.isoformat() if expires_on else ''}"


class StockLevel(models.Model):
    """How much of one lot (item, batch, expiry) a place holds: derived from the moves and
    kept in the same transaction; ``hromada check_stock`` re-derives and compares."""

    place = models.ForeignKey(
        Place, on_delete=models.CASCADE, related_name="stock", verbose_name=_("place")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="levels", verbose_name=_("item")
    )
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    lot = models.CharField(max_length=80, editable=False)
    quantity = models.DecimalField(
        _("on hand"), max_digits=14, decimal_places=3, default=Decimal(0)
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["item__name_uk", F("expires_on").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["place", "item", "lot"], name="one_level_per_lot"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} @ {self.place}: {self.quantity}"

    def expires_within(self, days: int, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on <= today + datetime.timedelta(
            days=days
        )


class Delivery(models.Model):
    """A run from a hub to a place with one or more lines, and the people who move it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CLAIMED = "claimed", _("Claimed by a driver")
        PICKED_UP = "picked_up", _("Picked up")
        DELIVERED = "delivered", _("Delivered")
        CONFIRMED = "confirmed", _("Confirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.PLANNED, Status.CLAIMED, Status.PICKED_UP)
    from_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="deliveries_out", verbose_name=_("from hub")
    )
    to_place = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="deliveries_in", verbose_name=_("to")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("driver"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    recipient_name = models.CharField(_("received by"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="deliveries/%Y/%m/", blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    failure_reason = models.CharField(_("what went wrong"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_place=F("to_place")), name="delivery_between_two_places"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.from_place} → {self.to_place}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, verbose_name=_("item"))
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    need = models.ForeignKey(
        Need,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivery_lines",
        verbose_name=_("for the need"),
    )
    quantity_picked = models.DecimalField(
        _("picked up"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    quantity_delivered = models.DecimalField(
        _("delivered"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    reason = models.JSONField(_("why"), default=dict, blank=True)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class DeliveryPlan(models.Model):
    """A proposal from the optimiser: which hub sends what to which need, and why.

    Kept as it was shown, so that what the coordinator confirms is what they saw."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    capacity = models.DecimalField(
        _("vehicle capacity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_distance_km = models.DecimalField(
        _("farthest run, km"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # [{"hub": id, "place": id, "distance_km": d, "lines": [{"item", "need", "quantity", "reason"}]}]
    trips = models.JSONField(default=list)
    # [{"need": id, "short": q, "reason": {...}}]
    unmet = models.JSONField(default=list)
    # weighted_fulfilment, distance_km, method, solve_seconds, status
    stats = models.JSONField(default=dict)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.ManyToManyField(Delivery, blank=True, related_name="plans")

    class Meta:
        verbose_name = _("delivery plan")
        verbose_name_plural = _("delivery plans")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M}"

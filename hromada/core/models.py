"""Who is who and where: users, organisations and their roles, areas, places, and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    ANALYST = "analyst", _("Analyst")
    ALERT_AUTHOR = "alert_author", _("Alert author")
    ALERT_APPROVER = "alert_approver", _("Alert approver")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members of any organisation")
    RESTRICTED = "restricted", _("Own organisation only")

    @classmethod
    def rank(cls, value: str) -> int:
        return [cls.PUBLIC, cls.MEMBERS, cls.RESTRICTED].index(cls(value))


def validate_time_zone(value: str) -> None:
    if value and value not in available_timezones():
        raise ValidationError(_("Unknown time zone: %(zone)s"), params={"zone": value})


class User(AbstractUser):
    name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    telegram_id = models.BigIntegerField(_("Telegram id"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def short_name(self) -> str:
        """The first name, for a menu on a narrow screen."""
        return self.display_name.split()[0]


class Organization(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        HOSPITAL = "hospital", _("Hospital")
        SHELTER_OPERATOR = "shelter_operator", _("Shelter operator")
        NGO = "ngo", _("NGO")
        VOLUNTEER_GROUP = "volunteer_group", _("Volunteer group")
        BUSINESS = "business", _("Business")
        CIVIL_DEFENCE = "civil_defence", _("Civil-defence unit")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        node, seen = self.parent, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": _("An organisation cannot be its own ancestor.")})
            seen.add(node.pk)
            node = node.parent


def validate_roles(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one role."))
    unknown = [role for role in value if role not in Role.values]
    if unknown:
        raise ValidationError(
            _("Unknown role: %(roles)s"), params={"roles": ", ".join(map(str, unknown))}
        )


class Membership(models.Model):
    """A user's roles in one organisation. Roles apply to that organisation only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    roles = models.JSONField(_("roles"), default=list, validators=[validate_roles])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}: {', '.join(self.roles)}"

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class Area(models.Model):
    """An administrative unit (KATOTTG): oblast > raion > hromada > settlement > city district."""

    class Level(models.TextChoices):
        OBLAST = "oblast", _("Oblast")
        RAION = "raion", _("Raion")
        HROMADA = "hromada", _("Hromada")
        SETTLEMENT = "settlement", _("Settlement")
        DISTRICT = "district", _("City district")

    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    code = models.CharField(_("official code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent area"),
    )
    # Codes from the root down, "/"-separated: descendants are a prefix match.
    path = models.CharField(max_length=500, editable=False, db_index=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_uk

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class Place(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        BOMB_SHELTER = "bomb_shelter", _("Bomb shelter")
        ACCOMMODATION = "accommodation", _("Accommodation shelter")
        HUB = "hub", _("Warehouse / hub")
        DISTRIBUTION = "distribution", _("Distribution point")
        KITCHEN = "kitchen", _("Bakery / kitchen")
        SCHOOL = "school", _("School")
        OFFICE = "office", _("Office")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="places",
        verbose_name=_("organisation"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="places", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    opening_notes = models.CharField(_("opening hours and access"), max_length=500, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    sensitivity = models.CharField(
        _("who may see it"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.MEMBERS
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="place_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only record of sensitive reads, exports, logins and disclosures."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Audit events are append-only.")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal token for scripts and the bot. Only its SHA-256 digest is stored."""

    PREFIX = "hmd_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class IdempotencyKey(models.Model):
    """A create that has happened, under the key its client gave, so a replay returns it."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    # Every object an action made or changed, in order, when it answers a list (a stock issue
    # takes from several lots); ``object_id`` is then the first, or "" when there are none.
    object_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Notification(models.Model):
    """One message to one person, written before it is sent (an outbox row).

    A task claims the row with a conditional update, so a retried or duplicated task never
    sends it twice. ``dedupe_key`` makes "tell the donor their pledge was received" happen
    once however often the event is replayed.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        TELEGRAM = "telegram", _("Telegram")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=16, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.CharField(max_length=254, blank=True, help_text=_("E-mail address or chat id"))
    subject = models.CharField(max_length=200)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address or self.recipient_id} {self.subject}"


class PeriodicRun(models.Model):
    """When a periodic job last ran: the claim that keeps two workers from running it twice."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()
    last_result = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.name

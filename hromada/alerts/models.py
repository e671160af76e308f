"""Public alerts after OASIS CAP 1.2: messages, their info blocks and areas, the templates
authors start from, the screens that show them, the people subscribed to them, and the
external feeds we take official alerts from.

An alert is written once and reaches every screen and channel; nothing reaches the public
before a second person (an approver who did not write it) publishes it. A published alert
never changes: a correction is an Update that references it, a withdrawal a Cancel.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.core.models import Area, Organization

# CAP 1.2 value lists ---------------------------------------------------------------------


class Status(models.TextChoices):
    ACTUAL = "Actual", _("Actual")
    EXERCISE = "Exercise", _("Exercise")
    SYSTEM = "System", _("System")
    TEST = "Test", _("Test")
    DRAFT = "Draft", _("Draft (not for action)")


class MsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")
    ACK = "Ack", _("Acknowledgement")
    ERROR = "Error", _("Error")


class Scope(models.TextChoices):
    PUBLIC = "Public", _("Public")
    RESTRICTED = "Restricted", _("Restricted")
    PRIVATE = "Private", _("Private")


class Category(models.TextChoices):
    GEO = "Geo", _("Geophysical")
    MET = "Met", _("Weather")
    SAFETY = "Safety", _("Public safety")
    SECURITY = "Security", _("Security and military")
    RESCUE = "Rescue", _("Rescue and recovery")
    FIRE = "Fire", _("Fire")
    HEALTH = "Health", _("Health")
    ENV = "Env", _("Environment")
    TRANSPORT = "Transport", _("Transport")
    INFRA = "Infra", _("Utilities and infrastructure")
    CBRNE = "CBRNE", _("Chemical, biological, radiological, nuclear")
    OTHER = "Other", _("Other")


class ResponseType(models.TextChoices):
    SHELTER = "Shelter", _("Take shelter")
    EVACUATE = "Evacuate", _("Evacuate")
    PREPARE = "Prepare", _("Prepare")
    EXECUTE = "Execute", _("Act now")
    AVOID = "Avoid", _("Avoid the area")
    MONITOR = "Monitor", _("Stay informed")
    ASSESS = "Assess", _("Assess")
    ALL_CLEAR = "AllClear", _("All clear")
    NONE = "None", _("No action")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediate")
    EXPECTED = "Expected", _("Expected (within the hour)")
    FUTURE = "Future", _("Future")
    PAST = "Past", _("Past")
    UNKNOWN = "Unknown", _("Unknown")


class Severity(models.TextChoices):
    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")
    UNKNOWN = "Unknown", _("Unknown")


class Certainty(models.TextChoices):
    OBSERVED = "Observed", _("Observed")
    LIKELY = "Likely", _("Likely")
    POSSIBLE = "Possible", _("Possible")
    UNLIKELY = "Unlikely", _("Unlikely")
    UNKNOWN = "Unknown", _("Unknown")


def rank(choices: type[models.TextChoices], value: str) -> int:
    """0 for the first (most serious) value of a CAP list, and so on; unknown values last."""
    values = list(choices.values)
    return values.index(value) if value in values else len(values)


SEVERITY_RANK = Case(
    *(When(severity=s, then=Value(i)) for i, s in enumerate(Severity.values)),
    default=Value(len(Severity.values)),
    output_field=IntegerField(),
)
URGENCY_RANK = Case(
    *(When(urgency=u, then=Value(i)) for i, u in enumerate(Urgency.values)),
    default=Value(len(Urgency.values)),
    output_field=IntegerField(),
)

# Languages an alert of ours is written in: Ukrainian and English always, Russian optional
# (for those who read it best, and for the message to the soldiers on the billboards).
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English")), ("ru", _("Russian"))]
REQUIRED_LANGUAGES = ("uk", "en")
LANGUAGE_CODES = [code for code, _label in LANGUAGES]

HEADLINE_MAX = 160  # CAP recommends headlines under 160 characters (a text message)
EVENT_MAX = 120
DESCRIPTION_MAX = 4000
INSTRUCTION_MAX = 2000
NOTE_MAX = 2000
AREA_DESC_MAX = 500


def primary_language(tag: str) -> str:
    """ "uk-UA" -> "uk": the part of an RFC 3066 tag that names the language."""
    return tag.split("-", 1)[0].lower()


# Alerts --------------------------------------------------------------------------------


class AlertQuerySet(models.QuerySet["Alert"]):
    def published(self) -> AlertQuerySet:
        return self.filter(state=Alert.State.PUBLISHED)

    def current(self, now: datetime.datetime | None = None) -> AlertQuerySet:
        """Published alerts in force now: effective, not expired, not replaced by a published
        Update or Cancel. Cancels themselves only remove; they are never shown as current."""
        now = now or timezone.now()
        return self.filter(
            state=Alert.State.PUBLISHED,
            msg_type__in=[MsgType.ALERT, MsgType.UPDATE],
            replaced_by__isnull=True,
            effective_at__lte=now,
            expires_at__gt=now,
        )

    def for_the_public(self) -> AlertQuerySet:
        """What residents, screens and subscribers get: real (Actual), public alerts."""
        return self.filter(status=Status.ACTUAL, scope=Scope.PUBLIC)

    def for_area(self, area: Area) -> AlertQuerySet:
        """Alerts that concern ``area``: addressed to it, to an area it lies in, or to a part of
        it. An alert that names no area from our list (a polygon only, or another country's
        codes) concerns every area: we cannot tell where it applies, and a missed warning costs
        more than an extra one."""
        ancestors = [code for code in area.path.strip("/").split("/") if code]
        coded = Alert.areas.through.objects.filter(alert=OuterRef("pk"))
        matching = coded.filter(Q(area__code__in=ancestors) | Q(area__path__startswith=area.path))
        return self.filter(~Exists(coded) | Exists(matching))

    def with_category(self, category: str) -> AlertQuerySet:
        return self.filter(categories__contains=f" {category} ")

    def most_serious_first(self) -> AlertQuerySet:
        return self.annotate(severity_rank=SEVERITY_RANK, urgency_rank=URGENCY_RANK).order_by(
            "severity_rank", "urgency_rank", "-sent", "-pk"
        )


class Alert(models.Model):
    """One CAP message. Its content lives in one ``AlertInfo`` per language.

    The summary fields (``effective_at`` … ``categories``) are derived from the info blocks
    by ``summarise()`` whenever they are saved, so that lists filter in the database.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        RETURNED = "returned", _("Returned to the author")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    EDITABLE_STATES = (State.DRAFT, State.RETURNED)

    identifier = models.CharField(_("identifier"), max_length=200)
    sender = models.CharField(_("sender"), max_length=200)
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTUAL
    )
    msg_type = models.CharField(
        _("message type"), max_length=16, choices=MsgType.choices, default=MsgType.ALERT
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.PUBLIC)
    restriction = models.CharField(_("restriction"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    references = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="referenced_by",
        verbose_name=_("updates or cancels"),
    )
    # CAP <references> as received: an external message may name ones we never saw.
    references_text = models.TextField(blank=True)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("issued by")
    )
    feed = models.ForeignKey(
        "Feed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("received from feed"),
    )
    # An external message exactly as it arrived (validated), served as its CAP file.
    original_xml = models.TextField(blank=True, editable=False)

    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    # Everyone who wrote or changed the content: none of them may approve it.
    editors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Bookkeeping, not content: the published Update or Cancel that took this alert's place.
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("replaced by"),
    )

    effective_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    # " Safety Infra ": the info blocks' categories, padded so that a category is a substring.
    categories = models.CharField(max_length=200, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="alerts", verbose_name=_("areas"))

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["original_xml"])

    objects: ClassVar[AlertQuerySet] = AlertQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "identifier"], name="alert_identifier_unique_per_sender"
            )
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="alert_state_expires")]

    def __str__(self) -> str:
        info = self.info()
        return (info.headline or info.event) if info else self.identifier

    # Reading --------------------------------------------------------------------------

    def info(self, language: str | None = None) -> AlertInfo | None:
        """The info block in ``language`` (the current one by default), else the first."""
        infos = list(self.infos.all())
        if not infos:
            return None
        wanted = primary_language(language or get_language() or "uk")
        for info in infos:
            if primary_language(info.language) == wanted:
                return info
        return infos[0]

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_incoming(self) -> bool:
        return self.feed_id is not None or bool(self.original_xml)

    def is_current(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.is_published
            and self.msg_type in (MsgType.ALERT, MsgType.UPDATE)
            and self.replaced_by_id is None
            and self.effective_at is not None
            and self.effective_at <= now
            and self.expires_at is not None
            and self.expires_at > now
        )

    def lifecycle(self, now: datetime.datetime | None = None) -> str:
        """Where this alert stands, in words for its page: in force, scheduled, expired…"""
        now = now or timezone.now()
        if not self.is_published:
            return str(self.get_state_display())
        if self.msg_type == MsgType.CANCEL:
            return str(_("Published (cancellation)"))
        if self.replaced_by_id is not None:
            return str(_("Replaced by a later message"))
        if self.expires_at is not None and self.expires_at <= now:
            return str(_("Expired"))
        if self.effective_at is not None and self.effective_at > now:
            return str(_("Scheduled"))
        return str(_("In force"))

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    def summarise(self, infos: list[AlertInfo]) -> None:
        """Derive the summary fields from the info blocks (not saved here).

        Effective: the earliest (``sent`` when none says). Expires: the latest; an info
        without an expiry is taken to end ``DEFAULT_LIFETIME`` after it takes effect, so
        that nothing stays on a screen forever because its sender forgot to say.
        """
        sent = self.sent or timezone.now()
        starts = [i.effective or sent for i in infos] or [sent]
        self.effective_at = min(starts)
        ends = [i.expires or (i.effective or sent) + DEFAULT_LIFETIME for i in infos]
        self.expires_at = max(ends) if ends else sent + DEFAULT_LIFETIME
        self.severity = min(
            (i.severity for i in infos), key=lambda s: rank(Severity, s), default=""
        )
        self.urgency = min((i.urgency for i in infos), key=lambda u: rank(Urgency, u), default="")
        codes = sorted({c for i in infos for c in i.categories})
        self.categories = f" {' '.join(codes)} " if codes else ""

    def cap_references(self) -> str:
        """CAP <references>: "sender,identifier,sent" of each message this one updates or
        cancels, space-separated."""
        from hromada.alerts.cap import format_time

        parts = [
            f"{ref.sender},{ref.identifier},{format_time(ref.sent)}"
            for ref in self.references.all()
            if ref.sent is not None
        ]
        return " ".join(parts) or self.references_text


DEFAULT_LIFETIME = datetime.timedelta(hours=24)


class AlertInfo(models.Model):
    """A CAP <info> block: the alert in one language."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="infos")
    position = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(_("language"), max_length=35, default="uk")
    categories = models.JSONField(_("categories"), default=list)
    event = models.CharField(_("event"), max_length=EVENT_MAX)
    response_types = models.JSONField(_("response"), default=list, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=16, choices=Certainty.choices)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    effective = models.DateTimeField(_("effective"), null=True, blank=True)
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    headline = models.CharField(_("headline"), max_length=HEADLINE_MAX, blank=True)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )
    instruction = models.TextField(
        _("instruction"), blank=True, validators=[MaxLengthValidator(INSTRUCTION_MAX)]
    )
    web = models.URLField(_("web page"), max_length=500, blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("alert text")
        verbose_name_plural = _("alert texts")
        ordering = ["alert", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.language}: {self.headline or self.event}"

    @property
    def lang(self) -> str:
        return primary_language(self.language)

    @property
    def response_labels(self) -> list[str]:
        return [str(ResponseType(r).label) for r in self.response_types if r in ResponseType.values]

    @property
    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in self.categories if c in Category.values]

    @property
    def area_names(self) -> str:
        return ", ".join(a.description for a in self.areas.all())


class AlertArea(models.Model):
    """A CAP <area>: a description, and polygons, circles or codes saying where exactly."""

    info = models.ForeignKey(AlertInfo, on_delete=models.CASCADE, related_name="areas")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("area"), max_length=AREA_DESC_MAX)
    # CAP text forms: "lat,lon lat,lon …" (closed) and "lat,lon radius_km".
    polygons = models.JSONField(_("polygons"), default=list, blank=True)
    circles = models.JSONField(_("circles"), default=list, blank=True)
    # [[valueName, value], …], e.g. [["KATOTTG", "UA59020130010078409"]]
    geocodes = models.JSONField(_("codes"), default=list, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("alert area")
        verbose_name_plural = _("alert areas")
        ordering = ["info", "position", "pk"]

    def __str__(self) -> str:
        return self.description


# Templates -----------------------------------------------------------------------------


class AlertTemplate(models.Model):
    """A message authors send often (air raid, all clear, water, bread, shelter full): the
    draft form starts from it."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_templates",
        help_text=_("Empty: offered to every organisation's authors."),
    )
    msg_type = models.CharField(
        _("message type"),
        max_length=16,
        choices=[(MsgType.ALERT, MsgType.ALERT.label), (MsgType.UPDATE, MsgType.UPDATE.label)],
        default=MsgType.ALERT,
        help_text=_("Update: the template follows an alert (an all clear)."),
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    response_type = models.CharField(
        _("response"), max_length=16, choices=ResponseType.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    certainty = models.CharField(_("certainty"), max_length=16, choices=Certainty.choices)
    duration = models.DurationField(
        _("in force for"), default=datetime.timedelta(hours=6), help_text=_("e.g. 06:00:00")
    )
    event_uk = models.CharField(_("event (Ukrainian)"), max_length=EVENT_MAX)
    event_en = models.CharField(_("event (English)"), max_length=EVENT_MAX)
    headline_uk = models.CharField(_("headline (Ukrainian)"), max_length=HEADLINE_MAX, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=HEADLINE_MAX, blank=True)
    description_uk = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    instruction_uk = models.TextField(_("instruction (Ukrainian)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alert template")
        verbose_name_plural = _("alert templates")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_uk

    def content(self, now: datetime.datetime | None = None) -> dict[str, Any]:
        """The draft form's starting values."""
        now = (now or timezone.now()).replace(second=0, microsecond=0)
        content: dict[str, Any] = {
            "category": self.category,
            "response_type": self.response_type,
            "urgency": self.urgency,
            "severity": self.severity,
            "certainty": self.certainty,
            "expires": now + self.duration,
        }
        for lang in REQUIRED_LANGUAGES:
            for field in ("event", "headline", "description", "instruction"):
                content[f"{field}_{lang}"] = getattr(self, f"{field}_{lang}")
        return content


# Signage -------------------------------------------------------------------------------


def new_display_token() -> str:
    return secrets.token_urlsafe(24)


class Display(models.Model):
    """A screen that shows alerts: a billboard, a TV in a shelter, a phone on a wall.

    Its secret URL is the only key it has; whoever holds the URL sees what the screen shows
    (public alerts and the standing messages) and makes it look alive, nothing more. The
    URL is shown to the organisation's alert staff so they can set a screen up again;
    issuing a new one makes the old one stop working.
    """

    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="displays", verbose_name=_("owner")
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("Alerts for this area, the areas it lies in and its parts. Empty: all."),
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_("Shown in this order; the first is the largest."),
    )
    categories = models.JSONField(
        _("categories"), default=list, blank=True, help_text=_("Empty: every category.")
    )
    standing_messages = models.TextField(
        _("standing messages"),
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text=_("Shown in turn while there is no alert. One message per line."),
    )
    token = models.CharField(max_length=64, unique=True, default=new_display_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last check-in"), null=True, blank=True)
    last_seen_ip = models.GenericIPAddressField(null=True, blank=True)
    last_user_agent = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["last_seen_at", "last_seen_ip", "last_user_agent"])

    # A screen polls every few seconds; a check-in is written at most this often.
    CHECKIN_EVERY = datetime.timedelta(seconds=30)
    # A screen not heard from for this long is shown as dark to the operator.
    DARK_AFTER = datetime.timedelta(minutes=2)

    class Meta:
        verbose_name = _("display")
        verbose_name_plural = _("displays")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_dark(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.last_seen_at is None or now - self.last_seen_at > self.DARK_AFTER

    @property
    def standing_message_list(self) -> list[str]:
        return [line.strip() for line in self.standing_messages.splitlines() if line.strip()]

    @property
    def language_list(self) -> list[str]:
        return [lang for lang in self.languages if lang in LANGUAGE_CODES] or ["uk"]


# Subscriptions and delivery ------------------------------------------------------------


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def active(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(models.Model):
    """A resident who wants alerts for some areas and categories by e-mail or Telegram.

    An e-mail address receives nothing until its owner confirms it (so nobody can sign up
    someone else); a Telegram chat is confirmed by the bot, which knows the chat is theirs.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254, help_text=_("E-mail or chat id"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="uk"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("areas"))
    categories = models.JSONField(_("categories"), default=list, blank=True)
    min_severity = models.CharField(
        _("at least as severe as"), max_length=16, choices=Severity.choices, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_version = models.CharField(
        _("consent text agreed to"),
        max_length=64,
        blank=True,
        help_text=_("Which wording of the consent text the person agreed to."),
    )

    objects: ClassVar[SubscriptionQuerySet] = SubscriptionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="one_subscription_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.address}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Delivery(models.Model):
    """One alert to one subscriber (or to the Telegram channel): the outbox row, written
    before any task runs, claimed with a conditional update so it is sent at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(_("language"), max_length=8, default="uk")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["alert", "channel", "address"], name="one_delivery_per_alert_and_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.channel}:{self.address} ({self.status})"


# External feeds ------------------------------------------------------------------------


class Feed(models.Model):
    """An external source of official CAP alerts: an Atom index at a URL, or a folder where
    CAP files are dropped. Alerts from a trusted sender are re-broadcast at once; others wait
    for an approver of the feed's organisation."""

    class Kind(models.TextChoices):
        ATOM = "atom", _("Atom index at a URL")
        FOLDER = "folder", _("Folder of CAP files")

    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="alert_feeds",
        verbose_name=_("reviewed by"),
        help_text=_("Approvers of this organisation review what the feed brings."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ATOM)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    folder = models.CharField(_("folder"), max_length=500, blank=True)
    trusted_senders = models.TextField(
        _("trusted senders"),
        blank=True,
        help_text=_(
            "One CAP sender per line whose alerts are published without review; "
            "*@example.org trusts a whole domain."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["last_polled_at", "last_ok_at", "last_error"])

    class Meta:
        verbose_name = _("CAP feed")
        verbose_name_plural = _("CAP feeds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def trusts(self, sender: str) -> bool:
        """Is ``sender`` on the trusted list (exactly, or by a ``*@domain`` line)?"""
        sender = sender.strip().lower()
        for line in self.trusted_senders.splitlines():
            rule = line.strip().lower()
            if not rule:
                continue
            if rule.startswith("*@") and sender.endswith(rule[1:]):
                return True
            if rule == sender:
                return True
        return False


class FeedItem(models.Model):
    """An entry of a feed we have read, so that the next poll skips it."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=500)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feed_item_seen_once")]

    def __str__(self) -> str:
        return self.key

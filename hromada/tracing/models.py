"""Family tracing: people sought and found, inquiries, proposed matches, and what was passed on.

Nothing here is public. Records and inquiries are read by caseworkers only, and every read
is written to the audit log. A found adult's wish about disclosure is kept on the record
and enforced by ``services.record_disclosure``.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.core.models import Organization

TEXT_MAX = 4000


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "", _("Not known")


class Script(models.TextChoices):
    UKRAINIAN = "uk", _("Ukrainian Cyrillic")
    RUSSIAN = "ru", _("Russian Cyrillic")
    CYRILLIC = "cyrillic", _("Cyrillic")
    LATIN = "latin", _("Latin")
    OTHER = "", _("Other or not known")


class PersonStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    ALIVE = "alive", _("Alive and well")
    INJURED = "injured", _("Injured or in hospital")
    DISPLACED = "displaced", _("Evacuated or displaced")
    DETAINED = "detained", _("Detained")
    DECEASED = "deceased", _("Deceased")
    UNKNOWN = "unknown", _("Unknown")


LIVING = (PersonStatus.ALIVE, PersonStatus.INJURED, PersonStatus.DISPLACED, PersonStatus.DETAINED)


class Source(models.TextChoices):
    HOSPITAL = "hospital_list", _("Hospital list")
    SHELTER = "shelter_registry", _("Shelter registry")
    EVACUATION = "evacuation_manifest", _("Evacuation manifest")
    INQUIRY = "inquiry", _("Inquiry")
    PFIF = "pfif_import", _("PFIF import")
    FIELD = "field_report", _("Field report")


class Disclosure(models.TextChoices):
    """What the person said about passing on where they are."""

    NOT_ASKED = "not_asked", _("Not asked yet")
    ANYONE = "anyone", _("May be told to anyone who asks for them")
    FAMILY = "family", _("Only to the family members named")
    REFUSED = "refused", _("Refused: tell no one where I am")


class PersonRecord(models.Model):
    """One report about one person, from one source. Several records may be one person."""

    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    other_names = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Maiden name, other spellings, nicknames; separate with commas."),
    )
    name_script = models.CharField(
        _("script the name came in"), max_length=16, choices=Script.choices, blank=True
    )
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    age_estimate = models.PositiveSmallIntegerField(
        _("age (estimate)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.UNKNOWN
    )
    is_combatant = models.BooleanField(
        _("combatant"),
        default=False,
        help_text=_(
            "A member of armed forces. Reports of detained or killed combatants go only to the "
            "national information bureau or the ICRC Central Tracing Agency."
        ),
    )
    last_seen_place = models.CharField(_("last seen: place"), max_length=200, blank=True)
    last_seen_at = models.DateField(_("last seen: date"), null=True, blank=True)
    last_seen_circumstances = models.TextField(
        _("last seen: circumstances"), blank=True, max_length=TEXT_MAX
    )
    current_location = models.CharField(
        _("current location (restricted)"), max_length=300, blank=True
    )
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX)
    photo = models.ImageField(_("photo (restricted)"), upload_to="tracing/photos/", blank=True)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    source_ref = models.CharField(_("the source's reference"), max_length=200, blank=True)
    source_organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reporting organisation"),
        db_index=False,  # never looked up by; an index would only slow a million-row import
    )
    contact = models.CharField(_("contact (restricted)"), max_length=300, blank=True)
    disclosure = models.CharField(
        _("may their whereabouts be passed on"),
        max_length=16,
        choices=Disclosure.choices,
        default=Disclosure.NOT_ASKED,
    )
    disclosure_to = models.CharField(
        _("to whom"),
        max_length=300,
        blank=True,
        help_text=_("The family members the person agreed may be told."),
    )
    expiry_date = models.DateField(_("keep until"), null=True, blank=True)
    hold_reason = models.CharField(
        _("kept beyond its date because"),
        max_length=300,
        blank=True,
        help_text=_("A caseworker's hold: while this says why, retention does not erase it."),
    )
    pfif_record_id = models.CharField(max_length=500, null=True, blank=True, unique=True)
    transferred_at = models.DateTimeField(_("transferred"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["photo"])

    class Meta:
        verbose_name = _("person record")
        verbose_name_plural = _("person records")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "is_combatant"], name="tracing_record_status")]

    def __str__(self) -> str:
        # Audit lines and admin lists show the record number, never the name.
        return f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name, self.patronymic) if p)

    @property
    def known_birth_year(self) -> int | None:
        if self.birth_date:
            return self.birth_date.year
        if self.birth_year:
            return self.birth_year
        if self.age_estimate is not None:
            return self.created_at.year - self.age_estimate
        return None

    @property
    def is_minor(self) -> bool:
        year = self.known_birth_year
        return year is not None and timezone.localdate().year - year < 18

    @property
    def is_living(self) -> bool:
        return self.status in LIVING

    @property
    def is_protected_combatant(self) -> bool:
        """Detained or killed combatants: shared only by transfer to a competent bureau."""
        return self.is_combatant and self.status in (
            PersonStatus.DETAINED,
            PersonStatus.DECEASED,
            PersonStatus.MISSING,
            PersonStatus.UNKNOWN,
        )

    def name_text(self) -> str:
        return " ".join(
            p for p in (self.given_name, self.family_name, self.patronymic, self.other_names) if p
        )


def new_reference() -> str:
    """A reference an inquirer can read over the phone: no 0/O or 1/I to confuse."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"TR-{code[:4]}-{code[4:]}"


class Inquiry(models.Model):
    """Someone asks where a person is. The sought person is a record (source: inquiry)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        POSSIBLE_MATCH = "possible_match", _("Possible match")
        CONFIRMED = "confirmed", _("Confirmed")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        ANSWERED = "answered", _("Answered: the inquirer was told")
        REUNITED = "reunited", _("Reunited")
        WITHDRAWN = "withdrawn", _("Withdrawn by the inquirer")
        NO_TRACE = "no_trace", _("No trace found")
        DUPLICATE = "duplicate", _("Duplicate of another inquiry")

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_reference, editable=False
    )
    inquirer_name = models.CharField(_("your name"), max_length=200)
    inquirer_contact = models.CharField(
        _("how we can reach you"),
        max_length=300,
        help_text=_("Phone, e-mail, Telegram or Signal."),
    )
    inquirer_relationship = models.CharField(
        _("your relationship to them"), max_length=100, blank=True
    )
    inquirer_country = models.CharField(_("country you are in"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    sought = models.OneToOneField(
        PersonRecord, on_delete=models.PROTECT, related_name="inquiry", verbose_name=_("sought")
    )
    message = models.TextField(_("anything else"), blank=True, max_length=TEXT_MAX)
    # The inquirer's own contact is kept with their consent; the sought person's data is
    # held in their vital interest (GDPR art. 6(1)(d)), which needs no consent.
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_version = models.CharField(
        _("consent text agreed to"),
        max_length=64,
        blank=True,
        help_text=_("Which wording of the consent text the person agreed to."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    close_reason = models.CharField(
        _("closed because"), max_length=16, choices=CloseReason.choices, blank=True
    )
    found = models.ForeignKey(
        PersonRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answered_inquiries",
        verbose_name=_("found record"),
    )
    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="tracing_inquiry_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class Match(models.Model):
    """A proposal that two records are the same person, for a caseworker to decide.

    ``left`` is the record sought (an inquiry's record) or the older record; ``right`` the
    candidate. ``reasons`` say in words why the engine proposed it.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    left = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    inquiry = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    created_at = models.DateTimeField(_("proposed"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="tracing_match_pair_once"),
            models.CheckConstraint(
                condition=~models.Q(left=models.F("right")), name="tracing_match_two_records"
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="tracing_match_queue")]

    def __str__(self) -> str:
        return f"#{self.left_id} ~ #{self.right_id}"


class DisclosureRecord(models.Model):
    """What was passed to whom, on what basis. Written only by ``services.record_disclosure``."""

    class What(models.TextChoices):
        STATUS = "status", _("That the person was found, and their status")
        CONTACT = "contact", _("How to reach them (with their consent)")
        LOCATION = "location", _("Where they are")
        DEATH = "death", _("Notification of death")

    class Basis(models.TextChoices):
        CONSENT = "consent", _("The person's own consent")
        FAMILY_LINK = "family_link", _("Family link verified")
        GUARDIAN = "guardian", _("Guardian of a minor, verified")
        LEGAL = "legal", _("Legal obligation")

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.PROTECT, related_name="disclosures", null=True, blank=True
    )
    record = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="disclosures")
    what = models.CharField(_("what was passed on"), max_length=16, choices=What.choices)
    recipient = models.CharField(_("to whom"), max_length=200)
    basis = models.CharField(_("on what basis"), max_length=16, choices=Basis.choices)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    disclosed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.what} → {self.recipient}"


class Transfer(models.Model):
    """A batch of combatant records handed to a competent bureau, with a digest of the file."""

    class Recipient(models.TextChoices):
        NIB = "nib", _("National Information Bureau")
        ICRC_CTA = "icrc_cta", _("ICRC Central Tracing Agency")

    class Format(models.TextChoices):
        PFIF = "pfif", _("PFIF 1.4 XML")
        CSV = "csv", _("CSV")

    recipient = models.CharField(_("recipient"), max_length=16, choices=Recipient.choices)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    records = models.ManyToManyField(PersonRecord, related_name="transfers")
    count = models.PositiveIntegerField(_("records"), default=0)
    sha256 = models.CharField(_("file digest (SHA-256)"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_recipient_display()} {self.created_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """A file of records being imported: the page shows its progress from this row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")

    file = models.FileField(upload_to="tracing/imports/")
    filename = models.CharField(max_length=200)
    format = models.CharField(max_length=8)
    source = models.CharField(max_length=32, choices=Source.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


# The name index: maintained by hromada.tracing.names.index, read by its search.


class Note(models.Model):
    """A PFIF note on a record: what someone said about the person, with its status."""

    class Status(models.TextChoices):
        SOUGHT = "information_sought", _("Information sought")
        IS_AUTHOR = "is_note_author", _("The person wrote this note")
        ALIVE = "believed_alive", _("Believed alive")
        MISSING = "believed_missing", _("Believed missing")
        DEAD = "believed_dead", _("Believed dead")
        NONE = "", _("No status")

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="notes")
    pfif_note_id = models.CharField(max_length=500, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, blank=True)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    author_made_contact = models.BooleanField(_("author spoke with the person"), null=True)
    last_known_location = models.CharField(
        _("last known location (restricted)"), max_length=300, blank=True
    )
    linked_record_id = models.CharField(max_length=500, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=TEXT_MAX)
    source_date = models.DateTimeField(_("written"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["source_date", "pk"]

    def __str__(self) -> str:
        return f"note #{self.pk}"


class NameToken(models.Model):
    """One distinct folded spelling (``shevchenko``) and in how many records it appears."""

    text = models.CharField(max_length=64, unique=True)
    df = models.PositiveIntegerField(default=0)
    # Its phonetic skeletons under every reading (``phonetic.readings``), space-separated:
    # kept so that a search need not work them out again for every spelling it compares.
    readings = models.CharField(max_length=400, blank=True, default="")

    def __str__(self) -> str:
        return self.text


class NameKey(models.Model):
    """A phonetic or given-name key under which a token is found."""

    key = models.CharField(max_length=64)
    token = models.ForeignKey(NameToken, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "token"], name="tracing_key_once")]

    def __str__(self) -> str:
        return self.key


class NamePosting(models.Model):
    """This token is in this record's name; the birth year lets a search read a window.

    No database constraints: rows are written in bulk only by ``names.index``, which also
    removes them (Django's cascade deletes them with their record or token)."""

    token = models.ForeignKey(
        NameToken, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    record = models.ForeignKey(
        PersonRecord, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    birth_year = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["token", "birth_year", "record"], name="tracing_posting_read"),
            models.Index(fields=["record"], name="tracing_posting_record"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.record_id}"


def default_expiry(today: datetime.date | None = None) -> datetime.date:
    """Records are kept a year unless a caseworker says otherwise (PFIF's expiry_date)."""
    return (today or timezone.localdate()) + datetime.timedelta(days=365)

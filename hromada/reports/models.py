"""Situation reports: who said what, about which incident or area, as of when.

A figure is never a fact on its own: it is a ``Claim`` made in one ``Document`` of one
``Source``, about an incident or an area, as of a time, with the words it used. Sitreps
reconcile the claims for an area and a cutoff and, once approved, keep their figures in
an immutable ``SitrepSnapshot`` so that what was sent can be reproduced exactly later.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.core.models import Area, Organization
from hromada.reports import metrics
from hromada.reports.figures import Qualifier, maximum_of, minimum_of, value_of

TEXT_MAX = 4000
EXCERPT_MAX = 20000
COORDINATE = {
    "max_digits": 9,
    "decimal_places": 6,
    "null": True,
    "blank": True,
}


def _name(obj: Any) -> str:
    """``name_en`` for English readers, else ``name_uk``; the other when one is empty."""
    first, second = (
        (obj.name_en, obj.name_uk) if get_language() == "en" else (obj.name_uk, obj.name_en)
    )
    return first or second


class Party(models.Model):
    """A party to the conflict. Combatant figures are always about one."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("party to the conflict")
        verbose_name_plural = _("parties to the conflict")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _name(self)


class Reliability(models.TextChoices):
    """The admiralty scale for the reliability of a source."""

    A = "A", _("A — completely reliable")
    B = "B", _("B — usually reliable")
    C = "C", _("C — fairly reliable")
    D = "D", _("D — not usually reliable")
    E = "E", _("E — unreliable")
    F = "F", _("F — reliability cannot be judged")


class Source(models.Model):
    class Kind(models.TextChoices):
        UN_AGENCY = "un_agency", _("UN agency")
        INTL_NGO = "intl_ngo", _("International NGO")
        LOCAL_NGO = "local_ngo", _("Local NGO")
        NATIONAL_GOVERNMENT = "national_government", _("National government")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        MILITARY = "military", _("Military")
        HOSPITAL = "hospital", _("Hospital or morgue")
        EMERGENCY_SERVICE = "emergency_service", _("Emergency service")
        MEDIA_INTERNATIONAL = "media_international", _("International media")
        MEDIA_NATIONAL = "media_national", _("National media")
        MEDIA_LOCAL = "media_local", _("Local media")
        SOCIAL_MEDIA = "social_media", _("Social media account")
        EYEWITNESS = "eyewitness", _("Eyewitness")
        OWN_TEAM = "own_team", _("Our own team")

    class Scale(models.TextChoices):
        LOCAL = "local", _("Local")
        REGIONAL = "regional", _("Regional")
        NATIONAL = "national", _("National")
        INTERNATIONAL = "international", _("International")

    # Sources that are people: their names are never public (they are shown by kind only).
    PERSONAL_KINDS = (Kind.SOCIAL_MEDIA, Kind.EYEWITNESS, Kind.OWN_TEAM)

    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sources",
        verbose_name=_("party to the conflict"),
        help_text=_("The party this source is, or speaks for. Empty for independent sources."),
    )
    scale = models.CharField(_("scale"), max_length=16, choices=Scale.choices)
    independence_group = models.SlugField(
        _("independence group"),
        max_length=64,
        blank=True,
        help_text=_(
            "Sources that repeat one origin share a group (e.g. outlets that repeat one "
            "government): they count as one independent source."
        ),
    )
    methodology_url = models.URLField(_("methodology"), max_length=500, blank=True)
    reliability = models.CharField(
        _("reliability"), max_length=1, choices=Reliability.choices, default=Reliability.F
    )
    recorder_for = models.JSONField(
        _("designated recorder for"),
        default=list,
        blank=True,
        help_text=_(
            "Metrics for which this source's figure is the reference (OHCHR for civilian "
            "casualties, UNHCR for refugees)."
        ),
    )
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["name_en", "name_uk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _name(self)

    @property
    def is_personal(self) -> bool:
        return self.kind in self.PERSONAL_KINDS

    @property
    def public_name(self) -> str:
        """What a visitor reads: an eyewitness or an account is named by kind only."""
        return str(self.get_kind_display()) if self.is_personal else self.name

    @property
    def group_key(self) -> str:
        return self.independence_group or f"source-{self.pk}"

    def records(self, metric: str) -> bool:
        """Is this source the designated recorder for ``metric`` (or a metric above it)?"""
        return any(code in self.recorder_for for code in metrics.ancestors(metric))


class Document(models.Model):
    """One publication or statement of a source. The excerpt is kept exactly as published."""

    class ArchiveStatus(models.TextChoices):
        NONE = "", _("No archive copy")
        PENDING = "pending", _("Waiting to be fetched")
        FETCHING = "fetching", _("Being fetched")
        DONE = "done", _("Archived")
        FAILED = "failed", _("Could not be fetched")

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="documents", verbose_name=_("source")
    )
    # The source whose figures this document repeats ("according to OHCHR"); its own source
    # when it cites nobody. Kept by the service from cites_source / cites_document.
    origin = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", verbose_name=_("origin")
    )
    url = models.URLField(_("link"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    retrieved_at = models.DateTimeField(_("retrieved"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    excerpt = models.TextField(
        _("verbatim excerpt"),
        blank=True,
        validators=[MaxLengthValidator(EXCERPT_MAX)],
        help_text=_("Exactly as published, whatever words anyone forbids."),
    )
    translation = models.TextField(
        _("translation"), blank=True, validators=[MaxLengthValidator(EXCERPT_MAX)]
    )
    cites_document = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cited_by",
        verbose_name=_("cites document"),
    )
    cites_source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cited_in",
        verbose_name=_("cites source"),
        help_text=_("“According to OHCHR”: the source this document repeats."),
    )
    archive = models.FileField(_("archive copy"), upload_to="reports/archive/", blank=True)
    archive_sha256 = models.CharField(_("SHA-256 of the archive copy"), max_length=64, blank=True)
    archive_content_type = models.CharField(max_length=100, blank=True)
    archive_status = models.CharField(
        _("archive"), max_length=16, choices=ArchiveStatus.choices, default="", blank=True
    )
    archive_error = models.CharField(max_length=300, blank=True)
    archive_claimed_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    retracted_at = models.DateTimeField(_("retracted"), null=True, blank=True)
    retraction_note = models.TextField(
        _("retraction"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["archive_claimed_at"])

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title or self.url or f"{self.source} #{self.pk}"

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None

    @property
    def repeats(self) -> bool:
        return self.origin_id != self.source_id


class Incident(models.Model):
    class Kind(models.TextChoices):
        AIR_STRIKE = "air_strike", _("Air or drone strike")
        SHELLING = "shelling", _("Shelling, artillery or missile")
        ARMED_CLASH = "armed_clash", _("Armed clash")
        EXPLOSIVE = "explosive", _("Explosive (mine, unexploded ordnance)")
        FIRE = "fire", _("Fire")
        STRUCTURE_DAMAGE = "structure_damage", _("Damage to a structure")
        ATTACK_ON_CIVILIANS = "attack_on_civilians", _("Attack on civilians")
        OTHER = "other", _("Other")

    class TimePrecision(models.TextChoices):
        EXACT = "exact", _("Exact time")
        DAY = "day", _("Day")
        DAYS = "days", _("Several days")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    class LocationPrecision(models.TextChoices):
        EXACT = "exact", _("Exact (within 50 m)")
        STREET = "street", _("Street or block (within 250 m)")
        NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood (within 1 km)")
        SETTLEMENT = "settlement", _("Settlement (within 5 km)")
        AREA = "area", _("Area only (within 25 km)")

    # How far the true spot may be from the coordinates, in metres.
    PRECISION_METRES = {
        "exact": 50,
        "street": 250,
        "neighbourhood": 1000,
        "settlement": 5000,
        "area": 25000,
    }

    class Grade(models.TextChoices):
        """The Airwars grading of how well an incident is established."""

        UNASSESSED = "unassessed", _("Not yet assessed")
        CONFIRMED = "confirmed", _("Confirmed")
        FAIR = "fair", _("Fair")
        WEAK = "weak", _("Weak")
        CONTESTED = "contested", _("Contested")
        DISCOUNTED = "discounted", _("Discounted")

    GRADE_MEANINGS = {
        "unassessed": _("Nobody has weighed the evidence yet."),
        "confirmed": _("A party to the conflict has accepted responsibility for the harm."),
        "fair": _(
            "Reported by two or more credible sources, with a party's action nearby likely "
            "or confirmed."
        ),
        "weak": _("Reported by a single source, though sometimes in detail."),
        "contested": _("Responsibility is disputed between parties, or the harm is disputed."),
        "discounted": _(
            "Those harmed were combatants, or another cause is most likely; kept for the record."
        ),
    }

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported, not reviewed")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into another")

    class Infrastructure(models.TextChoices):
        HOMES = "homes", _("Homes")
        APARTMENTS = "apartments", _("Apartment buildings")
        HEALTH = "health", _("Health")
        EDUCATION = "education", _("Education")
        ENERGY = "energy", _("Energy")
        WATER = "water", _("Water")
        HEATING = "heating", _("Heating")
        TRANSPORT = "transport", _("Transport")
        COMMUNICATIONS = "communications", _("Communications")
        SHELTER = "shelter", _("Shelters")
        FOOD = "food", _("Food supply and shops")
        CULTURE = "culture", _("Culture and religion")
        GOVERNMENT = "government", _("Public administration")
        INDUSTRY = "industry", _("Industry")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=24, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices)
    occurred_earliest = models.DateTimeField(_("earliest possible time"))
    occurred_latest = models.DateTimeField(_("latest possible time"))
    time_precision = models.CharField(
        _("time known to"), max_length=8, choices=TimePrecision.choices, default=TimePrecision.DAY
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("area")
    )
    place_text = models.CharField(
        _("where exactly"),
        max_length=200,
        blank=True,
        help_text=_("Street, landmark. Seen by analysts only."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        **COORDINATE,  # type: ignore[arg-type]
    )
    longitude = models.DecimalField(
        _("longitude"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        **COORDINATE,  # type: ignore[arg-type]
    )
    location_precision = models.CharField(
        _("place known to"),
        max_length=16,
        choices=LocationPrecision.choices,
        default=LocationPrecision.SETTLEMENT,
    )
    public_blur_m = models.PositiveIntegerField(
        _("public blur (metres)"),
        default=1000,
        validators=[MinValueValidator(100), MaxValueValidator(50000)],
        help_text=_("Published coordinates are coarsened to a grid of this size."),
    )
    infrastructure = models.JSONField(_("infrastructure hit"), default=list, blank=True)
    buildings_destroyed = models.PositiveIntegerField(
        _("buildings destroyed"), null=True, blank=True
    )
    buildings_damaged = models.PositiveIntegerField(_("buildings damaged"), null=True, blank=True)
    description = models.TextField(
        _("what happened"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    grade = models.CharField(
        _("grading"), max_length=16, choices=Grade.choices, default=Grade.UNASSESSED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    review_note = models.TextField(
        _("review note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_contact = models.CharField(
        _("how to reach you"),
        max_length=200,
        blank=True,
        help_text=_("Optional. Only analysts see it, to ask you more."),
    )
    documents = models.ManyToManyField(
        Document, through="IncidentDocument", related_name="incidents", blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["reporter_contact"])

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_latest", "-pk"]
        indexes = [
            models.Index(fields=["status", "occurred_latest"], name="incident_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_earliest__lte=F("occurred_latest")),
                name="incident_window_ordered",
                violation_error_message=_("The earliest time must not be after the latest."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_both_coordinates",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.get_kind_display()}"

    @staticmethod
    def new_code(when: Any) -> str:
        """A public code: the day it happened and four characters nobody can mistake."""
        alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        day = timezone.localtime(when).strftime("%Y%m%d")
        return f"{day}-" + "".join(secrets.choice(alphabet) for _ in range(4))

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def uncertainty_m(self) -> int:
        return self.PRECISION_METRES[self.location_precision]

    @property
    def infrastructure_labels(self) -> list[str]:
        labels = dict(self.Infrastructure.choices)
        return [str(labels.get(code, code)) for code in self.infrastructure]

    @property
    def grade_meaning(self) -> str:
        return str(self.GRADE_MEANINGS.get(self.grade, ""))


class IncidentAlias(models.Model):
    """A code an incident was known by before a merge: old links keep working."""

    code = models.CharField(max_length=24, unique=True)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="aliases")

    def __str__(self) -> str:
        return self.code


class IncidentDocument(models.Model):
    class Relation(models.TextChoices):
        REPORTS = "reports", _("Reports it")
        DISPUTES = "disputes", _("Disputes it")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="incident_links")
    relation = models.CharField(
        _("relation"), max_length=16, choices=Relation.choices, default=Relation.REPORTS
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "document"], name="incident_document_once")
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.relation} {self.incident}"


class NotDuplicate(models.Model):
    """A person looked at two incidents suggested as duplicates and said they are not."""

    first = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="not_duplicate_once"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="not_duplicate_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class Claim(models.Model):
    """One figure in one document: who counted what, where, as of when, in which words."""

    class Control(models.TextChoices):
        WHOLE = "whole", _("Whole area")
        GOVERNMENT = "government", _("Government-controlled territory")
        OTHER = "other", _("Other territory")

    class Basis(models.TextChoices):
        VERIFIED_RECORDS = "verified_records", _("Verified records")
        DOCUMENTED_COUNT = "documented_count", _("Documented count")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement")
        ESTIMATE = "estimate", _("Estimate")
        EYEWITNESS = "eyewitness", _("Eyewitness account")
        BELLIGERENT_CLAIM = "belligerent_claim", _("Claim by a party to the conflict")
        HEARSAY = "hearsay", _("Hearsay")

    # Bases whose minimum stands as a documented floor.
    DOCUMENTED = (Basis.VERIFIED_RECORDS, Basis.DOCUMENTED_COUNT)

    class SourceStatus(models.TextChoices):
        ACTIVE = "active", _("Active")
        CORRECTED = "corrected", _("Corrected by the source")
        RETRACTED = "retracted", _("Retracted")

    class Assessment(models.TextChoices):
        UNREVIEWED = "unreviewed", _("Not reviewed")
        CORROBORATED = "corroborated", _("Corroborated")
        VERIFIED = "verified", _("Verified")
        UNVERIFIED = "unverified", _("Could not be verified")
        CONTESTED = "contested", _("Contested")
        DISCOUNTED = "discounted", _("Discounted")

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="claims", verbose_name=_("document")
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="claims", verbose_name=_("source")
    )
    metric = models.CharField(_("what is counted"), max_length=32, choices=metrics.CHOICES)
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("whose people"),
        help_text=_("For combatant figures: the party whose fighters are counted."),
    )
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("incident"),
    )
    # Null (with no incident): the whole country. For an incident: the incident's area.
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("area"),
    )
    control = models.CharField(
        _("territory"), max_length=16, choices=Control.choices, default=Control.WHOLE
    )
    measure = models.CharField(
        _("measure"), max_length=16, choices=metrics.Measure.choices, default="cumulative"
    )
    period_start = models.DateField(_("since / from"), null=True, blank=True)
    period_end = models.DateField(_("until"), null=True, blank=True)
    as_of = models.DateTimeField(_("as of"))
    low = models.PositiveBigIntegerField(_("low"), null=True, blank=True)
    best = models.PositiveBigIntegerField(_("best"), null=True, blank=True)
    high = models.PositiveBigIntegerField(_("high"), null=True, blank=True)
    qualifier = models.CharField(_("qualifier"), max_length=16, choices=Qualifier.choices)
    value_text = models.CharField(_("in the source's words"), max_length=200, blank=True)
    basis = models.CharField(_("basis"), max_length=32, choices=Basis.choices)
    undercount = models.BooleanField(
        _("known undercount"),
        default=False,
        help_text=_("The source says the real figure is higher."),
    )
    caveat = models.TextField(_("caveat"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("replaces"),
        help_text=_("The same source's earlier figure that this one replaces."),
    )
    part_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="parts",
        verbose_name=_("part of"),
        help_text=_("The larger figure of the same document that includes this one."),
    )
    source_status = models.CharField(
        _("status at the source"),
        max_length=16,
        choices=SourceStatus.choices,
        default=SourceStatus.ACTIVE,
    )
    assessment = models.CharField(
        _("our assessment"),
        max_length=16,
        choices=Assessment.choices,
        default=Assessment.UNREVIEWED,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-as_of", "-pk"]
        indexes = [
            models.Index(fields=["metric", "area", "as_of"], name="claim_metric_area_time"),
            models.Index(fields=["area", "as_of"], name="claim_area_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=False) | Q(best__isnull=False) | Q(high__isnull=False),
                name="claim_has_a_value",
                violation_error_message=_("A claim needs a figure."),
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="claim_low_not_above_high",
                violation_error_message=_("The low figure must not be above the high one."),
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(best__isnull=True) | Q(low__lte=F("best")),
                name="claim_low_not_above_best",
                violation_error_message=_("The low figure must not be above the best estimate."),
            ),
            models.CheckConstraint(
                condition=Q(best__isnull=True) | Q(high__isnull=True) | Q(best__lte=F("high")),
                name="claim_best_not_above_high",
                violation_error_message=_("The best estimate must not be above the high figure."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value_text or self.value} ({self.source})"

    @property
    def metric_info(self) -> metrics.Metric:
        return metrics.get(self.metric)

    @property
    def value(self) -> int | None:
        return value_of(self.low, self.best, self.high)

    @property
    def minimum(self) -> int | None:
        return minimum_of(self.qualifier, self.low, self.best)

    @property
    def maximum(self) -> int | None:
        return maximum_of(self.low, self.best, self.high)

    @property
    def is_retracted(self) -> bool:
        return self.source_status == self.SourceStatus.RETRACTED


class Sitrep(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    FROZEN = (Status.APPROVED, Status.PUBLISHED, Status.SUPERSEDED)
    PUBLIC = (Status.PUBLISHED, Status.SUPERSEDED)

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="sitreps",
        verbose_name=_("organisation"),
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sitreps",
        verbose_name=_("area"),
        help_text=_("Empty for the whole country."),
    )
    cutoff = models.DateTimeField(_("figures as of"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    stale_after_days = models.PositiveSmallIntegerField(
        _("figures older than this are stale (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    review_note = models.TextField(
        _("reviewer's note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["-cutoff", "-pk"]

    def __str__(self) -> str:
        return self.title or f"{self.area_name} · {timezone.localtime(self.cutoff):%Y-%m-%d %H:%M}"

    @property
    def area_name(self) -> str:
        return self.area.name if self.area is not None else str(NATIONAL_NAME)

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC


NATIONAL_NAME = _("All of Ukraine")
NATIONAL_CODE = "UA"


class ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Sitrep snapshots never change.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Sitrep snapshots never change.")


class SitrepSnapshot(models.Model):
    """The figures of a sitrep as approved: written once, never changed, so that a sitrep
    sent out can be reproduced exactly. ``sha256`` is over the canonical JSON payload."""

    sitrep = models.OneToOneField(Sitrep, on_delete=models.PROTECT, related_name="snapshot")
    payload = models.JSONField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("sitrep snapshot")
        verbose_name_plural = _("sitrep snapshots")

    def __str__(self) -> str:
        return f"{self.sitrep_id}: {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Sitrep snapshots never change.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("Sitrep snapshots never change.")


class MediaItem(models.Model):
    """A photo or video that circulates, with what we know of where it came from."""

    class Platform(models.TextChoices):
        TELEGRAM = "telegram", "Telegram"
        X = "x", "X (Twitter)"
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        TIKTOK = "tiktok", "TikTok"
        YOUTUBE = "youtube", "YouTube"
        VIBER = "viber", "Viber"
        WHATSAPP = "whatsapp", "WhatsApp"
        WEBSITE = "website", _("Website")
        SUBMITTED = "submitted", _("Sent to us directly")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")
        OTHER = "other", _("Other")

    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to="reports/media/", blank=True)
    original_filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.IMAGE)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    uploader = models.CharField(
        _("posted by"),
        max_length=200,
        blank=True,
        help_text=_("The account that posted it. Never public."),
    )
    first_seen_at = models.DateTimeField(_("first seen"))
    caption = models.TextField(
        _("caption as posted"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, db_index=True)
    recycled_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recycled_as",
        verbose_name=_("recycled from"),
    )
    recycled_found_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)])
    incidents = models.ManyToManyField(
        Incident, through="MediaLink", related_name="media", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("media item")
        verbose_name_plural = _("media items")
        ordering = ["-first_seen_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_platform_display()} {self.first_seen_at:%Y-%m-%d}"

    @property
    def is_recycled(self) -> bool:
        return self.recycled_of_id is not None


class MediaLink(models.Model):
    class Relation(models.TextChoices):
        SUPPORTS = "supports", _("Supports")
        CONTRADICTS = "contradicts", _("Contradicts")

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="media_links")
    relation = models.CharField(
        _("relation"), max_length=16, choices=Relation.choices, default=Relation.SUPPORTS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "incident"], name="media_incident_once")
        ]

    def __str__(self) -> str:
        return f"{self.media_id} {self.relation} {self.incident_id}"


class Verification(models.Model):
    class Status(models.TextChoices):
        UNDETERMINED = "undetermined", _("Undetermined")
        IN_PROGRESS = "in_progress", _("In progress")
        VERIFIED = "verified", _("Verified")
        FALSE = "false", _("False")
        MISLEADING = "misleading", _("Misleading")
        INCONCLUSIVE = "inconclusive", _("Inconclusive")

    FINAL = (Status.VERIFIED, Status.FALSE, Status.MISLEADING, Status.INCONCLUSIVE)

    class Confidence(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    media = models.ForeignKey(
        MediaItem, on_delete=models.CASCADE, related_name="verifications", verbose_name=_("media")
    )
    claimed = models.TextField(
        _("what is claimed"),
        validators=[MaxLengthValidator(TEXT_MAX)],
        help_text=_("What the post says it shows: place, time, event."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        **COORDINATE,  # type: ignore[arg-type]
    )
    longitude = models.DecimalField(
        _("longitude"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        **COORDINATE,  # type: ignore[arg-type]
    )
    geolocation_method = models.TextField(
        _("how it was geolocated"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    geolocation_confidence = models.CharField(
        _("confidence"), max_length=8, choices=Confidence.choices, blank=True
    )
    time_earliest = models.DateTimeField(_("taken no earlier than"), null=True, blank=True)
    time_latest = models.DateTimeField(_("taken no later than"), null=True, blank=True)
    provenance = models.TextField(
        _("provenance findings"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    manipulation = models.TextField(
        _("manipulation findings"), blank=True, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNDETERMINED
    )
    proposed_status = models.CharField(
        _("proposed verdict"), max_length=16, choices=Status.choices, blank=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="verification_both_coordinates",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.media} · {self.get_status_display()}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

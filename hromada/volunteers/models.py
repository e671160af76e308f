"""Volunteers and brigades: who can do what, where and when; tasks, shifts and the count back;
equipment custody; applications from abroad; the contact directory."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hromada.core.models import Area, Organization, Place, Sensitivity
from hromada.volunteers.phones import display_phone

NOTE_MAX = 2000


# Shared lists ---------------------------------------------------------------------------


class Skill(models.TextChoices):
    MEDIC = "medic", _("Doctor")
    NURSE = "nurse", _("Nurse")
    PARAMEDIC = "paramedic", _("Paramedic")
    FIRST_AID = "first_aid", _("First aid")
    DRIVER = "driver", _("Driver")
    COOK = "cook", _("Cook")
    BAKER = "baker", _("Baker")
    ELECTRICIAN = "electrician", _("Electrician")
    PLUMBER = "plumber", _("Plumber")
    MASON = "mason", _("Mason, builder")
    ENGINEER = "engineer", _("Engineer")
    IT = "it", _("IT")
    TRANSLATOR = "translator", _("Translator")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    TEACHER = "teacher", _("Teacher")
    LOGISTICS = "logistics", _("Logistics, warehouse")
    OTHER = "other", _("Other")


class SkillLevel(models.IntegerChoices):
    BASIC = 1, _("Some experience")
    TRAINED = 2, _("Trained")
    PROFESSIONAL = 3, _("Professional")


# Driving licence categories in Ukraine (Закон «Про дорожній рух», ст. 15).
LICENCE_CATEGORIES = [
    "A1",
    "A",
    "B1",
    "B",
    "C1",
    "C",
    "D1",
    "D",
    "BE",
    "C1E",
    "CE",
    "D1E",
    "DE",
    "T",
]

# Languages offered on forms (ISO 639-1); their names come from Babel in the reader's language.
LANGUAGE_CODES = [
    "uk", "en", "pl", "de", "fr", "es", "it", "pt", "nl", "cs", "sk", "ro", "hu", "lt",
    "lv", "et", "ka", "be", "crh", "he", "tr", "sv", "no", "da", "fi", "ja", "ru",
]  # fmt: skip


class PartOfDay(models.TextChoices):
    """Blocks of the day people answer with ("mornings, weekends"), in local time."""

    NIGHT = "night", _("Night (0–6)")
    MORNING = "morning", _("Morning (6–12)")
    AFTERNOON = "afternoon", _("Afternoon (12–18)")
    EVENING = "evening", _("Evening (18–24)")

    @property
    def minutes(self) -> tuple[int, int]:
        start = {"night": 0, "morning": 6, "afternoon": 12, "evening": 18}[self.value]
        return start * 60, (start + 6) * 60


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class CodeListField(models.CharField):
    """A short list of codes ("uk", "driver"), stored as ",uk,en," so that one code can be
    found with a LIKE on SQLite and PostgreSQL alike (JSON containment is PostgreSQL only).
    Use ``has_code(field, code)`` to filter."""

    _pyi_private_set_type: list[str]  # type: ignore[assignment]
    _pyi_private_get_type: list[str]  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[str]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        return [part for part in (value or "").split(",") if part]

    def get_prep_value(self, value: Any) -> str:
        codes = self.to_python(value)
        return f",{','.join(codes)}," if codes else ""

    def value_to_string(self, obj: models.Model) -> str:
        return ",".join(self.to_python(self.value_from_object(obj)))

    def formfield(self, **kwargs: Any) -> Any:
        return None  # forms choose their own multiple-choice widget

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def run_validators(self, value: Any) -> None:
        super().run_validators(self.get_prep_value(value))


def has_code(field: str, code: str) -> Q:
    return Q(**{f"{field}__contains": f",{code},"})


# Desks and volunteers -------------------------------------------------------------------


class Desk(models.Model):
    """An organisation's volunteer desk: whether it takes sign-ups and applications from
    abroad. Nothing reaches an organisation that has not opened its desk."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="volunteer_desk",
        verbose_name=_("organisation"),
    )  # fmt: skip
    signups_open = models.BooleanField(_("takes sign-ups from the town"), default=True)
    applications_open = models.BooleanField(_("takes applications from abroad"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("volunteer desk")
        verbose_name_plural = _("volunteer desks")

    def __str__(self) -> str:
        return str(self.organization)


class VolunteerQuerySet(models.QuerySet["Volunteer"]):
    def active(self) -> VolunteerQuerySet:
        return self.filter(is_active=True)


class Volunteer(models.Model):
    """A person who gives their time, in one organisation's registry.

    Their phone, e-mail and emergency contact are contact data: only coordinators of the
    organisation and the person themselves read them (see permissions.may_see_contact).
    """

    class Vetting(models.TextChoices):
        UNVERIFIED = "unverified", _("Unverified")
        VERIFIED = "verified", _("Verified")
        SUSPENDED = "suspended", _("Suspended")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Signed up themselves")
        COORDINATOR = "coordinator", _("Registered by a coordinator")
        APPLICATION = "application", _("Applied from abroad")

    class Vehicle(models.TextChoices):
        NONE = "", _("No vehicle")
        CAR = "car", _("Car")
        VAN = "van", _("Van")
        PICKUP = "pickup", _("Pickup")
        MINIBUS = "minibus", _("Minibus")
        TRUCK = "truck", _("Truck")
        MOTORBIKE = "motorbike", _("Motorbike")
        TRACTOR = "tractor", _("Tractor")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="volunteers",
        verbose_name=_("organisation"),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="volunteer_profiles", verbose_name=_("login"),
    )  # fmt: skip
    name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = CodeListField(_("languages"))
    home_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("home area"),
    )  # fmt: skip
    vehicle = models.CharField(
        _("vehicle"), max_length=16, choices=Vehicle.choices, blank=True, default=""
    )
    vehicle_seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    vehicle_load_kg = models.PositiveIntegerField(
        _("load (kg)"), null=True, blank=True, validators=[MaxValueValidator(40000)]
    )
    vetting = models.CharField(
        _("vetting"), max_length=16, choices=Vetting.choices, default=Vetting.UNVERIFIED
    )
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("vetted by"),
    )  # fmt: skip
    vetted_at = models.DateTimeField(_("vetted"), null=True, blank=True)
    vetting_note = models.CharField(_("vetting note"), max_length=500, blank=True)
    emergency_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_phone = models.CharField(_("emergency phone"), max_length=32, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("consent recorded by"),
        help_text=_("Empty when the person gave it themselves on the sign-up form."),
    )  # fmt: skip
    consent_version = models.CharField(
        _("consent text agreed to"), max_length=64, blank=True,
        help_text=_("Which wording of the consent text the person agreed to."),
    )  # fmt: skip
    note = models.TextField(
        _("coordinator's note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects: ClassVar[VolunteerQuerySet] = VolunteerQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "phone"],
                condition=~Q(phone=""),
                name="volunteer_phone_unique_per_org",
                violation_error_message=_(
                    "This organisation already has a volunteer with this phone."
                ),
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="volunteer_login_unique_per_org",
            ),
        ]
        indexes = [models.Index(fields=["organization", "vetting"], name="volunteer_org_vetting")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_redacted", False):
            raise RuntimeError("A redacted volunteer is for display only; it is never saved.")
        super().save(*args, **kwargs)

    def redact(self) -> Volunteer:
        """Blank the contact data on this in-memory copy (short name only), for people who
        may see that someone is on a shift but not how to reach them."""
        self.name = self.short_name
        self.phone = self.email = self.emergency_name = self.emergency_phone = ""
        self.note = self.vetting_note = ""
        self._redacted = True
        return self

    @property
    def short_name(self) -> str:
        """First name and initial ("Віктор Б."): what teammates see of each other."""
        parts = self.name.split()
        if len(parts) < 2:
            return self.name
        return f"{parts[0]} {parts[-1][0]}."

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def emergency_phone_display(self) -> str:
        return display_phone(self.emergency_phone)

    @property
    def is_verified(self) -> bool:
        return self.vetting == self.Vetting.VERIFIED

    @property
    def may_be_assigned(self) -> bool:
        return self.is_active and self.vetting != self.Vetting.SUSPENDED


class VolunteerSkill(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="skills")
    skill = models.CharField(_("skill"), max_length=32, choices=Skill.choices)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.BASIC
    )
    licence = CodeListField(
        _("licence categories"), max_length=64, help_text=_("For drivers: B, C, D…")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["skill"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "skill"], name="one_row_per_skill")
        ]

    def __str__(self) -> str:
        return f"{self.get_skill_display()} ({self.get_level_display()})"

    @property
    def label(self) -> str:
        text = str(self.get_skill_display())
        if self.licence:
            text += " " + ", ".join(self.licence)
        return text


class AvailabilitySlot(models.Model):
    """A weekly window when the volunteer can usually come, in local time, minutes from
    midnight (0–1440, so that "until midnight" is 1440). Adjacent windows are merged."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(_("from"), validators=[MaxValueValidator(1439)])
    end_minute = models.PositiveSmallIntegerField(_("until"), validators=[MaxValueValidator(1440)])

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_minute__gt=models.F("start_minute")), name="slot_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_0_6"),
        ]
        # The search asks, volunteer by volunteer, "is there a window that covers…": the
        # volunteer comes first, or SQLite scans every window of that weekday for each one.
        indexes = [
            models.Index(
                fields=["volunteer", "weekday", "start_minute", "end_minute"], name="slot_cover"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.hours}"

    @property
    def hours(self) -> str:
        def hm(minute: int) -> str:
            return f"{minute // 60:02d}:{minute % 60:02d}"

        return f"{hm(self.start_minute)}–{hm(self.end_minute)}"


# Teams ------------------------------------------------------------------------------------


class Team(models.Model):
    """A brigade: people who work together, with a leader."""

    class Kind(models.TextChoices):
        FORTIFICATION = "fortification", _("Fortification (sandbags, barricades)")
        KITCHEN = "kitchen", _("Kitchen")
        TRANSPORT = "transport", _("Transport")
        MEDICAL = "medical", _("Medical")
        WATCH = "watch", _("Night watch")
        REPAIR = "repair", _("Repairs")
        DISTRIBUTION = "distribution", _("Distribution")
        RESCUE = "rescue", _("Search and rescue")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="volunteer_teams",
        verbose_name=_("organisation"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("area"),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="team_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="team_memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="one_membership_per_team"),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="leader"),
                name="one_leader_per_team",
                violation_error_message=_("A team has one leader."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} — {self.team} ({self.get_role_display()})"


# Tasks and shifts -------------------------------------------------------------------------


class Task(models.Model):
    """Work to be done at a place: "fill sandbags at the school". Its shifts say when."""

    class Kind(models.TextChoices):
        FORTIFICATION = "fortification", _("Fortification")
        COOKING = "cooking", _("Cooking")
        DRIVING = "driving", _("Driving, deliveries")
        WATCH = "watch", _("Watch")
        MEDICAL = "medical", _("Medical help")
        REPAIR = "repair", _("Repairs")
        DISTRIBUTION = "distribution", _("Distribution")
        CLEANUP = "cleanup", _("Clean-up")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="volunteer_tasks",
        verbose_name=_("organisation"),
    )  # fmt: skip
    title = models.CharField(_("what is to be done"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    description = models.TextField(
        _("details"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer_tasks",
        verbose_name=_("place"),
    )  # fmt: skip
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks",
        verbose_name=_("team"),
    )  # fmt: skip
    skills = CodeListField(_("skills needed"))
    skills_for_all = models.BooleanField(
        _("everyone needs these skills"),
        default=False,
        help_text=_("Otherwise one person with each skill is enough."),
    )
    verified_only = models.BooleanField(_("verified volunteers only"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]


class ShiftQuerySet(models.QuerySet["Shift"]):
    def upcoming(self, now: datetime.datetime | None = None) -> ShiftQuerySet:
        """Shifts not yet over, that still run."""
        return self.filter(ends_at__gt=now or timezone.now(), status=Shift.Status.OPEN)

    def with_counts(self) -> ShiftQuerySet:
        """Annotate confirmed, invited, checked-in and still-out counts (one query)."""
        confirmed = Q(assignments__status=Assignment.Status.CONFIRMED)
        return self.annotate(
            confirmed_count=models.Count("assignments", filter=confirmed),
            invited_count=models.Count(
                "assignments", filter=Q(assignments__status=Assignment.Status.INVITED)
            ),
            checked_in_count=models.Count(
                "assignments", filter=confirmed & Q(assignments__checked_in_at__isnull=False)
            ),
            still_out_count=models.Count(
                "assignments",
                filter=confirmed
                & Q(assignments__checked_in_at__isnull=False)
                & Q(assignments__checked_out_at__isnull=True),
            ),
        )

    def short(self) -> ShiftQuerySet:
        """Shifts with fewer confirmed people than their headcount (after ``with_counts``)."""
        return self.filter(confirmed_count__lt=models.F("headcount"))


class Shift(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CANCELLED = "cancelled", _("Cancelled")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    headcount = models.PositiveSmallIntegerField(
        _("people needed"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    lead = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_shifts",
        verbose_name=_("shift leader"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    objects: ClassVar[ShiftQuerySet] = ShiftQuerySet.as_manager()  # type: ignore[assignment]

    MAX_LENGTH = datetime.timedelta(hours=24)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift ends after it starts."),
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="shift_headcount_positive"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="shift_time")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.task.title}, {local:%d.%m %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("A shift ends after it starts.")})
            if self.ends_at - self.starts_at > self.MAX_LENGTH:
                raise ValidationError({"ends_at": _("A shift lasts at most 24 hours.")})

    @property
    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def check_in_open(self) -> bool:
        """From two hours before the start to the end (see services.check_in)."""
        now = timezone.now()
        return self.starts_at - datetime.timedelta(hours=2) <= now <= self.ends_at

    @property
    def shortfall(self) -> int:
        """How many more confirmed people the shift needs (uses ``with_counts`` when there)."""
        confirmed = getattr(self, "confirmed_count", None)
        if confirmed is None:
            confirmed = self.assignments.filter(status=Assignment.Status.CONFIRMED).count()
        return max(self.headcount - confirmed, 0)

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Assignment(models.Model):
    """One person on one shift: invited, confirmed (asked and said yes), and counted in and
    back out. Nobody is confirmed without having been asked."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NO_SHOW = "no_show", _("Did not come")

    ACTIVE = (Status.INVITED, Status.CONFIRMED)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    via_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("invited with team"),
    )  # fmt: skip
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agreed_by_phone = models.BooleanField(
        _("agreed by phone"),
        default=False,
        help_text=_("A coordinator confirmed on the person's behalf after asking them."),
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["shift__starts_at", "volunteer__name"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="one_assignment_per_shift"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
                name="checked_out_after_checked_in",
                violation_error_message=_("Nobody checks out before checking in."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.shift}"

    @property
    def is_on_shift(self) -> bool:
        return self.checked_in_at is not None and self.checked_out_at is None

    @property
    def not_counted_back(self) -> bool:
        """Checked in, the shift is over, and nobody has seen them check out."""
        return self.is_on_shift and self.shift.is_over

    @property
    def hours(self) -> float | None:
        if self.checked_in_at is None or self.checked_out_at is None:
            return None
        return round((self.checked_out_at - self.checked_in_at).total_seconds() / 3600, 2)


# Equipment custody ------------------------------------------------------------------------


class Condition(models.TextChoices):
    NEW = "new", _("New")
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    DAMAGED = "damaged", _("Damaged")
    BROKEN = "broken", _("Broken")
    LOST = "lost", _("Lost")


class EquipmentItem(models.Model):
    """A thing with a tag that is handed out and must come back: a radio, a vest."""

    class Kind(models.TextChoices):
        RADIO = "radio", _("Radio")
        VEST = "vest", _("Protective vest")
        HELMET = "helmet", _("Helmet")
        FIRST_AID_KIT = "first_aid_kit", _("First-aid kit")
        GENERATOR = "generator", _("Generator")
        VEHICLE = "vehicle", _("Vehicle")
        TOOL = "tool", _("Tool")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        AVAILABLE = "available", _("In store")
        ISSUED = "issued", _("Issued")
        LOST = "lost", _("Lost")
        RETIRED = "retired", _("Retired")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="equipment",
        verbose_name=_("organisation"),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    tag = models.CharField(_("tag or serial number"), max_length=64)
    condition = models.CharField(
        _("condition"), max_length=16, choices=Condition.choices, default=Condition.GOOD
    )
    # Derived from the custody records, kept in the same transaction as they change.
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.AVAILABLE
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("equipment item")
        verbose_name_plural = _("equipment")
        ordering = ["kind", "tag"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "tag"],
                name="equipment_tag_unique_per_org",
                violation_error_message=_("This organisation already has an item with this tag."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.tag}]"


class CustodyQuerySet(models.QuerySet["CustodyRecord"]):
    def open(self) -> CustodyQuerySet:
        return self.filter(returned_at__isnull=True)

    def held_at(self, moment: datetime.datetime) -> CustodyQuerySet:
        """Records of what was out at ``moment``: issued before it, not yet returned by it."""
        return self.filter(issued_at__lte=moment).filter(
            Q(returned_at__isnull=True) | Q(returned_at__gt=moment)
        )

    def overdue(self, now: datetime.datetime | None = None) -> CustodyQuerySet:
        return self.open().filter(due_back__lt=now or timezone.now())


class CustodyRecord(models.Model):
    """One hand-over of an item to a volunteer or a team, and its return."""

    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="custody")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="custody",
        verbose_name=_("volunteer"),
    )  # fmt: skip
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="custody",
        verbose_name=_("team"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    condition_out = models.CharField(
        _("condition when issued"), max_length=16, choices=Condition.choices
    )
    due_back = models.DateTimeField(_("due back"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("received by"),
    )  # fmt: skip
    condition_in = models.CharField(
        _("condition when returned"), max_length=16, choices=Condition.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects: ClassVar[CustodyQuerySet] = CustodyQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("custody record")
        verbose_name_plural = _("custody records")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # The database itself refuses a second hand-over of an item that is still out.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(returned_at__isnull=True),
                name="one_open_custody_per_item",
                violation_error_message=_("This item is already issued."),
            ),
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, team__isnull=True)
                | Q(volunteer__isnull=True, team__isnull=False),
                name="custody_has_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("issued_at")),
                name="custody_returned_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.holder}"

    @property
    def holder(self) -> Volunteer | Team | None:
        return self.volunteer if self.volunteer_id else self.team

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_back is not None and self.due_back < timezone.now()


# Applications from abroad ---------------------------------------------------------------


class Referrer(models.Model):
    """Someone who sends volunteers our way (the man who recruited thirty). With a login,
    they see how many of their referrals reached each status, and nothing else."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="referrers",
        verbose_name=_("organisation"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("referral code"), max_length=32, unique=True,
        help_text=_("Applicants type it on the form. Letters, digits and hyphens."),
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="referrer_profiles", verbose_name=_("login"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referrer")
        verbose_name_plural = _("referrers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.code = self.code.upper()
        super().save(*args, **kwargs)


APPLY_LANGUAGES = [
    ("uk", "Українська"),
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("pl", "Polski"),
]


def _reference() -> str:
    # No 0/O, 1/I: read aloud over a bad line or copied by hand, it must survive.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "HR-" + "".join(secrets.choice(alphabet) for _ in range(7))


class Application(models.Model):
    """An application from a volunteer abroad, and where it stands.

    The applicant follows it with the reference and a secret link; only the secret's
    SHA-256 digest is stored.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        ARRIVED = "arrived", _("Arrived")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # Where each status may go next. Arrived, rejected and withdrawn are final.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.SUBMITTED: (Status.SCREENING, Status.REJECTED, Status.WITHDRAWN),
        Status.SCREENING: (Status.INTERVIEW, Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN),
        Status.INTERVIEW: (Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN),
        Status.ACCEPTED: (Status.ARRIVED, Status.REJECTED, Status.WITHDRAWN),
        Status.ARRIVED: (),
        Status.REJECTED: (),
        Status.WITHDRAWN: (),
    }

    class HowHeard(models.TextChoices):
        EMBASSY = "embassy", _("A Ukrainian embassy or consulate")
        REFERRER = "referrer", _("A person who recruits volunteers")
        FRIEND = "friend", _("A friend or relative")
        NEWS = "news", _("News")
        SOCIAL = "social", _("Social networks")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="volunteer_applications",
        verbose_name=_("organisation"),
    )  # fmt: skip
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=_reference)
    secret_digest = models.CharField(max_length=64, editable=False)
    language = models.CharField(_("language"), max_length=8, choices=APPLY_LANGUAGES)
    name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2)
    residence = models.CharField(_("country of residence"), max_length=2)
    languages = CodeListField(_("languages"))
    skills = CodeListField(_("skills"))
    experience = models.TextField(_("skills and experience"), validators=[MaxLengthValidator(4000)])
    available_from = models.DateField(_("available from"))
    available_until = models.DateField(_("available until"), null=True, blank=True)
    how_heard = models.CharField(_("how you heard of us"), max_length=16, choices=HowHeard.choices)
    referrer = models.ForeignKey(
        Referrer, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications",
        verbose_name=_("referrer"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("reviewer"),
    )  # fmt: skip
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("volunteer record"),
    )  # fmt: skip
    consent_at = models.DateTimeField(_("consent given"))
    consent_version = models.CharField(
        _("consent text agreed to"), max_length=64, blank=True,
        help_text=_("Which wording of the consent text the person agreed to."),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["secret_digest"])

    class Meta:
        verbose_name = _("application from abroad")
        verbose_name_plural = _("applications from abroad")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"], name="application_org_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="application_window_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    def set_secret(self) -> str:
        """A new secret for the status link; returned once, only its digest is kept."""
        secret = secrets.token_urlsafe(18)
        self.secret_digest = self.digest_of(secret)
        return secret

    def check_secret(self, secret: str) -> bool:
        return bool(self.secret_digest) and secrets.compare_digest(
            self.secret_digest, self.digest_of(secret)
        )

    @property
    def is_final(self) -> bool:
        return not self.TRANSITIONS[self.status]

    def next_statuses(self) -> list[tuple[str, str]]:
        return [(s, str(self.Status(s).label)) for s in self.TRANSITIONS[self.status]]


class ApplicationEvent(models.Model):
    """A status change or a reviewer's note. Applicants see status changes, never notes."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )  # fmt: skip
    status_from = models.CharField(max_length=16, choices=Application.Status.choices, blank=True)
    status_to = models.CharField(max_length=16, choices=Application.Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.status_from} → {self.status_to}"

    @property
    def is_status_change(self) -> bool:
        return bool(self.status_to) and self.status_to != self.status_from


def _document_path(instance: ApplicationDocument, filename: str) -> str:
    """Random names under a private directory: never the applicant's file name."""
    return f"volunteers/applications/{uuid.uuid4().hex}{instance.extension}"


class ApplicationDocument(models.Model):
    """A passport scan, a diploma, a CV: kept in private storage (MEDIA_ROOT is never served)
    and read only through a view that checks permission and writes an audit event."""

    MAX_BYTES = 10 * 1024 * 1024
    TYPES: ClassVar[dict[str, str]] = {
        "application/pdf": ".pdf",
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/webp": ".webp",
    }

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return self.TYPES.get(self.content_type, "")


# Contact directory ------------------------------------------------------------------------


class ContactCard(models.Model):
    """Who to call at a place or an organisation: the hospital's on-call doctor, the
    shelter's warden. Never shown wider than its place."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone who may see it")
        COORDINATORS = "coordinators", _("Coordinators only")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contact_cards",
        verbose_name=_("organisation"),
    )  # fmt: skip
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.CASCADE, related_name="contact_cards",
        verbose_name=_("place"),
    )  # fmt: skip
    title = models.CharField(
        _("role"), max_length=200, help_text=_("e.g. on-call doctor, shelter warden")
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    phone_alt = models.CharField(_("other phone"), max_length=32, blank=True)
    hours = models.CharField(_("when to call"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    sensitivity = models.CharField(
        _("who may see it"), max_length=16, choices=Sensitivity.choices,
        default=Sensitivity.MEMBERS,
    )  # fmt: skip
    audience = models.CharField(
        _("for"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact card")
        verbose_name_plural = _("contact cards")
        ordering = ["sort_order", "title", "pk"]

    def __str__(self) -> str:
        return f"{self.title}: {self.name}" if self.name else self.title

    @property
    def phone_display(self) -> str:
        return display_phone(self.phone)

    @property
    def phone_alt_display(self) -> str:
        return display_phone(self.phone_alt)

    @property
    def effective_sensitivity(self) -> str:
        """The stricter of the card's own and its place's."""
        if self.place is None:
            return self.sensitivity
        return max(self.sensitivity, self.place.sensitivity, key=Sensitivity.rank)

"""Forms parse input only: the services decide (see aid.forms.NeedForm._post_clean)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import Area, Organization, Place, Sensitivity
from hromada.core.privacy import CONSENTS
from hromada.volunteers import choices
from hromada.volunteers.documents import MAX_FILES
from hromada.volunteers.models import (
    LICENCE_CATEGORIES,
    NOTE_MAX,
    Application,
    Condition,
    ContactCard,
    EquipmentItem,
    PartOfDay,
    Skill,
    SkillLevel,
    Task,
    Team,
    TeamMember,
    Volunteer,
    Weekday,
)
from hromada.volunteers.services import SkillEntry, slots_from_parts

# The languages the town's sign-up form offers; coordinators and the API take any of LANGUAGE_CODES.
SIGNUP_LANGUAGES = ["uk", "en", "pl", "de", "fr", "es", "it"]
DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class IdempotentForm(forms.Form):
    """A hidden key made when the form is drawn, so that a double tap creates once."""

    idempotency_key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": _("This form was damaged in transit. Reload the page and try again.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def data_without_key(self) -> tuple[dict[str, Any], str | None]:
        data = dict(self.cleaned_data)
        return data, data.pop("idempotency_key", None) or None


def area_choices(areas: list[Area], empty: Any) -> list[tuple[str, Any]]:
    top = min((a.depth for a in areas), default=0)
    return [("", empty), *((str(a.pk), "\u2003" * (a.depth - top) + a.name) for a in areas)]


def local_areas(organization_ids: list[int] | None) -> list[Area]:
    """The settlements and districts of the hromadas where these organisations have places
    (every such area when the organisations have none), in tree order with their parents."""
    from hromada.core.models import Place as PlaceModel

    places = PlaceModel.objects.filter(is_active=True)
    if organization_ids is not None:
        places = places.filter(organization__in=organization_ids)
    roots: set[str] = set()
    for path in places.values_list("area__path", flat=True).distinct():
        codes = path.strip("/").split("/")
        roots.add("/" + "/".join(codes[: max(len(codes) - 1, 1)]) + "/")
    areas = Area.objects.filter(
        level__in=[Area.Level.HROMADA, Area.Level.SETTLEMENT, Area.Level.DISTRICT]
    )
    if roots:
        query = None
        for root in roots:
            clause = areas.filter(path__startswith=root)
            query = clause if query is None else query | clause
        areas = query if query is not None else areas
    return list(areas.order_by("path")[:500])


class OneOrganizationMixin(forms.Form):
    """The organisation field: a choice when there are several, hidden and implied when the
    form has just one to offer (a hidden value a browser forgets must not fail the form)."""

    def setup_organization(
        self, organizations: QuerySet[Organization], fixed: int | None = None
    ) -> None:
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = organizations
        only = (
            fixed
            if fixed is not None
            else (organizations[0].pk if len(organizations) == 1 else None)
        )
        if only is not None:
            self.initial.setdefault("organization", only)
            field.widget = forms.HiddenInput()
            field.required = False
            self._implied_organization = only

    def clean_organization(self) -> Organization | None:
        value = self.cleaned_data.get("organization")
        implied = getattr(self, "_implied_organization", None)
        if value is None and implied is not None:
            return Organization.objects.get(pk=implied)
        return value


class CheckboxList(forms.CheckboxSelectMultiple):
    pass


def availability_choices() -> list[tuple[str, str]]:
    return [
        (f"{d}:{p}", f"{Weekday(d).label} {PartOfDay(p).label}")
        for d in range(7)
        for p in PartOfDay.values
    ]


class AvailabilityField(forms.MultipleChoiceField):
    """Days x parts of the day, as checkboxes "0:morning" … (drawn as a grid)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("When can you usually come?"))
        kwargs.setdefault("required", False)
        super().__init__(choices=availability_choices, widget=CheckboxList, **kwargs)

    @staticmethod
    def to_slots(values: list[str]) -> list[tuple[int, int, int]]:
        slots: list[tuple[int, int, int]] = []
        for value in values:
            day, part = value.split(":")
            slots += slots_from_parts([int(day)], [part])
        return slots

    @staticmethod
    def from_slots(slots: list[tuple[int, int, int]]) -> list[str]:
        chosen = []
        for day in range(7):
            for part in PartOfDay.values:
                start, end = PartOfDay(part).minutes
                if any(d == day and s <= start and e >= end for d, s, e in slots):
                    chosen.append(f"{day}:{part}")
        return chosen


def _skill_level_fields() -> dict[str, forms.Field]:
    levels = [("", "—"), *((str(v), label) for v, label in SkillLevel.choices)]
    return {
        f"skill_{code}": forms.TypedChoiceField(
            label=label, choices=levels, required=False, coerce=int, empty_value=None
        )
        for code, label in Skill.choices
    }


class LicenceField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Driving licence categories"))
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[(c, c) for c in LICENCE_CATEGORIES], widget=CheckboxList, **kwargs
        )


class PhoneInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "tel", "inputmode": "tel", **(attrs or {})})


# Volunteers -------------------------------------------------------------------------------


class SignUpForm(OneOrganizationMixin, IdempotentForm):
    """The town's two-minute sign-up from a phone."""

    organization = forms.ModelChoiceField(
        label=_("Join"), queryset=Organization.objects.none(), empty_label=None,
        widget=forms.RadioSelect,
    )  # fmt: skip
    name = forms.CharField(
        label=_("Your name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        widget=PhoneInput(attrs={"placeholder": "+380 50 123 4567"}),
    )
    home_area = forms.ModelChoiceField(
        label=_("Where you live"), queryset=Area.objects.none(), required=False
    )
    skills = forms.MultipleChoiceField(
        label=_("What can you do?"), choices=Skill.choices, widget=CheckboxList, required=False
    )
    licence = LicenceField(help_text=_("Only if you drive."))
    vehicle = forms.ChoiceField(
        label=_("Vehicle you can use"), choices=Volunteer.Vehicle.choices, required=False
    )
    vehicle_seats = forms.IntegerField(
        label=_("Seats"), required=False, min_value=1, max_value=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), widget=CheckboxList, required=False
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Days you can come"), choices=Weekday.choices, coerce=int, widget=CheckboxList,
        required=False,
    )  # fmt: skip
    parts = forms.MultipleChoiceField(
        label=_("Times of day"), choices=PartOfDay.choices, widget=CheckboxList, required=False
    )
    emergency_name = forms.CharField(
        label=_("Who to tell if something happens to you"), max_length=200, required=False
    )
    emergency_phone = forms.CharField(
        label=_("Their phone"), max_length=32, required=False, widget=PhoneInput()
    )
    consent = forms.BooleanField(label=CONSENTS["volunteer_signup"].text, required=False)

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization], areas: list[Area], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_organization(organizations)
        home = cast(forms.ModelChoiceField, self.fields["home_area"])
        home.queryset = Area.objects.filter(pk__in=[a.pk for a in areas])
        home.widget.choices = area_choices(areas, _("Choose"))
        cast(forms.MultipleChoiceField, self.fields["languages"]).choices = [
            (code, name) for code, name in choices.language_choices() if code in SIGNUP_LANGUAGES
        ]

    def service_arguments(self) -> tuple[dict[str, Any], str | None]:
        data, key = self.data_without_key()
        skills = [
            SkillEntry(code, licence=tuple(data["licence"]) if code == Skill.DRIVER else ())
            for code in data.pop("skills")
        ]
        if (
            data["licence"]
            and Skill.DRIVER not in data.get("skills", [])
            and not any(s.skill == Skill.DRIVER for s in skills)
        ):
            skills.append(SkillEntry(Skill.DRIVER, licence=tuple(data["licence"])))
        del data["licence"]
        data["skills"] = skills
        data["availability"] = slots_from_parts(data.pop("days"), data.pop("parts"))
        data["vehicle_seats"] = data["vehicle_seats"] if data["vehicle"] else None
        return data, key


class VolunteerForm(OneOrganizationMixin, IdempotentForm):
    """A coordinator registers or edits a volunteer."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, widget=PhoneInput())
    email = forms.EmailField(label=_("E-mail"), required=False)
    home_area = forms.ModelChoiceField(
        label=_("Home area"), queryset=Area.objects.none(), required=False
    )
    languages = forms.MultipleChoiceField(label=_("Languages"), widget=CheckboxList, required=False)
    vehicle = forms.ChoiceField(
        label=_("Vehicle"), choices=Volunteer.Vehicle.choices, required=False
    )
    vehicle_seats = forms.IntegerField(label=_("Seats"), required=False, min_value=1, max_value=60)
    vehicle_load_kg = forms.IntegerField(
        label=_("Load (kg)"), required=False, min_value=1, max_value=40000
    )
    licence = LicenceField()
    availability = AvailabilityField(label=_("Usually available"))
    emergency_name = forms.CharField(label=_("Emergency contact"), max_length=200, required=False)
    emergency_phone = forms.CharField(
        label=_("Emergency phone"), max_length=32, required=False, widget=PhoneInput()
    )
    note = forms.CharField(
        label=_("Coordinator's note"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )  # fmt: skip
    consent = forms.BooleanField(label=CONSENTS["volunteer_recorded"].text, required=False)

    SKILL_PREFIX = "skill_"

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        areas: list[Area],
        volunteer: Volunteer | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_skill_level_fields())
        self.volunteer = volunteer
        self.setup_organization(organizations, volunteer.organization_id if volunteer else None)
        home = cast(forms.ModelChoiceField, self.fields["home_area"])
        home.queryset = Area.objects.filter(pk__in=[a.pk for a in areas])
        home.widget.choices = area_choices(areas, _("Not known"))
        cast(
            forms.MultipleChoiceField, self.fields["languages"]
        ).choices = choices.language_choices()
        if volunteer is not None:
            del self.fields["consent"]
            del self.fields["idempotency_key"]
            if not self.is_bound:
                self.initial.update(
                    {
                        "name": volunteer.name, "phone": volunteer.phone_display,
                        "email": volunteer.email, "home_area": volunteer.home_area_id,
                        "languages": volunteer.languages, "vehicle": volunteer.vehicle,
                        "vehicle_seats": volunteer.vehicle_seats,
                        "vehicle_load_kg": volunteer.vehicle_load_kg,
                        "emergency_name": volunteer.emergency_name,
                        "emergency_phone": volunteer.emergency_phone_display,
                        "note": volunteer.note,
                    }
                )  # fmt: skip
                for row in volunteer.skills.all():
                    self.initial[self.SKILL_PREFIX + row.skill] = row.level
                    if row.skill == Skill.DRIVER:
                        self.initial["licence"] = row.licence
                self.initial["availability"] = AvailabilityField.from_slots(
                    list(
                        volunteer.availability.values_list("weekday", "start_minute", "end_minute")
                    )
                )

    def availability_grid(self) -> dict[str, Any]:
        """Days down, parts of the day across: the checkboxes of ``availability`` as a table."""
        field = self["availability"]
        chosen = set(field.value() or [])
        days = choices.day_abbreviations()
        return {
            "parts": [label for _value, label in PartOfDay.choices],
            "rows": [
                {
                    "day": days[day],
                    "cells": [
                        {
                            "value": f"{day}:{part}",
                            "label": f"{Weekday(day).label}, {PartOfDay(part).label}",
                            "checked": f"{day}:{part}" in chosen,
                        }
                        for part in PartOfDay.values
                    ],
                }
                for day in range(7)
            ],
        }

    def skill_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(self.SKILL_PREFIX)]

    def plain_fields(self) -> list[forms.BoundField]:
        skip = {"licence", "availability", "consent", "idempotency_key"}
        return [
            self[name]
            for name in self.fields
            if not name.startswith(self.SKILL_PREFIX) and name not in skip
        ]

    def service_arguments(self) -> tuple[dict[str, Any], str | None]:
        data, key = self.data_without_key()
        licence = tuple(data.pop("licence"))
        skills = []
        for code in Skill.values:
            level = data.pop(self.SKILL_PREFIX + code, None)
            if level:
                skills.append(SkillEntry(code, level, licence if code == Skill.DRIVER else ()))
        if licence and not any(s.skill == Skill.DRIVER for s in skills):
            skills.append(SkillEntry(Skill.DRIVER, SkillLevel.BASIC, licence))
        data["skills"] = skills
        availability = data.pop("availability")
        if self.volunteer is None or "availability" in self.changed_data:
            data["availability"] = AvailabilityField.to_slots(availability)
        return data, key


class VolunteerSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False, max_length=100)
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    level = forms.TypedChoiceField(
        label=_("At least"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Any level")), *((str(v), label) for v, label in SkillLevel.choices)],
    )  # fmt: skip
    licence = forms.ChoiceField(
        label=_("Licence"), required=False,
        choices=[("", _("Any licence")), *((c, c) for c in LICENCE_CATEGORIES)],
    )  # fmt: skip
    vehicle = forms.ChoiceField(label=_("Vehicle"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    vetting = forms.ChoiceField(
        label=_("Vetting"), required=False,
        choices=[("", _("Any vetting")), *Volunteer.Vetting.choices],
    )  # fmt: skip
    language = forms.ChoiceField(label=_("Language"), required=False)
    day = forms.DateField(label=_("Free on"), required=False, widget=forms.DateInput(attrs=DATE))
    part = forms.ChoiceField(
        label=_("Time of day"), required=False,
        choices=[("", _("Whole day")), *PartOfDay.choices],
    )  # fmt: skip
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, areas: list[Area], teams: QuerySet[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["skill"]).choices = [
            ("", _("Any skill")),
            *Skill.choices,
        ]
        cast(forms.ChoiceField, self.fields["vehicle"]).choices = [
            ("", _("With or without")),
            ("any", _("Any vehicle")),
            *Volunteer.Vehicle.choices[1:],
        ]
        top = min((a.depth for a in areas), default=0)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("All areas")),
            *((a.code, "\u2003" * (a.depth - top) + a.name) for a in areas),
        ]
        cast(forms.ChoiceField, self.fields["language"]).choices = [
            ("", _("Any language")),
            *choices.language_choices(),
        ]
        cast(forms.ChoiceField, self.fields["team"]).choices = [
            ("", _("Any team")),
            *((t.pk, t.name) for t in teams),
        ]

    def window(self) -> tuple[datetime.datetime, datetime.datetime] | tuple[None, None]:
        from hromada.volunteers.selectors import window_for

        day = self.cleaned_data.get("day")
        if not day:
            return None, None
        part = self.cleaned_data.get("part")
        if part:
            return window_for(day, part)
        start, _end = window_for(day, PartOfDay.NIGHT)
        return start, start + datetime.timedelta(days=1)


class VettingForm(forms.Form):
    status = forms.ChoiceField(label=_("Vetting"), choices=Volunteer.Vetting.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


# Teams ------------------------------------------------------------------------------------


class TeamForm(OneOrganizationMixin, IdempotentForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.none(), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        areas: list[Area],
        team: Team | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_organization(organizations, team.organization_id if team else None)
        area = cast(forms.ModelChoiceField, self.fields["area"])
        area.queryset = Area.objects.filter(pk__in=[a.pk for a in areas])
        area.widget.choices = area_choices(areas, _("Not tied to an area"))
        if team is not None:
            del self.fields["idempotency_key"]
            if not self.is_bound:
                self.initial.update(
                    {"name": team.name, "kind": team.kind, "area": team.area_id, "note": team.note}
                )


class TeamMemberForm(forms.Form):
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())
    role = forms.ChoiceField(
        label=_("Role"), choices=TeamMember.Role.choices, initial=TeamMember.Role.MEMBER
    )

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["volunteer"]).queryset = volunteers


# Tasks and shifts -------------------------------------------------------------------------


class ShiftFieldsMixin(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts"), required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )  # fmt: skip
    ends_at = forms.DateTimeField(
        label=_("Ends"), required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )  # fmt: skip
    headcount = forms.IntegerField(
        label=_("People needed"), required=False, min_value=1, max_value=500,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip

    def shift_values(self, *, required: bool) -> dict[str, Any] | None:
        """The shift's fields, or None when left empty (only where a shift is optional)."""
        values = {
            name: self.cleaned_data.get(name) for name in ("starts_at", "ends_at", "headcount")
        }
        if not required and not any(values.values()):
            return None
        for name, value in values.items():
            if value in (None, ""):
                self.add_error(name, _("This field is required."))
        if self.errors:
            return None
        return values


class TaskForm(OneOrganizationMixin, IdempotentForm, ShiftFieldsMixin):
    field_order = [
        "organization", "title", "kind", "place", "description", "team", "skills",
        "skills_for_all", "verified_only", "starts_at", "ends_at", "headcount",
    ]  # fmt: skip
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    title = forms.CharField(
        label=_("What is to be done"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Fill sandbags at the school")}),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), choices=Task.Kind.choices)
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    description = forms.CharField(
        label=_("Details"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )  # fmt: skip
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    skills = forms.MultipleChoiceField(
        label=_("Skills needed"), choices=Skill.choices, widget=CheckboxList, required=False
    )
    skills_for_all = forms.BooleanField(
        label=_("Everyone needs these skills"), required=False,
        help_text=_("Otherwise one person with each skill is enough."),
    )  # fmt: skip
    verified_only = forms.BooleanField(
        label=_("Verified volunteers only"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization], places: QuerySet[Place],
        teams: QuerySet[Team], task: Task | None = None, **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.setup_organization(organizations, task.organization_id if task else None)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = places
        self.fields["place"].widget.choices = [
            ("", _("No particular place")),
            *((p.pk, str(p)) for p in places),
        ]
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
        self.fields["team"].widget.choices = [("", _("No team")), *((t.pk, str(t)) for t in teams)]
        if task is not None:
            for name in ("idempotency_key", "starts_at", "ends_at", "headcount"):
                del self.fields[name]
            if not self.is_bound:
                self.initial.update(
                    {
                        "title": task.title, "kind": task.kind, "place": task.place_id,
                        "description": task.description, "team": task.team_id,
                        "skills": task.skills, "skills_for_all": task.skills_for_all,
                        "verified_only": task.verified_only,
                    }
                )  # fmt: skip
        else:
            self.fields["starts_at"].help_text = _(
                "The first shift: leave empty to add shifts later."
            )


class ShiftForm(IdempotentForm, ShiftFieldsMixin):
    field_order = ["starts_at", "ends_at", "headcount", "lead", "note"]
    lead = forms.ModelChoiceField(
        label=_("Shift leader"), queryset=Volunteer.objects.none(), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, volunteers: QuerySet[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at", "headcount"):
            self.fields[name].required = True
        lead = cast(forms.ModelChoiceField, self.fields["lead"])
        lead.queryset = volunteers
        lead.empty_label = _("No leader")


class InviteForm(forms.Form):
    volunteers = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=Volunteer.objects.none(), required=False, widget=CheckboxList
    )
    team = forms.ModelChoiceField(
        label=_("Or a whole team"), queryset=Team.objects.none(), required=False
    )
    agreed = forms.BooleanField(
        label=_("I asked them and they said yes: confirm them now"), required=False
    )

    def __init__(
        self, *args: Any, volunteers: QuerySet[Volunteer], teams: QuerySet[Team], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["volunteers"]).queryset = volunteers
        team = cast(forms.ModelChoiceField, self.fields["team"])
        team.queryset = teams
        team.empty_label = _("No team")


class CheckTimeForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Time"), required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
        help_text=_("Leave empty for now."),
    )  # fmt: skip


class ShiftBoardFilterForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs=DATE))
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Task.Kind.choices]
    )
    short = forms.BooleanField(label=_("Short of people only"), required=False)


class HoursFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE))


# Equipment --------------------------------------------------------------------------------


class EquipmentForm(OneOrganizationMixin, IdempotentForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=EquipmentItem.Kind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Motorola DP4400 radio")}),
    )
    tag = forms.CharField(label=_("Tag or serial number"), max_length=64)
    condition = forms.ChoiceField(
        label=_("Condition"),
        choices=[c for c in Condition.choices if c[0] != Condition.LOST],
        initial=Condition.GOOD,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_organization(organizations)


class IssueForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=_("To a volunteer"), queryset=Volunteer.objects.none(), required=False
    )
    team = forms.ModelChoiceField(
        label=_("Or to a team"), queryset=Team.objects.none(), required=False
    )
    condition = forms.ChoiceField(
        label=_("Condition"), choices=[c for c in Condition.choices if c[0] != Condition.LOST]
    )
    due_back = forms.DateTimeField(
        label=_("Due back"), required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )  # fmt: skip
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(
        self,
        *args: Any,
        item: EquipmentItem,
        volunteers: QuerySet[Volunteer],
        teams: QuerySet[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["volunteer"]).queryset = volunteers
        cast(forms.ModelChoiceField, self.fields["team"]).queryset = teams
        self.fields["volunteer"].widget.choices = [
            ("", _("Choose")),
            *((v.pk, v.name) for v in volunteers),
        ]
        self.fields["team"].widget.choices = [("", _("No team")), *((t.pk, t.name) for t in teams)]
        self.initial.setdefault(
            "condition", item.condition if item.condition != Condition.LOST else Condition.GOOD
        )


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(label=_("Condition on return"), choices=Condition.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class CustodyFilterForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Who held what at"), required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )  # fmt: skip
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Tag, item or holder"), required=False, max_length=100)


# Applications from abroad ---------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern from Django's file upload documentation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = (
            [d for d in data if d] if isinstance(data, (list, tuple)) else ([data] if data else [])
        )
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [single(d, initial) for d in files]


class ApplicationForm(OneOrganizationMixin, IdempotentForm):
    """The public form for volunteers abroad, in Ukrainian, English, French, German or Polish."""

    organization = forms.ModelChoiceField(
        label=_("Apply to"), queryset=Organization.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone (with country code)"), max_length=32, required=False, widget=PhoneInput()
    )
    nationality = forms.ChoiceField(label=_("Nationality"))
    residence = forms.ChoiceField(label=_("Country of residence"))
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"), widget=CheckboxList, required=False
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"), choices=Skill.choices, widget=CheckboxList, required=False
    )
    experience = forms.CharField(
        label=_("Your skills and experience"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        help_text=_("Training, work, certificates; what you could do here."),
    )  # fmt: skip
    available_from = forms.DateField(label=_("Available from"), widget=forms.DateInput(attrs=DATE))
    available_until = forms.DateField(
        label=_("Available until"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    how_heard = forms.ChoiceField(
        label=_("How did you hear of us?"), choices=Application.HowHeard.choices
    )
    referrer_code = forms.CharField(
        label=_("Referral code"), required=False, max_length=32,
        help_text=_("If a person who recruits volunteers gave you one."),
    )  # fmt: skip
    documents = MultipleFileField(
        label=_("Documents"), required=False,
        # Translated when shown, in the applicant's language (a % here would fix it at import).
        help_text=lazy(
            lambda: _("Passport, diplomas, certificates: PDF or photos, at most %(n)s files of 10 MB each.")
            % {"n": MAX_FILES},
            str,
        )(),
    )  # fmt: skip
    consent = forms.BooleanField(label=CONSENTS["volunteer_application"].text, required=False)

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        too_large: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large or []
        self.setup_organization(organizations)
        countries = [("", _("Choose")), *choices.country_choices()]
        cast(forms.ChoiceField, self.fields["nationality"]).choices = countries
        cast(forms.ChoiceField, self.fields["residence"]).choices = countries
        cast(
            forms.MultipleChoiceField, self.fields["languages"]
        ).choices = choices.language_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        from hromada.volunteers.documents import too_large_errors

        for error in too_large_errors(self.too_large):
            self.add_error("documents", error)
        return data


class UploadForm(forms.Form):
    documents = MultipleFileField(label=_("Add documents"))

    def __init__(self, *args: Any, too_large: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large or []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        from hromada.volunteers.documents import too_large_errors

        for error in too_large_errors(self.too_large):
            self.add_error("documents", error)
        return data


class ApplicationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"))
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
    )  # fmt: skip

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = application.next_statuses()


class ApplicationNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note for reviewers"), max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
    )  # fmt: skip


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Application.Status.choices],
    )
    q = forms.CharField(label=_("Name, reference or e-mail"), required=False, max_length=100)


# Contact directory ------------------------------------------------------------------------


class ContactCardForm(OneOrganizationMixin, IdempotentForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), empty_label=None
    )
    place = forms.ModelChoiceField(label=_("Place"), queryset=Place.objects.none(), required=False)
    title = forms.CharField(
        label=_("Role"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. On-call doctor")}),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, widget=PhoneInput())
    phone_alt = forms.CharField(
        label=_("Other phone"), max_length=32, required=False, widget=PhoneInput()
    )
    hours = forms.CharField(label=_("When to call"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    sensitivity = forms.ChoiceField(
        label=_("Who may see it"), choices=Sensitivity.choices, initial=Sensitivity.MEMBERS
    )
    audience = forms.ChoiceField(label=_("For"), choices=ContactCard.Audience.choices)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=100)

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        places: QuerySet[Place],
        card: ContactCard | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_organization(organizations, card.organization_id if card else None)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = places
        self.fields["place"].widget.choices = [
            ("", _("The organisation as a whole")),
            *((p.pk, str(p)) for p in places),
        ]
        if card is not None:
            del self.fields["idempotency_key"]
            if not self.is_bound:
                self.initial.update(
                    {
                        "place": card.place_id, "title": card.title, "name": card.name,
                        "phone": card.phone_display, "phone_alt": card.phone_alt_display,
                        "hours": card.hours, "note": card.note, "sensitivity": card.sensitivity,
                        "audience": card.audience, "sort_order": card.sort_order,
                    }
                )  # fmt: skip


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

"""Forms parse input only; the services decide (so the page, the API and the bot answer
alike, field by field)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import Area, Organization
from hromada.reports import metrics
from hromada.reports.models import (
    NATIONAL_CODE,
    TEXT_MAX,
    Claim,
    Document,
    Incident,
    IncidentDocument,
    MediaItem,
    MediaLink,
    Party,
    Reliability,
    Sitrep,
    Source,
    Verification,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int = 3, limit: int = TEXT_MAX) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class IdempotentForm(forms.Form):
    """A hidden key made when the form is shown: sending it twice creates one thing."""

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


def area_choices(*, national: bool = True, empty: Any = None) -> list[tuple[str, str]]:
    areas = list(Area.objects.order_by("path"))
    top = min((a.depth for a in areas), default=0)
    choices: list[tuple[str, str]] = []
    if empty is not None:
        choices.append(("", str(empty)))
    if national:
        choices.append((NATIONAL_CODE, str(_("All of Ukraine"))))
    choices += [
        (a.code, "\u2003" * (a.depth - top + (1 if national else 0)) + a.name) for a in areas
    ]
    return choices


class AreaField(forms.ChoiceField):
    """An area by code; "UA" is the whole country (None)."""

    def __init__(self, *, national: bool = True, **kwargs: Any) -> None:
        self.national = national
        super().__init__(**kwargs)
        # Checked before the query below: PostgreSQL refuses a NUL in a string (a 500).
        self.validators.append(ProhibitNullCharactersValidator())

    def clean(self, value: Any) -> Area | None:  # type: ignore[override]
        code = super().clean(value)
        if not code or code == NATIONAL_CODE:
            if code == NATIONAL_CODE and not self.national:
                raise forms.ValidationError(_("Choose an area."))
            return None
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("Unknown area."))
        return area

    def valid_value(self, value: Any) -> bool:
        return True  # checked in clean() against the database


def metric_choices(empty: Any = None) -> list[Any]:
    groups = [
        (
            str(block.label),
            [
                (m.code, "\u2003" * metrics.depth(m.code) + str(m.label))
                for m in metrics.in_block(block)
            ],
        )
        for block in metrics.Block
    ]
    return ([("", empty)] if empty is not None else []) + groups


class SourceForm(IdempotentForm, forms.ModelForm):
    recorder_for = forms.MultipleChoiceField(
        label=_("Designated recorder for"),
        required=False,
        choices=[(m.code, m.label) for m in metrics.METRICS.values() if m.parent is None],
        widget=forms.CheckboxSelectMultiple,
        help_text=Source._meta.get_field("recorder_for").help_text,
    )

    class Meta:
        model = Source
        fields = [
            "name_uk", "name_en", "kind", "scale", "party", "independence_group",
            "reliability", "recorder_for", "methodology_url", "note",
        ]  # fmt: skip
        widgets = {"note": _textarea()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["party"]).queryset = Party.objects.all()
        self.fields["party"].empty_label = _("Independent: not a party")  # type: ignore[attr-defined]
        self.fields["reliability"].initial = Reliability.F

    def _post_clean(self) -> None:
        """Parse only: ``services.create_source`` checks the source as a whole."""


class DocumentForm(IdempotentForm, forms.ModelForm):
    archive_file = forms.FileField(
        label=_("Archive copy"),
        required=False,
        help_text=_("A PDF or a screenshot of what was published (up to 25 MB)."),
    )

    class Meta:
        model = Document
        fields = [
            "url", "title", "published_at", "retrieved_at", "language", "cites_source",
            "cites_document", "excerpt", "translation",
        ]  # fmt: skip
        widgets = {
            "published_at": DATETIME,
            "retrieved_at": DATETIME,
            "excerpt": _textarea(6, 20000),
            "translation": _textarea(4, 20000),
            "language": forms.TextInput(attrs={"placeholder": "uk, en, ru", "maxlength": 8}),
        }

    def __init__(self, *args: Any, source: Source | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sources = Source.objects.all()
        if source is not None:
            sources = sources.exclude(pk=source.pk)
        cites = cast(forms.ModelChoiceField, self.fields["cites_source"])
        cites.queryset = sources
        cites.empty_label = _("Nobody: the source's own figures")
        documents = Document.objects.select_related("source").order_by("-published_at", "-pk")
        if self.instance.pk:
            documents = documents.exclude(pk=self.instance.pk)
        cited = cast(forms.ModelChoiceField, self.fields["cites_document"])
        cited.queryset = documents
        cited.widget.choices = [("", _("None"))] + [
            (d.pk, f"{d.source} · {d}"[:120]) for d in documents[:200]
        ]
        for name in ("published_at", "retrieved_at"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ]

    def _post_clean(self) -> None:
        """Parse only: the service decides, and keeps the excerpt exactly as typed."""


class ClaimForm(IdempotentForm):
    metric = forms.ChoiceField(label=_("What is counted"))
    words = forms.CharField(
        label=_("Figure, in the source's words"),
        max_length=200,
        help_text=_(
            "As written: 28, at least 240, ~200, over 500,000, dozens, between 20 and 30, "
            "понад 4,3 тис. A breakdown such as “240 casualties including 64 dead” records "
            "each part."
        ),
    )
    party = forms.ModelChoiceField(
        label=_("Whose fighters"),
        queryset=Party.objects.all(),
        required=False,
        empty_label=_("Not about combatants"),
    )
    incident = forms.CharField(
        label=_("Incident code"),
        required=False,
        max_length=24,
        help_text=_("For a figure about one incident. Leave empty for an area."),
    )
    area = AreaField(
        label=_("Area"),
        required=False,
        help_text=_("For a figure about an area, not one incident."),
    )
    control = forms.ChoiceField(
        label=_("Part of the area"),
        choices=Claim.Control.choices,
        initial="whole",
        help_text=_("When the source counts only one side of the front line."),
    )
    measure = forms.ChoiceField(
        label=_("Measure"),
        required=False,
        choices=[("", _("The metric's usual measure")), *metrics.Measure.choices],
    )
    period_start = forms.DateField(label=_("Since / from"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Until"), required=False, widget=DATE)
    as_of = forms.DateTimeField(
        label=_("As of"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("The time the figure counts up to, in your time zone."),
    )
    basis = forms.ChoiceField(
        label=_("Basis"),
        choices=[("", _("Choose: how did the source count?")), *Claim.Basis.choices],
    )
    undercount = forms.BooleanField(
        label=_("The source says the real figure is higher"), required=False
    )
    caveat = forms.CharField(
        label=_("Caveat"), required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )
    supersedes = forms.ModelChoiceField(
        label=_("Replaces the source's earlier figure"),
        queryset=Claim.objects.none(),
        required=False,
        empty_label=_("Nothing: a new figure"),
    )

    def __init__(self, *args: Any, document: Document, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices(_("Choose"))  # type: ignore[attr-defined]
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]
        earlier = (
            Claim.objects.filter(source_id=document.source_id, superseded_by__isnull=True)
            .exclude(source_status=Claim.SourceStatus.RETRACTED)
            .select_related("area", "incident")
            .order_by("-as_of")[:100]
        )
        supersedes = cast(forms.ModelChoiceField, self.fields["supersedes"])
        supersedes.queryset = Claim.objects.filter(pk__in=[c.pk for c in earlier])
        supersedes.label_from_instance = lambda c: (  # type: ignore[method-assign,assignment]
            f"{c.get_metric_display()}: {c.value_text or c.value} · {c.area or _('All of Ukraine')} · "
            f"{c.as_of:%Y-%m-%d}"
        )
        if document.published_at and not self.is_bound:
            self.initial.setdefault("as_of", document.published_at)
        if document.source.party_id and not self.is_bound:
            self.initial.setdefault("basis", Claim.Basis.OFFICIAL_STATEMENT)

    def clean_incident(self) -> Incident | None:
        code = self.cleaned_data.get("incident", "").strip()
        if not code:
            return None
        incident = (
            Incident.objects.filter(code=code.upper())
            .exclude(status=Incident.Status.MERGED)
            .first()
        )
        if incident is None:
            raise forms.ValidationError(_("No incident has this code."))
        return incident


class CorrectClaimForm(IdempotentForm):
    words = forms.CharField(label=_("Corrected figure, in the source's words"), max_length=200)
    as_of = forms.DateTimeField(
        label=_("As of"),
        required=False,
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Leave empty when the correction is for the same time."),
    )


class AssessClaimForm(forms.Form):
    assessment = forms.ChoiceField(label=_("Our assessment"), choices=Claim.Assessment.choices)
    caveat = forms.CharField(
        label=_("Caveat"), required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Why"), required=False, max_length=TEXT_MAX, widget=_textarea(2))


class IncidentReportForm(IdempotentForm):
    """What anybody can tell from a phone: what, when, where."""

    kind = forms.ChoiceField(
        label=_("What happened"), choices=[("", _("Choose")), *Incident.Kind.choices]
    )
    day = forms.DateField(label=_("Day"), widget=DATE)
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("If you know it."),
    )
    time_precision = forms.ChoiceField(
        label=_("How sure are you of the time?"),
        choices=Incident.TimePrecision.choices,
        initial=Incident.TimePrecision.DAY,
    )
    area = AreaField(label=_("Settlement or area"), national=False)
    place_text = forms.CharField(
        label=_("Where exactly"),
        required=False,
        max_length=200,
        help_text=_("Street or landmark. Only analysts see it; it is never published."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    location_precision = forms.ChoiceField(
        label=_("How sure are you of the place?"),
        choices=Incident.LocationPrecision.choices,
        initial=Incident.LocationPrecision.STREET,
    )
    infrastructure = forms.MultipleChoiceField(
        label=_("What was hit"),
        required=False,
        choices=Incident.Infrastructure.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("What you saw"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(4),
        help_text=_("Facts only. Do not name or describe people who were hurt."),
    )
    reporter_contact = forms.CharField(
        label=_("How to reach you"),
        required=False,
        max_length=200,
        help_text=_("Optional: a phone or Telegram name. Only analysts see it, to ask you more."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(national=False, empty=_("Choose"))  # type: ignore[attr-defined]
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "any"})


class IncidentForm(IdempotentForm, forms.ModelForm):
    """Everything about an incident, for analysts."""

    area = AreaField(label=_("Area"), national=False)
    infrastructure = forms.MultipleChoiceField(
        label=_("Infrastructure hit"),
        required=False,
        choices=Incident.Infrastructure.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Incident
        fields = [
            "kind", "occurred_earliest", "occurred_latest", "time_precision", "area", "place_text",
            "latitude", "longitude", "location_precision", "public_blur_m", "infrastructure",
            "buildings_destroyed", "buildings_damaged", "description", "review_note",
        ]  # fmt: skip
        widgets = {
            "occurred_earliest": DATETIME,
            "occurred_latest": DATETIME,
            "description": _textarea(4),
            "review_note": _textarea(2),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(national=False, empty=_("Choose"))  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["area"] = self.instance.area.code
        for name in ("occurred_earliest", "occurred_latest"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ]

    def _post_clean(self) -> None:
        """Parse only: ``services.update_incident`` checks the incident as a whole."""


class ReviewIncidentForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (s.value, s.label)
            for s in (
                Incident.Status.PUBLISHED,
                Incident.Status.REPORTED,
                Incident.Status.WITHDRAWN,
            )
        ],
    )
    grade = forms.ChoiceField(label=_("Grading"), choices=Incident.Grade.choices)
    note = forms.CharField(
        label=_("Review note"), required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Incident code"), max_length=24)


class LinkDocumentForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.all())
    relation = forms.ChoiceField(label=_("Relation"), choices=IncidentDocument.Relation.choices)


class SitrepForm(IdempotentForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    area = AreaField(label=_("Area"))
    cutoff = forms.DateTimeField(
        label=_("Figures as of"),
        widget=DATETIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Claims made as of this time or earlier are counted."),
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=TEXT_MAX,
        widget=_textarea(5),
        help_text=_("What a reader should know first, in a few sentences."),
    )
    stale_after_days = forms.IntegerField(
        label=_("Figures older than this many days are stale"),
        min_value=1,
        max_value=365,
        initial=7,
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organization"])
        field.queryset = organizations
        if len(organizations) == 1:
            field.initial = organizations[0].pk
            field.widget = forms.HiddenInput()
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]


class SitrepEditForm(SitrepForm):
    def __init__(self, *args: Any, sitrep: Sitrep, **kwargs: Any) -> None:
        super().__init__(
            *args, organizations=Organization.objects.filter(pk=sitrep.organization_id), **kwargs
        )
        del self.fields["organization"]
        del self.fields["idempotency_key"]


class MediaForm(IdempotentForm):
    url = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")
    upload = forms.FileField(
        label=_("File"), required=False, help_text=_("The photo or video (up to 25 MB).")
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=MediaItem.Platform.choices)
    uploader = forms.CharField(
        label=_("Posted by"),
        required=False,
        max_length=200,
        help_text=_("The account. Never public."),
    )
    first_seen_at = forms.DateTimeField(
        label=_("First seen"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    caption = forms.CharField(
        label=_("Caption as posted"), required=False, max_length=TEXT_MAX, widget=_textarea(3)
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=TEXT_MAX, widget=_textarea(2)
    )


class MediaLinkForm(forms.Form):
    code = forms.CharField(label=_("Incident code"), max_length=24)
    relation = forms.ChoiceField(label=_("Relation"), choices=MediaLink.Relation.choices)


class VerificationForm(IdempotentForm, forms.ModelForm):
    class Meta:
        model = Verification
        fields = [
            "claimed", "status", "latitude", "longitude", "geolocation_method",
            "geolocation_confidence", "time_earliest", "time_latest", "provenance", "manipulation",
        ]  # fmt: skip
        widgets = {
            "claimed": _textarea(2),
            "geolocation_method": _textarea(2),
            "provenance": _textarea(3),
            "manipulation": _textarea(3),
            "time_earliest": DATETIME,
            "time_latest": DATETIME,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = cast(forms.ChoiceField, self.fields["status"])
        status.choices = [
            (s.value, s.label)
            for s in (Verification.Status.UNDETERMINED, Verification.Status.IN_PROGRESS)
        ]
        status.help_text = _("A verdict is proposed below and confirmed by a second analyst.")
        for name in ("time_earliest", "time_latest"):
            cast(forms.DateTimeField, self.fields[name]).input_formats = [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%d %H:%M",
            ]

    def _post_clean(self) -> None:
        """Parse only: the service checks the verification as a whole."""


class ProposeVerdictForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Verdict"), choices=[(s.value, s.label) for s in Verification.FINAL]
    )


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or words"), required=False, max_length=100)
    area = forms.ChoiceField(label=_("Area"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any type")), *Incident.Kind.choices]
    )
    grade = forms.ChoiceField(
        label=_("Grading"),
        required=False,
        choices=[("", _("Any grading")), *Incident.Grade.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            *[(s.value, s.label) for s in Incident.Status if s != "merged"],
        ],
    )
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args: Any, analyst: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            (code, name) for code, name in area_choices(national=False, empty=_("All areas"))
        ]
        if not analyst:
            del self.fields["status"]


class ClaimFilterForm(forms.Form):
    metric = forms.ChoiceField(label=_("What is counted"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    source = forms.ModelChoiceField(
        label=_("Source"),
        required=False,
        queryset=Source.objects.all(),
        empty_label=_("Any source"),
    )
    status = forms.ChoiceField(
        label=_("Status at the source"),
        required=False,
        choices=[("", _("Any")), *Claim.SourceStatus.choices],
    )
    assessment = forms.ChoiceField(
        label=_("Our assessment"),
        required=False,
        choices=[("", _("Any")), *Claim.Assessment.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices(_("Any"))  # type: ignore[attr-defined]
        self.fields["area"].choices = area_choices(empty=_("All areas"))  # type: ignore[attr-defined]


class ReconcileForm(forms.Form):
    area = AreaField(label=_("Area"))
    metric = forms.ChoiceField(label=_("What is counted"))
    party = forms.ModelChoiceField(
        label=_("Whose fighters"), required=False, queryset=Party.objects.all(), empty_label=_("—")
    )
    control = forms.ChoiceField(
        label=_("Part of the area"), choices=Claim.Control.choices, initial="whole"
    )
    cutoff = forms.DateTimeField(
        label=_("As of"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    stale_after_days = forms.IntegerField(
        label=_("Stale after (days)"), min_value=1, max_value=365, initial=7, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()  # type: ignore[attr-defined]
        self.fields["area"].choices = area_choices()  # type: ignore[attr-defined]

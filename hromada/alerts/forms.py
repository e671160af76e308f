"""Forms parse input only; the services decide (so the page and the API answer alike)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hromada.alerts.models import (
    AREA_DESC_MAX,
    DESCRIPTION_MAX,
    EVENT_MAX,
    HEADLINE_MAX,
    INSTRUCTION_MAX,
    LANGUAGES,
    NOTE_MAX,
    Category,
    Certainty,
    Display,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from hromada.alerts.services import AUTHORED_STATUSES
from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import Area, Organization
from hromada.core.privacy import CONSENTS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def idempotency_field() -> forms.RegexField:
    return forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": _("This form was damaged in transit. Reload the page and try again.")
        },
    )


def when_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def area_choices(areas: QuerySet[Area]) -> list[tuple[str, str]]:
    """Areas in tree order, indented by depth (the list is a town's: tens, not thousands)."""
    items = list(areas.order_by("path"))
    top = min((a.depth for a in items), default=0)
    return [(a.code, "\u2003" * (a.depth - top) + a.name) for a in items]


class AlertForm(forms.Form):
    """The draft form: the common fields, then the texts in each language."""

    idempotency_key = idempotency_field()
    organization = forms.ModelChoiceField(
        label=_("Issued by"), queryset=Organization.objects.none(), empty_label=None
    )
    status = forms.ChoiceField(
        label=_("Kind of message"),
        choices=[(s.value, s.label) for s in Status if s in AUTHORED_STATUSES],
        help_text=_("Exercise and test messages are never shown to the public."),
    )
    scope = forms.ChoiceField(
        label=_("Who it is for"),
        choices=[(Scope.PUBLIC, _("Everyone (public)")), (Scope.RESTRICTED, _("Members only"))],
    )
    restriction = forms.CharField(
        label=_("Restricted to"),
        required=False,
        max_length=300,
        help_text=_("For a members-only alert: say whom it is for."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    response_type = forms.ChoiceField(
        label=_("What people should do"), required=False, choices=[("", "—"), *ResponseType.choices]
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    certainty = forms.ChoiceField(label=_("Certainty"), choices=Certainty.choices)
    effective = when_field(_("In force from"), _("Empty: as soon as it is approved."))
    onset = when_field(_("The event begins"), _("e.g. when the water will be cut off"))
    expires = when_field(_("In force until"), _("It leaves every screen at this time."))
    area_codes = forms.MultipleChoiceField(
        label=_("Areas"), required=False, widget=forms.CheckboxSelectMultiple
    )
    area_description = forms.CharField(
        label=_("Or a place in words"),
        required=False,
        max_length=AREA_DESC_MAX,
        help_text=_("e.g. “Київська street from No. 1 to No. 40”"),
    )
    polygon = forms.CharField(
        label=_("Polygon"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Optional. Points as latitude,longitude separated by spaces; the last repeats the first."
        ),
    )
    circle = forms.CharField(
        label=_("Circle"),
        required=False,
        max_length=2000,
        help_text=_("Optional. latitude,longitude radius-in-km, e.g. 50.31,34.89 2"),
    )
    contact = forms.CharField(label=_("Contact"), required=False, max_length=300)
    web = forms.CharField(label=_("Web page"), required=False, max_length=500)
    note = forms.CharField(
        label=_("Note for the approver"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    LANGUAGE_LABELS = dict(LANGUAGES)

    def __init__(
        self,
        *args: Any,
        organizations: QuerySet[Organization],
        areas: QuerySet[Area],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        org = cast(forms.ModelChoiceField, self.fields["organization"])
        org.queryset = organizations
        self.only_organization = organizations[0] if len(organizations) == 1 else None
        if self.only_organization is not None:
            self.initial.setdefault("organization", self.only_organization.pk)
            org.required = False
        cast(forms.MultipleChoiceField, self.fields["area_codes"]).choices = area_choices(areas)
        for code, label in LANGUAGES:
            optional = code == "ru"
            specs: list[tuple[str, Any, int, bool]] = [
                ("event", _("Event"), EVENT_MAX, False),
                ("headline", _("Headline"), HEADLINE_MAX, False),
                ("description", _("Description"), DESCRIPTION_MAX, True),
                ("instruction", _("What to do"), INSTRUCTION_MAX, True),
            ]
            for field, field_label, limit, long in specs:
                self.fields[f"{field}_{code}"] = forms.CharField(
                    label=f"{field_label} ({label})",
                    required=False,
                    max_length=limit,
                    widget=forms.Textarea(attrs={"rows": 3, "maxlength": limit})
                    if long
                    else forms.TextInput(attrs={"maxlength": limit}),
                    help_text=_("Optional.") if optional and field == "event" else "",
                )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def fieldsets(self) -> list[dict[str, Any]]:
        """The form in the order an author thinks: the message, its texts, where, when, how
        serious; Russian folded away unless used."""

        def group(
            legend: Any, names: list[str], *, lang: str = "", optional: bool = False
        ) -> dict[str, Any]:
            fields = [self[n] for n in names if n in self.fields]
            used = any(f.value() or f.errors for f in fields)
            return {
                "legend": legend,
                "fields": fields,
                "lang": lang,
                "optional": optional,
                "open": not optional or used,
            }

        texts = {
            code: group(
                _("Text in %(language)s") % {"language": label},
                [f"{f}_{code}" for f in ("event", "headline", "description", "instruction")],
                lang=code,
                optional=code not in ("uk", "en"),
            )
            for code, label in LANGUAGES
        }
        return [
            group(_("The message"), ["organization", "status", "scope", "restriction"]),
            texts["uk"],
            texts["en"],
            group(_("Where"), ["area_codes", "area_description", "polygon", "circle"]),
            group(_("When"), ["effective", "onset", "expires"]),
            group(
                _("How serious"), ["category", "response_type", "urgency", "severity", "certainty"]
            ),
            texts["ru"],
            group(_("More"), ["contact", "web", "note"]),
        ]

    def clean_organization(self) -> Organization | None:
        return self.cleaned_data.get("organization") or self.only_organization

    def content(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("idempotency_key", None)
        data.pop("organization", None)
        return data


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the author change?"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FollowUpForm(forms.Form):
    msg_type = forms.ChoiceField(choices=[("Update", "Update"), ("Cancel", "Cancel")])
    template = forms.SlugField(required=False)
    idempotency_key = idempotency_field()


class PublicFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("All areas")),
            *area_choices(areas),
        ]


class DisplayForm(forms.ModelForm):
    idempotency_key = idempotency_field()
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The first chosen is shown largest."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every category."),
    )

    class Meta:
        model = Display
        fields = [
            "name",
            "organization",
            "area",
            "languages",
            "categories",
            "standing_messages",
            "is_active",
        ]
        widgets = {"standing_messages": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
        cast(forms.ModelChoiceField, self.fields["organization"]).empty_label = None
        area = cast(forms.ModelChoiceField, self.fields["area"])
        area.queryset = Area.objects.order_by("path")
        area.empty_label = _("All areas")
        cast(forms.CharField, self.fields["standing_messages"]).max_length = 2000
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("languages", ["uk", "en"])
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if self.instance.pk:
            del self.fields["idempotency_key"]

    def _post_clean(self) -> None:
        """Parse only: ``services.create_display``/``update_display`` check the display."""


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the whole community."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every category."),
    )
    min_severity = forms.ChoiceField(
        label=_("Only alerts at least this severe"),
        required=False,
        choices=[
            ("", _("All alerts")),
            (Severity.MODERATE, Severity.MODERATE.label),
            (Severity.SEVERE, Severity.SEVERE.label),
            (Severity.EXTREME, Severity.EXTREME.label),
        ],
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("uk", "Українська"), ("en", "English")]
    )
    consent = forms.BooleanField(
        label=CONSENTS["alerts_subscription"].text,
        error_messages={"required": _("Tick the box to agree that we keep your address.")},
    )

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["areas"]).choices = area_choices(areas)

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.core.idempotency import KEY_PATTERN
from hromada.core.privacy import CONSENTS
from hromada.tracing.models import (
    DisclosureRecord,
    Inquiry,
    PersonRecord,
    Sex,
    Source,
    Transfer,
)

DAMAGED = _("This form was damaged in transit. Reload the page and try again.")


class IdempotentForm(forms.Form):
    idempotency_key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": DAMAGED},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


def _year_field(label: Any, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1900,
        max_value=timezone.localdate().year,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class InquiryForm(IdempotentForm):
    """The public form: who is asking, and who is sought. Every field says why it helps."""

    family_name = forms.CharField(label=_("Family name of the person you seek"), max_length=100)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    patronymic = forms.CharField(
        label=_("Patronymic (father's name), if you know it"), max_length=100, required=False
    )
    other_names = forms.CharField(
        label=_("Other names or spellings"),
        max_length=300,
        required=False,
        help_text=_("Maiden name, a nickname, the name as written in a passport."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, required=False)
    birth_year = _year_field(_("Year of birth"))
    last_seen_place = forms.CharField(
        label=_("Where were they last seen or heard from?"), max_length=200, required=False
    )
    last_seen_at = forms.DateField(
        label=_("When?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    description = forms.CharField(
        label=_("What would help recognise them?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    inquirer_name = forms.CharField(label=_("Your name"), max_length=200)
    inquirer_contact = forms.CharField(
        label=_("How can we reach you?"),
        max_length=300,
        help_text=_("Phone, e-mail, Telegram or Signal. Only caseworkers see it."),
    )
    inquirer_relationship = forms.CharField(
        label=_("Your relationship to them"), max_length=100, required=False
    )
    inquirer_country = forms.CharField(
        label=_("Country you are in"), max_length=100, required=False
    )
    message = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    # For the inquirer's own name and contact. The person sought is not asked: their data is
    # held in their vital interest (see core.privacy).
    consent = forms.BooleanField(
        label=CONSENTS["tracing_inquirer"].text,
        error_messages={"required": _("Tick the box to agree that we keep your contact.")},
    )

    INQUIRER = ("inquirer_name", "inquirer_contact", "inquirer_relationship", "inquirer_country")

    def sought_fields(self) -> list[forms.BoundField]:
        return [
            self[name]
            for name in self.fields
            if name not in self.INQUIRER and name not in ("message", "consent", "idempotency_key")
        ]

    def inquirer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in (*self.INQUIRER, "message", "consent")]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, in any spelling"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    birth_year = _year_field(_("Year of birth"))
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", _("Any")), *Sex.choices[:-1]], required=False
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)


class RecordForm(forms.ModelForm):
    idempotency_key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": DAMAGED},
    )

    class Meta:
        model = PersonRecord
        fields = [
            "family_name", "given_name", "patronymic", "other_names", "sex", "birth_date",
            "birth_year", "age_estimate", "status", "is_combatant", "last_seen_place",
            "last_seen_at", "last_seen_circumstances", "current_location", "contact",
            "description", "source", "source_ref", "disclosure", "disclosure_to", "expiry_date",
            "hold_reason",
        ]  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_seen_at": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expiry_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_seen_circumstances": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "age_estimate": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        source.choices = [c for c in Source.choices if c[0] != Source.INQUIRY]  # type: ignore[attr-defined]
        if self.instance.pk:
            del self.fields["idempotency_key"]
        elif not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("source", Source.FIELD)

    def _post_clean(self) -> None:
        """Parse only: ``services.create_record``/``update_record`` check the record."""


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])
    note = forms.CharField(
        label=_("Why (kept with the decision)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisclosureForm(forms.Form):
    what = forms.ChoiceField(label=_("What was passed on"), choices=DisclosureRecord.What.choices)
    recipient = forms.CharField(label=_("To whom"), max_length=200)
    basis = forms.ChoiceField(label=_("On what basis"), choices=DisclosureRecord.Basis.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=Inquiry.CloseReason.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV with the columns below, or PFIF 1.4 XML.")
    )
    source = forms.ChoiceField(
        label=_("Where the records come from"),
        choices=[c for c in Source.choices if c[0] not in (Source.INQUIRY, Source.PFIF)],
        initial=Source.HOSPITAL,
    )


class TransferForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Recipient"), choices=Transfer.Recipient.choices)
    format = forms.ChoiceField(label=_("Format"), choices=Transfer.Format.choices)
    note = forms.CharField(
        label=_("Note (channel, reference of the receipt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All open")), *Inquiry.Status.choices], required=False
    )

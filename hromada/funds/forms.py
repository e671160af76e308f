"""Forms parse input only; the services decide (see ``hromada.funds.services``)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.aid.forms import grouped_item_choices
from hromada.aid.models import Item, Need
from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import Organization, Place
from hromada.funds.models import SPENDING_CATEGORIES, BankMapping, Channel, Currency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def money_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=14, decimal_places=2, widget=MONEY_INPUT, **kwargs
    )


class KeyedForm(forms.Form):
    """A create form: it carries a key made when it was shown, so a second submit (a double
    tap, a retry) returns what the first one made."""

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


class FundForm(KeyedForm):
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    currencies = forms.MultipleChoiceField(
        label=_("Currencies accepted"),
        choices=Currency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    base_currency = forms.ChoiceField(
        label=_("Currency of totals"), choices=Currency.choices, initial=Currency.UAH
    )
    approval_threshold = money_field(
        _("Second approval above"),
        initial=Decimal("10000.00"),
        help_text=_(
            "Expenses worth more than this (in the currency of totals) need a second person."
        ),
    )
    is_public = forms.BooleanField(
        label=_("Public: anyone may read its transparency page"), required=False, initial=True
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organization"]).queryset = organizations
        if not self.is_bound:
            self.initial.setdefault("currencies", [Currency.UAH, Currency.EUR, Currency.USD])
            if organizations.count() == 1:
                self.initial.setdefault("organization", organizations.first())


class FundSettingsForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    currencies = forms.MultipleChoiceField(
        label=_("Currencies accepted"),
        choices=Currency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    approval_threshold = money_field(_("Second approval above"))
    is_public = forms.BooleanField(
        label=_("Public: anyone may read its transparency page"), required=False
    )


class EarmarkFields(forms.Form):
    earmark_category = forms.ChoiceField(
        label=_("Earmarked for a category"),
        choices=[("", "—"), *SPENDING_CATEGORIES],
        required=False,
    )
    earmark_place = forms.ModelChoiceField(
        label=_("Earmarked for a place"), queryset=Place.objects.none(), required=False
    )
    earmark_need = forms.ModelChoiceField(
        label=_("Earmarked for a need"), queryset=Need.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, places: QuerySet[Place], needs: QuerySet[Need], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["earmark_place"]).queryset = places
        need_field = cast(forms.ModelChoiceField, self.fields["earmark_need"])
        need_field.queryset = needs
        need_field.label_from_instance = lambda obj: f"{obj.label} — {obj.place.name}"  # type: ignore[method-assign]


class DonationForm(KeyedForm, EarmarkFields):
    amount = money_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.BANK)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_(
            "The bank's or the payment system's reference: a second entry with it is refused."
        ),
    )
    donor_name = forms.CharField(label=_("Donor"), max_length=200, required=False)
    donor_contact = forms.CharField(
        label=_("Donor's e-mail or phone"), max_length=200, required=False
    )
    donor_public = forms.BooleanField(
        label=_("The donor agrees to be named on the public page"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    field_order = [
        "amount", "currency", "received_on", "channel", "reference", "donor_name", "donor_contact",
        "donor_public", "earmark_category", "earmark_place", "earmark_need", "note", "idempotency_key",
    ]  # fmt: skip

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [c for c in Currency.choices if c[0] in currencies]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())


class CorrectionForm(forms.Form):
    amount = money_field(
        _("The right amount"), help_text=_("Zero when the money never came or was all refunded.")
    )
    note = forms.CharField(label=_("Why"), max_length=300)


class ExpenseForm(KeyedForm, EarmarkFields):
    amount = money_field(_("Amount"))
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    spent_on = forms.DateField(label=_("Date"), widget=DATE)
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    purpose = forms.CharField(label=_("What for"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *SPENDING_CATEGORIES])
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("A PDF or a photo; kept private, the public page only says that it is held."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png,image/webp"}),
    )
    confirm_overspend = forms.BooleanField(
        label=_("Spend more than was given for this earmark"), required=False
    )

    LINES = 3

    def __init__(
        self,
        *args: Any,
        currencies: list[str],
        items: QuerySet[Item],
        hubs: QuerySet[Place],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [c for c in Currency.choices if c[0] in currencies]  # type: ignore[attr-defined]
        self.fields["earmark_category"].label = _("Paid from money earmarked for a category")
        self.fields["earmark_place"].label = _("Paid from money earmarked for a place")
        self.fields["earmark_need"].label = _("Paid from money earmarked for a need")
        for n in range(1, self.LINES + 1):
            item = forms.ModelChoiceField(label=_("Goods bought"), queryset=items, required=False)
            item.widget.choices = grouped_item_choices(items, "—")
            self.fields[f"item_{n}"] = item
            self.fields[f"quantity_{n}"] = forms.DecimalField(
                label=_("Quantity"),
                max_digits=12,
                decimal_places=3,
                required=False,
                min_value=Decimal("0.001"),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"hub_{n}"] = forms.ModelChoiceField(
                label=_("Received at"), queryset=hubs, required=False
            )
            self.fields[f"expires_on_{n}"] = forms.DateField(
                label=_("Expires"), required=False, widget=DATE
            )
        if not self.is_bound:
            self.initial.setdefault("spent_on", timezone.localdate())

    def main_fields(self) -> list[Any]:
        return [
            self[name]
            for name in self.fields
            if name[-2:] not in {f"_{n}" for n in range(1, self.LINES + 1)}
        ]

    def line_fields(self) -> list[list[Any]]:
        return [
            [self[f"{name}_{n}"] for name in ("item", "quantity", "hub", "expires_on")]
            for n in range(1, self.LINES + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, self.LINES + 1):
            item, quantity, hub = (
                data.get(f"item_{n}"),
                data.get(f"quantity_{n}"),
                data.get(f"hub_{n}"),
            )
            if item and not quantity:
                self.add_error(f"quantity_{n}", _("How many were bought?"))
            if item and not hub:
                self.add_error(f"hub_{n}", _("Where were they received?"))
            if not item and (quantity or hub):
                self.add_error(f"item_{n}", _("Choose what was bought."))
        return data


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)
    confirm_overspend = forms.BooleanField(
        label=_("Spend more than was given for this earmark"), required=False
    )


class RateForm(forms.Form):
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Currency.choices, initial=Currency.EUR
    )
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    quote = forms.ChoiceField(label=_("In"), choices=Currency.choices, initial=Currency.UAH)
    on = forms.DateField(label=_("Date"), widget=DATE)
    source = forms.CharField(label=_("Source"), max_length=100, required=False, initial="НБУ")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class ConversionForm(forms.Form):
    sold_amount = money_field(_("Sold"))
    sold_currency = forms.ChoiceField(
        label=_("Sold currency"), choices=Currency.choices, initial=Currency.EUR
    )
    bought_amount = money_field(_("Received"))
    bought_currency = forms.ChoiceField(
        label=_("Received currency"), choices=Currency.choices, initial=Currency.UAH
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class StatementForm(forms.Form):
    bank = forms.CharField(
        label=_("Bank"),
        max_length=100,
        help_text=_("The columns are saved under this name for the next statement."),
    )
    column_date = forms.CharField(label=_("Column of the date"), max_length=100)
    column_amount = forms.CharField(label=_("Column of the amount"), max_length=100)
    column_reference = forms.CharField(label=_("Column of the reference"), max_length=100)
    column_currency = forms.CharField(
        label=_("Column of the currency"), max_length=100, required=False
    )
    column_donor = forms.CharField(label=_("Column of the payer"), max_length=100, required=False)
    column_description = forms.CharField(
        label=_("Column of the description"), max_length=100, required=False
    )
    date_format = forms.CharField(label=_("Date format"), max_length=20, initial="%d.%m.%Y")
    default_currency = forms.ChoiceField(
        label=_("Currency when the file has none"), choices=Currency.choices, initial=Currency.UAH
    )
    file = forms.FileField(
        label=_("Statement"),
        help_text=_("CSV or XLSX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    @classmethod
    def initial_from(cls, mapping: BankMapping) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "bank": mapping.bank,
            "date_format": mapping.date_format,
            "default_currency": mapping.default_currency,
        }
        initial.update({f"column_{k}": v for k, v in mapping.columns.items()})
        return initial

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

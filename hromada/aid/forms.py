from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.aid.models import (
    NOTE_MAX,
    Category,
    Item,
    Need,
    Pledge,
    Priority,
    RecurringNeed,
    StockMove,
    Unit,
)
from hromada.core.idempotency import KEY_PATTERN
from hromada.core.models import Area, Place
from hromada.core.privacy import CONSENTS
from hromada.lib.text import collation_key


def grouped_item_choices(items: QuerySet[Item], empty_label: Any) -> list[Any]:
    """Options for a select: items under their category, in the reader's alphabet order,
    with "Other" last."""
    groups: dict[str, list[tuple[int, str]]] = {}
    order: dict[str, tuple[bool, Any]] = {}
    for item in items:
        label = str(item.get_category_display())
        order[label] = (item.category == Category.OTHER, collation_key(label))
        groups.setdefault(label, []).append((item.pk, f"{item.name} ({item.get_unit_display()})"))
    return [
        ("", empty_label),
        *(
            (label, sorted(groups[label], key=lambda choice: collation_key(choice[1])))
            for label in sorted(groups, key=order.__getitem__)
        ),
    ]


class NeedForm(forms.ModelForm):
    idempotency_key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": _("This form was damaged in transit. Reload the page and try again.")
        },
    )

    class Meta:
        model = Need
        fields = [
            "place",
            "item",
            "title",
            "quantity",
            "unit",
            "priority",
            "needed_by",
            "note",
            "visibility",
        ]
        widgets = {
            "needed_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
            "quantity": forms.NumberInput(
                attrs={"min": "0.001", "step": "any", "inputmode": "decimal"}
            ),
        }

    def __init__(
        self, *args: Any, places: QuerySet[Place], visible: QuerySet[Place], **kwargs: Any
    ) -> None:
        """``places`` are offered; any ``visible`` place is accepted, and the service decides
        whether this user may post there (403), so the page answers as the API does."""
        super().__init__(*args, **kwargs)
        place = cast(forms.ModelChoiceField, self.fields["place"])
        place.queryset = visible
        place.widget.choices = [("", _("Choose a place")), *((p.pk, str(p)) for p in places)]
        items = Item.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items
        self.fields["item"].widget.choices = grouped_item_choices(items, _("Choose an item"))
        self.fields["item"].required = False
        self.fields["unit"].required = False
        unit = cast(forms.ChoiceField, self.fields["unit"])
        unit.choices = [("", _("The item's own unit")), *Unit.choices]
        # The note is checked in full here so that 10 MB never reaches the database.
        cast(forms.CharField, self.fields["note"]).max_length = NOTE_MAX
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if len(self.fields["place"].widget.choices) == 2:
            self.initial.setdefault("place", self.fields["place"].widget.choices[1][0])

    def _post_clean(self) -> None:
        """Parse only: ``services.create_need``/``update_need`` check the need as a whole, so
        that the page, the API and the bot give the same answers, field by field."""


class CloseNeedForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Need.CLOSING_STATUSES])


class BoardFilterForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any priority")), *Priority.choices]
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, areas: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = min((a.depth for a in areas), default=0)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("All areas")),
            *((a.code, "\u2003" * (a.depth - top) + a.name) for a in areas),
        ]


class PledgeForm(forms.ModelForm):
    """What a donor fills in: no account needed."""

    idempotency_key = forms.RegexField(
        regex=KEY_PATTERN,
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": _("This form was damaged in transit. Reload the page and try again.")
        },
    )
    need = forms.IntegerField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label=CONSENTS["pledge_contact"].text,
        error_messages={"required": _("Tick the box to agree that we keep your contact.")},
    )

    class Meta:
        model = Pledge
        fields = [
            "item",
            "title",
            "quantity",
            "unit",
            "expires_on",
            "handover",
            "location",
            "available_from",
            "available_until",
            "contact_name",
            "contact_phone",
            "contact_email",
            "note",
        ]
        widgets = {
            "quantity": forms.NumberInput(
                attrs={"min": "0.001", "step": "any", "inputmode": "decimal"}
            ),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "available_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "available_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "handover": forms.RadioSelect,
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "note": forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items
        self.fields["item"].widget.choices = grouped_item_choices(items, _("Choose an item"))
        self.fields["item"].required = False
        self.fields["unit"].required = False
        unit = cast(forms.ChoiceField, self.fields["unit"])
        unit.choices = [("", _("The item's own unit")), *Unit.choices]
        cast(forms.CharField, self.fields["note"]).max_length = NOTE_MAX
        self.fields["expires_on"].help_text = _("For food and medicines.")
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def _post_clean(self) -> None:
        """Parse only: ``services.pledges.offer_pledge`` checks the offer as a whole."""


class AcceptPledgeForm(forms.Form):
    hub = forms.ModelChoiceField(
        label=_("To be received at"), queryset=Place.objects.none(), required=False
    )
    need = forms.ModelChoiceField(
        label=_("For the need"), queryset=Need.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, hubs: QuerySet[Place], needs: QuerySet[Need], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hub"]).queryset = hubs
        cast(forms.ModelChoiceField, self.fields["need"]).queryset = needs


class DeclinePledgeForm(forms.Form):
    decline_reason = forms.CharField(label=_("Why (the donor reads this)"), max_length=300)


class ReceivePledgeForm(forms.Form):
    hub = forms.ModelChoiceField(label=_("Received at"), queryset=Place.objects.none())
    quantity = forms.DecimalField(
        label=_("Quantity received"), max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    batch = forms.CharField(label=_("Batch"), max_length=64, required=False)
    expires_on = forms.DateField(
        label=_("Best before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, hubs: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["hub"]).queryset = hubs


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StockForm(forms.Form):
    """One form for the four ways stock changes at a place; ``action`` picks the fields."""

    ACTIONS = ("receive", "issue", "transfer", "count")
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    counted = forms.DecimalField(
        label=_("Counted on the shelf"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal(0),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    reason = forms.ChoiceField(label=_("Reason"))
    to_place = forms.ModelChoiceField(label=_("To"), queryset=Place.objects.none())
    batch = forms.CharField(label=_("Batch"), max_length=64, required=False)
    expires_on = forms.DateField(label=_("Expires"), required=False, widget=_date_input())
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    FIELDS = {
        "receive": ["item", "quantity", "reason", "batch", "expires_on", "note"],
        "issue": ["item", "quantity", "reason", "note"],
        "transfer": ["item", "quantity", "to_place", "note"],
        "count": ["item", "counted", "batch", "expires_on", "note"],
    }
    REASONS = {
        "receive": [StockMove.Reason.DONATION, StockMove.Reason.PURCHASE],
        "issue": [StockMove.Reason.DISTRIBUTION, StockMove.Reason.SPOILAGE],
    }

    def __init__(
        self, *args: Any, action: str, destinations: QuerySet[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        for name in list(self.fields):
            if name not in self.FIELDS[action]:
                del self.fields[name]
        items = Item.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items
        self.fields["item"].widget.choices = grouped_item_choices(items, _("Choose an item"))
        if "reason" in self.fields:
            cast(forms.ChoiceField, self.fields["reason"]).choices = [
                (r.value, r.label) for r in self.REASONS[action]
            ]
        if "to_place" in self.fields:
            cast(forms.ModelChoiceField, self.fields["to_place"]).queryset = destinations


class ReverseMoveForm(forms.Form):
    note = forms.CharField(label=_("Why is it wrong?"), max_length=300)


class PlanDeliveryForm(forms.Form):
    from_place = forms.ModelChoiceField(label=_("From hub"), queryset=Place.objects.none())
    to_place = forms.ModelChoiceField(label=_("To"), queryset=Place.objects.none())
    planned_for = forms.DateField(label=_("Planned for"), required=False, widget=_date_input())
    note = forms.CharField(label=_("Note for the driver"), max_length=500, required=False)
    idempotency_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, hubs: QuerySet[Place], destinations: QuerySet[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["from_place"]).queryset = hubs
        cast(forms.ModelChoiceField, self.fields["to_place"]).queryset = destinations
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class DeliveryLineForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Item"), queryset=Item.objects.filter(is_active=True), required=False
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        min_value=Decimal("0.001"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(is_active=True)
        self.fields["item"].widget.choices = grouped_item_choices(items, _("Choose an item"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("item")) != bool(data.get("quantity")):
            raise forms.ValidationError(
                _("Give both the item and the quantity, or leave the line empty.")
            )
        return data


DeliveryLineFormSet = forms.formset_factory(DeliveryLineForm, extra=4, max_num=30)


class DeliveredForm(forms.Form):
    """What the driver fills in at the door: who took it, how much of each line, a photo."""

    recipient_name = forms.CharField(
        label=_("Name of the person who took the goods"), max_length=200
    )
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=f"{line.item.name} ({line.item.get_unit_display()})",
                max_digits=12,
                decimal_places=3,
                min_value=Decimal(0),
                initial=line.quantity_picked or line.quantity,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )

    def received(self) -> dict[int, Decimal]:
        return {int(k[5:]): v for k, v in self.cleaned_data.items() if k.startswith("line_")}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("What happened?"), max_length=300)


class RecurringNeedForm(forms.ModelForm):
    idempotency_key = forms.RegexField(regex=KEY_PATTERN, widget=forms.HiddenInput, required=False)

    class Meta:
        model = RecurringNeed
        fields = ["place", "item", "title", "quantity", "unit", "priority", "every", "weekday", "at", "starts_on",
                  "ends_on", "visibility", "note"]  # fmt: skip
        widgets = {
            "at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": _date_input(),
            "ends_on": _date_input(),
            "quantity": forms.NumberInput(
                attrs={"min": "0.001", "step": "any", "inputmode": "decimal"}
            ),
            "note": forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        }

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["place"]).queryset = places
        items = Item.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["item"]).queryset = items
        self.fields["item"].widget.choices = grouped_item_choices(items, _("Choose an item"))
        self.fields["item"].required = False
        self.fields["unit"].required = False
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("The item's own unit")),
            *Unit.choices,
        ]
        days = [
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ]
        self.fields["weekday"] = forms.TypedChoiceField(
            label=_("Day of the week"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Every day")), *enumerate(days)],
        )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
            self.initial.setdefault("starts_on", timezone.localdate())

    def _post_clean(self) -> None:
        """Parse only: ``services.recurring.create_recurring_need`` checks it as a whole."""

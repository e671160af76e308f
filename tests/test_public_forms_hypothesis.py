"""Every public form, fed arbitrary input by Hypothesis: never a server error, and never half
a write.

For each form anyone may send without signing in (an offer of goods, an inquiry after a
person, a volunteer's sign-up, an application from abroad, an incident report, an alert
subscription, a password reset), the fields are read from the form the page shows, and each
is given, or left out, with values of its kind and values of any other: text in any script
(right-to-left, emoji, NUL bytes, control characters), strings far past any limit, numbers at
and past the limits, dates in year 1 and year 9999, choices that are not on the list. Each
submission goes through the Django test client and must end in one of two ways:

- a redirect, with exactly one new row (or none, when the same idempotency key came back)
  whose text fields hold exactly what the form cleaned (stripped, nothing cut off or mangled);
- the form shown again (200 or 422) with its errors, and not one row written.

The examples are bounded and derandomised, so a run is repeatable and takes under a minute;
rate limits are emptied before each submission (they have their own tests).
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django import forms
from django.core.cache import cache
from django.db import models
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hromada.aid.models import Pledge
from hromada.aid.tests.factories import item
from hromada.alerts.models import Subscription
from hromada.reports.models import Incident
from hromada.tracing.models import Inquiry
from hromada.volunteers.models import Application, Volunteer
from hromada.volunteers.tests.factories import make_desk

EXAMPLES = 30

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# Any character a browser could send (surrogates cannot be encoded as UTF-8 by any client).
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\u202eRTL override",
        "שלום עולם",
        "مرحبا",
        "👩‍👩‍👧‍👦🇺🇦",
        "Z̸̢̛a̵l̴g̶o̷",
        "\r\n\t",
        "' OR 1=1 --",
        "=cmd|' /C calc'!A0",
        "<script>alert(1)</script>",
        "NaN",
        "Infinity",
        "-0",
        "1e400",
        "99999999999999999999999999999",
        "-99999999999999999999999999999",
        "0.0000000000000000000000001",
        "9999-12-31",
        "0001-01-01",
        "10000-01-01",
        "2024-02-30",
        "25:61",
        "١٢٣",  # Arabic-Indic digits
        "Ⅻ",
    ]
)
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    TRICKY,
    st.builds(
        lambda c, n: c * n, st.sampled_from(["я", "🇺🇦", "x", "\x00"]), st.integers(1, 20_000)
    ),
)
NUMBER = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.sampled_from(["0", "1", "-1", "0.001", "2147483647", "2147483648", "9223372036854775808"]),
)
DATE = st.one_of(
    st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(lambda d: d.isoformat()),
    st.sampled_from(["1900-01-01", "2022-02-24", "2099-12-31", "31.12.2024", "today"]),
)
TIME = st.one_of(
    st.times().map(lambda t: t.isoformat()),
    st.sampled_from(["00:00", "23:59", "24:00", "12:60"]),
)
EMAIL = st.one_of(st.emails().map(str), st.sampled_from(["a@b.c", "Олена@приклад.укр", "@", "a@"]))


def _choices(field: forms.Field) -> list[str]:
    values: list[str] = []
    for value, _label in getattr(field, "choices", []):
        if isinstance(_label, list | tuple):  # an optgroup
            values.extend(str(v) for v, _l in _label)
        elif value not in ("", None):
            values.append(str(getattr(value, "value", value)))
    return values


def value_for(name: str, field: forms.Field) -> st.SearchStrategy[Any]:
    """Values of the field's own kind, and of any other."""
    if name == "idempotency_key":
        return st.one_of(st.builds(lambda: uuid.uuid4().hex), TEXT)
    if isinstance(field, forms.FileField):
        return st.nothing()
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.just("on"), TEXT)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        choices = _choices(field)
        item = st.one_of(st.sampled_from(choices), TEXT) if choices else TEXT
        return st.lists(item, max_size=4)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        choices = _choices(field)
        return st.one_of(st.sampled_from(choices), TEXT) if choices else TEXT
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return st.one_of(NUMBER, TEXT)
    if isinstance(field, forms.DateField):
        return st.one_of(DATE, TEXT)
    if isinstance(field, forms.TimeField):
        return st.one_of(TIME, TEXT)
    if isinstance(field, forms.EmailField):
        return st.one_of(EMAIL, TEXT)
    return TEXT


KEEP, DROP = object(), object()


def submissions(form: forms.BaseForm, valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid submission with any of its fields changed to anything, or left out; and fields
    the valid one leaves out, given. Kept fields are twice as likely, so that a fair share of
    submissions is accepted and what is saved can be compared with what was sent."""
    parts = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.FileField):
            continue
        parts[name] = st.one_of(
            st.just(KEEP), st.just(KEEP), value_for(name, form_field), st.just(DROP)
        )

    def build(choice: dict[str, Any]) -> dict[str, Any]:
        data = {}
        for name, value in choice.items():
            if value is KEEP:
                if name in valid:
                    data[name] = valid[name]
            elif value is not DROP:
                data[name] = value
        return data

    return st.fixed_dictionaries(parts).map(build)


@dataclass
class PublicForm:
    name: str
    url: Callable[[Any], str]
    model: type[models.Model]
    # Posted field -> how to read what was saved from the new row.
    valid: Callable[[Any], dict[str, Any]]
    saved: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    prepare: Callable[[Any], None] = lambda community: None
    # A redirect that may write nothing new although the key is new (a sign-up that merges
    # into the same phone's, a subscription of an address already there).
    may_merge: bool = False


def _attr(name: str) -> Callable[[Any], Any]:
    return lambda obj: getattr(obj, name)


def _open_desk(community: Any) -> None:
    make_desk(community.council)


FORMS = [
    PublicForm(
        "pledge",
        lambda c: reverse("aid:give"),
        Pledge,
        lambda c: {
            "item": str(item("blankets").pk),
            "quantity": "30",
            "handover": "drop_off",
            "contact_name": "Марія",
            "contact_phone": "+380 67 000 0000",
            "consent": "on",
        },
        {n: _attr(n) for n in ("title", "location", "contact_name", "note")},
    ),
    PublicForm(
        "inquiry",
        lambda c: reverse("tracing:inquiry-new"),
        Inquiry,
        lambda c: {
            "family_name": "Шевченко",
            "inquirer_name": "Maria",
            "inquirer_contact": "+1 416 555 0101",
            "consent": "on",
        },
        {
            "inquirer_name": _attr("inquirer_name"),
            "inquirer_contact": _attr("inquirer_contact"),
            "inquirer_relationship": _attr("inquirer_relationship"),
            "message": _attr("message"),
            "description": lambda i: i.sought.description,
            "last_seen_place": lambda i: i.sought.last_seen_place,
        },
    ),
    PublicForm(
        "volunteer sign-up",
        lambda c: reverse("volunteers:signup"),
        Volunteer,
        lambda c: {
            "organization": str(c.council.pk),
            "name": "Іван Петренко",
            "phone": "050 765 4321",
            "consent": "on",
        },
        {"emergency_name": _attr("emergency_name")},
        prepare=_open_desk,
        may_merge=True,
    ),
    PublicForm(
        "application from abroad",
        lambda c: reverse("volunteers:apply-form", args=["en"]),
        Application,
        lambda c: {
            "organization": str(c.council.pk),
            "name": "Camille Durand",
            "email": "c@example.org",
            "nationality": "FR",
            "residence": "FR",
            "experience": "Infirmière",
            "available_from": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
            "how_heard": "embassy",
            "consent": "on",
        },
        {"name": _attr("name"), "experience": _attr("experience")},
        prepare=_open_desk,
    ),
    PublicForm(
        "incident report",
        lambda c: reverse("reports:incident-report"),
        Incident,
        lambda c: {
            "kind": "shelling",
            "day": "2022-02-28",
            "time": "06:30",
            "time_precision": "exact",
            "area": c.town.code,
            "location_precision": "area",
            "description": "Два будинки.",
        },
        {"description": _attr("description"), "reporter_contact": _attr("reporter_contact")},
    ),
    PublicForm(
        "alert subscription",
        lambda c: reverse("alerts:subscribe"),
        Subscription,
        lambda c: {
            "email": "olena@example.org",
            "areas": [c.town.code],
            "language": "en",
            "consent": "on",
        },
        may_merge=True,
    ),
]


def _new_row(model: type[models.Model], before: int) -> Any:
    return model.objects.order_by("-pk").first() if model.objects.count() > before else None


@pytest.mark.parametrize("public", FORMS, ids=[f.name for f in FORMS])
def test_a_public_form_never_fails_and_never_writes_half(public, community, as_user):
    public.prepare(community)
    client = as_user(community.anonymous)
    url = public.url(community)
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    seen_keys: set[str] = set()
    answers: Counter[str] = Counter()

    @FUZZ
    @given(data=submissions(form, public.valid(community)))
    def submit(data: dict[str, Any]) -> None:
        cache.clear()  # the rate limits have their own tests
        before = public.model.objects.count()
        response = client.post(url, data)
        note = f"{public.name}: {response.status_code} for {data!r:.300}"
        assert response.status_code < 500, note
        after = public.model.objects.count()
        key = data.get("idempotency_key", "")
        # Accepted: a redirect, or (the subscription) a page that says so instead of the form.
        accepted = response.status_code in (301, 302, 303) or (
            response.status_code == 200 and "form" not in response.context
        )
        answers["accepted" if accepted else str(response.status_code)] += 1
        if accepted:
            replay = key in seen_keys
            assert after - before == (0 if replay else 1) or (
                public.may_merge and after == before
            ), note
            if after > before:
                row = _new_row(public.model, before)
                for name, read in public.saved.items():
                    posted = data.get(name, "")
                    assert read(row) == str(posted).strip(), (
                        f"{note}: {name} saved as {read(row)!r}"
                    )
            if key:
                seen_keys.add(key)
        elif response.status_code == 413:  # past DATA_UPLOAD_MAX_*: refused before any form
            assert after == before, note
        else:
            assert response.status_code in (200, 422), note
            assert after == before, note
            # An empty POST shows the blank form again (``request.POST or None``).
            assert response.context["form"].errors or not any(data.values()), note

    submit()
    # Both ends were reached: submissions accepted (and compared), and submissions refused.
    assert answers["accepted"] and (answers["200"] + answers["422"]), answers


@FUZZ
@given(need=TEXT, item=TEXT)
def test_the_offer_form_takes_any_need_or_item_in_its_address(need, item, community, as_user):
    response = as_user(community.anonymous).get(reverse("aid:give"), {"need": need, "item": item})
    assert response.status_code == 200


@FUZZ
@given(email=st.one_of(EMAIL, TEXT))
def test_the_password_reset_form_never_fails(email, community, as_user, mailoutbox):
    cache.clear()
    response = as_user(community.anonymous).post(reverse("core:password-reset"), {"email": email})
    assert response.status_code in (200, 302), response.status_code


# What the fuzzing found, kept as plain regression tests.


def test_a_mangled_need_or_item_in_the_offer_link_shows_the_blank_form(community, as_user):
    # Was a 500: the need went to the query as it came (ValueError), the item with its NUL
    # (PostgreSQL refuses it).
    response = as_user(community.anonymous).get(
        reverse("aid:give"), {"need": "1x", "item": "a\x00"}
    )
    assert response.status_code == 200 and not response.context["form"].initial.get("item")


def test_a_nul_in_the_area_of_an_incident_report_is_a_field_error(community, as_user):
    # Was a 500 on PostgreSQL: the code went to the query with its NUL.
    response = as_user(community.anonymous).post(
        reverse("reports:incident-report"),
        {"kind": "shelling", "day": "2022-02-28", "time_precision": "day", "area": "UA\x00"},
    )
    assert response.status_code == 422 and "area" in response.context["form"].errors
    assert not Incident.objects.exists()

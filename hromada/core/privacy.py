"""Personal data: what we hold on people, how long we keep it, and how one person's data is
exported or erased.

Each app declares its kinds of personal records in ``<app>/personal_data.py`` as
``KINDS = [Kind(...), ...]`` (see ``kinds()``): the model, the fields that identify a person,
how to find one person's rows, how long rows are kept, what erasing means (delete the row, or
anonymise it: blank the identifying fields and keep the figures), and the legal holds that keep
a row whatever its age or anyone's request.

Retention periods, in days, with their defaults (override any of them with
``settings.RETENTION_DAYS = {"aid.pledge_contact": 30, ...}``):

==============================  =======  ==================================================
kind                            default  counted from
==============================  =======  ==================================================
aid.pledge_contact                   90  the pledge closed (received, declined, expired)
alerts.subscription                   0  the address unsubscribed
alerts.unconfirmed_subscription       7  an e-mail subscription was asked for, never confirmed
alerts.delivery                      90  the alert was sent to the address (the address goes)
bot.chat_draft                        2  an unfinished bot conversation was last touched
core.notification                    90  a message to a person was written (sent or failed)
funds.donor                        1825  the donation was received: 5 years, accounting law;
                                         the amount is never erased, only the donor's name
reports.reporter_contact             30  an incident was reported with a contact
tracing.record                        0  the record's own "keep until" date (``expiry_date``)
tracing.inquirer                    365  the inquiry closed
volunteers.volunteer                730  the volunteer's last activity (record changed or a
                                         shift answered); a coordinator's edit keeps them
volunteers.application              365  the application reached a final status
==============================  =======  ==================================================

Kinds without a period (user accounts, a linked Telegram account, the audit log) are kept
while they are in use and erased only on request; the audit log is never erased.

django-simple-history keeps every old version of a row: erasure reaches those rows too
(anonymised the same way, or deleted with the row), and ``run_retention`` also deletes the
history of rows of these kinds that were deleted by any other path.

Consent (``CONSENTS``): where data is collected from the public with no other legal basis,
the form asks for it and the row records when it was given and which wording (``version``).
The person sought by a tracing inquiry is not asked: their data is held in their vital
interest (GDPR art. 6(1)(d)), as tracing services do.
"""

from __future__ import annotations

import datetime
import importlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hromada.core.models import User
from hromada.core.services import record_event

DELETE = "delete"
ANONYMISE = "anonymise"
KEEP = "keep"  # never erased (the audit log): exported, listed as kept

ERASED_NAME = "—"  # what a required name field holds once anonymised
BATCH = 500


# Consent -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Consent:
    """One wording of a consent. A new wording gets a new version; old rows keep theirs."""

    version: str
    text: Any  # a lazy translation: the checkbox label in the person's language


CONSENTS: dict[str, Consent] = {
    "volunteer_signup": Consent(
        "volunteer_signup/1",
        _(
            "I agree that the organisation keeps these details to call me for volunteer work. "
            "Only its coordinators see my phone. I can ask them to delete my details at any time."
        ),
    ),
    "volunteer_recorded": Consent(
        "volunteer_recorded/1",
        _("The person agreed that we keep these details to call them for volunteer work."),
    ),
    "volunteer_application": Consent(
        "volunteer_application/1",
        _(
            "I agree that the organisation keeps these details and documents to assess my "
            "application. They are not shared with anyone else."
        ),
    ),
    "alerts_subscription": Consent(
        "alerts_subscription/1",
        _(
            "I agree that my address is kept to send me alerts until I unsubscribe; "
            "it is deleted when I do."
        ),
    ),
    "pledge_contact": Consent(
        "pledge_contact/1",
        _(
            "I agree that coordinators keep my name and contact to arrange this offer; "
            "they are erased 90 days after it is closed."
        ),
    ),
    "tracing_inquirer": Consent(
        "tracing_inquirer/1",
        _(
            "I agree that caseworkers keep my name and contact to answer this inquiry; "
            "they are erased a year after it is closed."
        ),
    ),
}


def consent_fields(purpose: str, given: bool = True) -> dict[str, Any]:
    """The values a row records for a consent: when, and which wording."""
    if not given:
        return {"consent_at": None, "consent_version": ""}
    return {"consent_at": timezone.now(), "consent_version": CONSENTS[purpose].version}


# What a kind of record is ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Whom to look for: any of an account, a phone, an e-mail, a name (with a birth year for
    tracing records, where a name alone finds namesakes)."""

    user: User | None = None
    phone: str = ""
    email: str = ""
    name: str = ""
    birth_year: int | None = None
    telegram_ids: tuple[int, ...] = ()

    @classmethod
    def of_user(cls, user: User, *, with_contacts: bool = True) -> Person:
        """The account and, unless ``with_contacts`` is off, its e-mail and phone: a person's
        own page uses the account alone (a typed-in e-mail proves nothing). Never its name:
        namesakes are other people; search by name only when asked to, and check the rows."""
        from hromada.bot.models import TelegramAccount

        telegram = {user.telegram_id} if user.telegram_id else set()
        for telegram_id, chat_id in TelegramAccount.objects.filter(user=user).values_list(
            "telegram_id", "chat_id"
        ):
            telegram.update({telegram_id, chat_id})
        if not with_contacts:
            return cls(user=user, telegram_ids=tuple(sorted(telegram)))
        return cls(
            user=user,
            phone=user.phone,
            email=user.email,
            telegram_ids=tuple(sorted(telegram)),
        )

    def describe(self) -> dict[str, Any]:
        """For the audit log: whom the export or erasure was about."""
        found = {
            "user": self.user.username if self.user else "",
            "phone": self.phone,
            "email": self.email,
            "name": self.name,
            "birth_year": self.birth_year,
        }
        return {k: v for k, v in found.items() if v}

    @property
    def is_empty(self) -> bool:
        return not (self.user or self.phone or self.email or self.name or self.telegram_ids)

    # Q builders the kinds share -----------------------------------------------------------

    def phone_q(self, *names: str) -> Q | None:
        """Rows where any of the fields holds this phone, however it was typed ("050 123-45-67",
        "+380501234567"): the last nine digits with up to three other characters between them
        (a regular expression both SQLite and PostgreSQL run)."""
        digits = re.sub(r"\D", "", self.phone)
        if len(digits) < 7:
            return None
        pattern = "[^0-9]{0,3}".join(digits[-9:])
        return _any(Q(**{f"{name}__regex": pattern}) for name in names)

    def email_q(self, *names: str, exact: bool = True) -> Q | None:
        email = self.email.strip()
        if not email:
            return None
        lookup = "iexact" if exact else "icontains"
        return _any(Q(**{f"{name}__{lookup}": email}) for name in names)

    def name_q(self, *names: str) -> Q | None:
        """Rows where every word of the name is in one of the fields, in any order. (SQLite
        compares Cyrillic case-sensitively: "шевченко" does not find "Шевченко" there.)"""
        words = [w for w in re.split(r"\s+", self.name.strip()) if len(w) > 1]
        if not words:
            return None
        q = Q()
        for word in words:
            q &= _any(Q(**{f"{name}__icontains": word}) for name in names) or Q()
        return q

    def user_q(self, name: str) -> Q | None:
        return Q(**{name: self.user}) if self.user is not None else None


def _any(qs: Iterable[Q | None]) -> Q | None:
    found = [q for q in qs if q is not None]
    if not found:
        return None
    result = found[0]
    for q in found[1:]:
        result |= q
    return result


@dataclass(frozen=True)
class Hold:
    """A legal hold: rows matching ``q(now)`` are kept, for ``reason``."""

    reason: Any
    q: Callable[[datetime.datetime], Q]


@dataclass(frozen=True)
class Kind:
    """One kind of personal record in one model.

    ``find`` returns the Q of one person's rows (None: nothing to look for). ``expired``
    returns the rows past their period (``days`` from the settings), or is None when the
    kind is kept until erased on request. ``blank`` is what anonymising writes (values or
    expressions); ``done`` says which rows are anonymised already. ``erase_rows`` replaces
    the plain delete/anonymise for kinds that must tidy up around them (tracing's index): it
    gets at most BATCH keys at a time and returns how many history rows it scrubbed.
    """

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    find: Callable[[Person], Q | None]
    erase: str = DELETE
    blank: Mapping[str, Any] = field(default_factory=dict)
    done: Q | None = None
    days: int | None = None
    expired: Callable[[datetime.datetime, int], models.QuerySet[Any]] | None = None
    holds: Sequence[Hold] = ()
    files: tuple[str, ...] = ()
    erase_rows: Callable[[list[Any]], int] | None = None
    describe: Any = ""

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def period(self) -> int | None:
        if self.days is None:
            return None
        return int(getattr(settings, "RETENTION_DAYS", {}).get(self.key, self.days))

    def rows_of(self, person: Person) -> models.QuerySet[Any]:
        q = self.find(person)
        if q is None:
            return self.model._default_manager.none()
        return self.model._default_manager.filter(q).distinct()

    def held_q(self, now: datetime.datetime) -> Q | None:
        return _any(hold.q(now) for hold in self.holds)

    def done_q(self) -> Q | None:
        if self.done is not None:
            return self.done
        plain = {k: v for k, v in self.blank.items() if not hasattr(v, "resolve_expression")}
        return Q(**plain) if self.erase == ANONYMISE and plain else None


def period(key: str, default: int) -> int:
    """A retention period in days that is not a kind's own (see the module's table)."""
    return int(getattr(settings, "RETENTION_DAYS", {}).get(key, default))


def kinds() -> list[Kind]:
    """Every app's ``personal_data.KINDS``, in the order of INSTALLED_APPS."""
    found: list[Kind] = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("hromada."):
            continue
        try:
            module = importlib.import_module(f"{app}.personal_data")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.personal_data":
                raise
            continue
        found.extend(module.KINDS)
    return found


# History rows ------------------------------------------------------------------------------


def history_model(model: type[models.Model]) -> type[models.Model] | None:
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None) if manager is not None else None


def scrub_history(
    model: type[models.Model], pks: list[Any], blank: Mapping[str, Any] | None
) -> int:
    """The old versions of these rows: anonymised with ``blank`` (fields the history keeps),
    or deleted when ``blank`` is None. Returns how many history rows were touched."""
    historical = history_model(model)
    if historical is None or not pks:
        return 0
    pk_name = model._meta.pk.name
    kept = {f.name for f in historical._meta.get_fields()}
    touched = 0
    for start in range(0, len(pks), BATCH):
        rows = historical._default_manager.filter(**{f"{pk_name}__in": pks[start : start + BATCH]})
        if blank is None:
            touched += rows.delete()[0]
        else:
            values = {k: v for k, v in blank.items() if k in kept}
            touched += rows.update(**values) if values else 0
    return touched


def purge_orphan_history(model: type[models.Model]) -> int:
    """Delete the history of rows that no longer exist (deleted in the admin, by a cascade or
    by an app's own clean-up): their old versions still held the personal data."""
    historical = history_model(model)
    if historical is None:
        return 0
    pk_name = model._meta.pk.name
    live = model._default_manager.values(pk_name)
    return historical._default_manager.exclude(**{f"{pk_name}__in": live}).delete()[0]


# Erasing -----------------------------------------------------------------------------------


def _delete_files(kind: Kind, rows: models.QuerySet[Any]) -> None:
    """The files of these rows, once the erasure is committed (a rollback keeps them)."""
    for name in kind.files:
        for row in rows.exclude(**{name: ""}).only("pk", name):
            stored = getattr(row, name)
            if stored:
                transaction.on_commit(partial(stored.storage.delete, stored.name))


def _erase(kind: Kind, pks: list[Any]) -> int:
    """Erase these rows of ``kind`` and their history; returns the number of history rows."""
    manager = kind.model._default_manager
    history = 0
    # In batches: PostgreSQL takes at most 65,535 parameters in a query.
    for start in range(0, len(pks), BATCH):
        batch = pks[start : start + BATCH]
        rows = manager.filter(pk__in=batch)
        if kind.erase_rows is not None:
            history += kind.erase_rows(batch)
        elif kind.erase == DELETE:
            _delete_files(kind, rows)
            # Before the history is scrubbed: deleting writes one more history row ("-").
            rows.delete()
            history += scrub_history(kind.model, batch, None)
        elif kind.erase == ANONYMISE:
            _delete_files(kind, rows)
            rows.update(**kind.blank)
            history += scrub_history(kind.model, batch, kind.blank)
    return history


@dataclass
class RetentionCount:
    rows: int = 0
    history: int = 0
    held: int = 0


def expired_rows(kind: Kind, now: datetime.datetime) -> tuple[list[Any], int]:
    """The primary keys of rows past their period, and how many more are past it but held."""
    days = kind.period()
    if kind.expired is None or days is None:
        return [], 0
    rows = kind.expired(now, days)
    done = kind.done_q()
    if done is not None:
        rows = rows.exclude(done)
    held = kind.held_q(now)
    held_count = 0
    if held is not None:
        held_count = rows.filter(held).count()
        rows = rows.exclude(held)
    return list(rows.values_list("pk", flat=True).distinct()), held_count


def run_retention(
    *, now: datetime.datetime | None = None, dry_run: bool = False, actor: Any = None
) -> dict[str, RetentionCount]:
    """Erase or anonymise every record past its period, each kind in its own transaction, with
    their history rows; one audit event with the counts. A dry run only counts."""
    now = now or timezone.now()
    counts: dict[str, RetentionCount] = {}
    for kind in kinds():
        with transaction.atomic():
            pks, held = expired_rows(kind, now)
            count = RetentionCount(rows=len(pks), held=held)
            if not dry_run:
                count.history = _erase(kind, pks)
                if kind.erase == DELETE:
                    count.history += purge_orphan_history(kind.model)
        counts[kind.key] = count
    if not dry_run:
        record_event(
            "privacy.retention",
            actor=actor,
            counts={k: vars(c) for k, c in counts.items()},
        )
    return counts


def retention_job() -> str:
    """The worker's daily run (see tasks.PERIODIC): the counts, for PeriodicRun.last_result."""
    counts = run_retention()
    return ", ".join(f"{k} {c.rows}" for k, c in counts.items() if c.rows) or "nothing expired"


# One person: export and erasure ------------------------------------------------------------


def _value(row: models.Model, name: str) -> Any:
    value = getattr(row, name)
    if isinstance(value, models.Model):
        return str(value.pk)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file field
        return value.name or ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    return value


def _row(row: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    return {"id": row.pk, **{name: _value(row, name) for name in fields}}


def _history(kind: Kind, pks: list[Any]) -> list[dict[str, Any]]:
    historical = history_model(kind.model)
    if historical is None or not pks:
        return []
    kept = {f.name for f in historical._meta.get_fields()}
    names = [n for n in kind.fields if n in kept]
    rows = historical._default_manager.filter(**{f"{kind.model._meta.pk.name}__in": pks}).order_by(
        "history_date"
    )
    return [
        {
            **_row(row, names),
            "history_date": row.history_date.isoformat(),  # type: ignore[attr-defined]
            "history_type": row.history_type,  # type: ignore[attr-defined]
        }
        for row in rows
    ]


def collect(person: Person) -> dict[str, Any]:
    """Everything held on ``person``, by kind: the rows and their old versions."""
    found: dict[str, Any] = {}
    for kind in kinds():
        rows = list(kind.rows_of(person))
        if not rows:
            continue
        pks = [r.pk for r in rows]
        found[kind.key] = {
            "what": str(kind.label),
            "rows": [_row(r, kind.fields) for r in rows],
            "history": _history(kind, pks),
        }
    return found


def own_files(person: Person) -> list[tuple[str, Any]]:
    """(name in the zip, stored file) for the files of a person's rows."""
    files = []
    for kind in kinds():
        if not kind.files:
            continue
        for row in kind.rows_of(person):
            for name in kind.files:
                stored = getattr(row, name)
                if stored and stored.storage.exists(stored.name):
                    files.append((f"{kind.key}/{row.pk}/{stored.name.rsplit('/', 1)[-1]}", stored))
    return files


def _require_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": [_("Say why (at least a few words).")]})
    return reason


def export_person(
    person: Person, *, actor: Any, reason: str, request: Any = None
) -> tuple[bytes, bytes | None]:
    """A JSON of everything held on ``person`` and a zip of their files (None when there are
    none). Every export is audited: who, whom, why and how many rows."""
    reason = _require_reason(reason)
    if person.is_empty:
        raise ValidationError({"person": [_("Say whom to look for.")]})
    data = collect(person)
    document = {
        "exported_at": timezone.now().isoformat(),
        "person": person.describe(),
        "kinds": data,
    }
    content = json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
    files = own_files(person)
    archive = None
    if files:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
            for name, stored in files:
                with stored.open("rb") as handle:
                    zipped.writestr(name, handle.read())
        archive = buffer.getvalue()
    record_event(
        "privacy.exported",
        actor=actor,
        request=request,
        person=person.describe(),
        reason=reason,
        rows={k: len(v["rows"]) for k, v in data.items()},
        files=len(files),
    )
    return content, archive


@dataclass
class ErasureResult:
    erased: dict[str, int] = field(default_factory=dict)
    history: dict[str, int] = field(default_factory=dict)
    kept: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, rows, reason)


def plan_erasure(person: Person, now: datetime.datetime | None = None) -> ErasureResult:
    """What an erasure would do: per kind, how many rows go and how many stay, and why."""
    return _erase_person(person, now=now or timezone.now(), dry_run=True)


def _erase_person(person: Person, *, now: datetime.datetime, dry_run: bool) -> ErasureResult:
    result = ErasureResult()
    for kind in kinds():
        rows = kind.rows_of(person)
        done = kind.done_q()
        if done is not None:
            rows = rows.exclude(done)
        if kind.erase == KEEP:
            kept = rows.count()
            if kept:
                result.kept.append((kind.key, kept, str(kind.describe)))
            continue
        for hold in kind.holds:
            held = rows.filter(hold.q(now))
            count = held.count()
            if count:
                result.kept.append((kind.key, count, str(hold.reason)))
                rows = rows.exclude(pk__in=held.values("pk"))
        pks = list(rows.values_list("pk", flat=True))
        if not pks:
            continue
        result.erased[kind.key] = len(pks)
        if not dry_run:
            result.history[kind.key] = _erase(kind, pks)
    return result


def erase_person(person: Person, *, actor: Any, reason: str, request: Any = None) -> ErasureResult:
    """Erase or anonymise everything held on ``person`` that no legal hold keeps, in one
    transaction; audited with what was erased and what was kept and why."""
    reason = _require_reason(reason)
    if person.is_empty:
        raise ValidationError({"person": [_("Say whom to look for.")]})
    with transaction.atomic():
        result = _erase_person(person, now=timezone.now(), dry_run=False)
        record_event(
            "privacy.erased",
            actor=actor,
            request=request,
            person=person.describe(),
            reason=reason,
            erased=result.erased,
            kept=[{"kind": k, "rows": n, "reason": why} for k, n, why in result.kept],
        )
    return result


# A person's own page ("Account → My data") -------------------------------------------------

SELF_SERVICE_REASON = "Downloaded by the person themselves (Account → My data)"


@dataclass(frozen=True)
class Held:
    """One line of the "My data" page: what kind of record, how many, how long it is kept."""

    label: str
    rows: int
    days: int | None
    always: bool  # never erased (the audit log)


def summary(person: Person) -> list[Held]:
    """What is held on ``person``, per kind (one count per kind: the page costs the same for
    one record or a thousand)."""
    lines = []
    for kind in kinds():
        rows = kind.rows_of(person).count()
        if rows:
            lines.append(Held(kind.label, rows, kind.period(), kind.erase == KEEP))
    return lines


def export_own_data(user: User, *, request: Any = None) -> tuple[str, str, bytes]:
    """A signed-in person's own data: (file name, content type, content). Only what is tied to
    their account (a typed-in e-mail proves nothing); a zip when they uploaded files. Audited."""
    person = Person.of_user(user, with_contacts=False)
    content, archive = export_person(
        person, actor=user, reason=SELF_SERVICE_REASON, request=request
    )
    if archive is None:
        return "hromada-my-data.json", "application/json", content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("data.json", content)
        with zipfile.ZipFile(io.BytesIO(archive)) as files:
            for name in files.namelist():
                zipped.writestr(f"files/{name}", files.read(name))
    return "hromada-my-data.zip", "application/zip", buffer.getvalue()

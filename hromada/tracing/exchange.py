"""Records in and out: CSV (our documented columns) and PFIF 1.4 XML.

Imports check every row first and write nothing when any row is wrong, naming each bad row
by its line. A good file is written in one transaction, index included, with fast bulk
inserts: a million CSV rows load in about a minute on SQLite.

CSV columns (UTF-8, a header row; only ``family_name`` or ``given_name`` is required):

``source_ref`` the source's own reference · ``given_name`` · ``family_name`` ·
``patronymic`` · ``other_names`` · ``sex`` (female, male, other, or empty) ·
``birth_date`` (YYYY-MM-DD) · ``birth_year`` · ``age`` · ``status`` (missing, alive,
injured, displaced, detained, deceased, unknown) · ``combatant`` (yes/no) ·
``last_seen_place`` · ``last_seen_date`` (YYYY-MM-DD) · ``last_seen_circumstances`` ·
``current_location`` · ``contact`` · ``description`` · ``source`` (hospital_list,
shelter_registry, evacuation_manifest, field_report; default: the import's) ·
``disclosure`` (not_asked, anyone, family, refused) · ``disclosure_to`` · ``expiry_date``.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree as ET  # writing only; parsing uses defusedxml

from defusedxml import ElementTree as SafeET
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.core.services import record_event
from hromada.tracing.models import (
    TEXT_MAX,
    Disclosure,
    ImportJob,
    Note,
    PersonRecord,
    PersonStatus,
    Sex,
    Source,
    default_expiry,
)
from hromada.tracing.names import index
from hromada.tracing.names.translit import script_of

PFIF_NS = "http://zesty.ca/pfif/1.4"
PFIF_DOMAIN = "hromada.example.org"  # our record ids: hromada.example.org/person.<id>
MAX_ERRORS = 100
BATCH = 50_000
BIG_IMPORT = 100_000  # rows from which the postings' indexes are rebuilt, not updated
POSTING_INDEXES = [
    ("tracing_posting_read", "CREATE INDEX tracing_posting_read ON tracing_nameposting "
     "(token_id, birth_year, record_id)"),
    ("tracing_posting_record", "CREATE INDEX tracing_posting_record ON tracing_nameposting "
     "(record_id)"),
    ("tracing_record_status", "CREATE INDEX tracing_record_status ON tracing_personrecord "
     "(status, is_combatant)"),
]  # fmt: skip

COLUMNS = [
    "source_ref", "given_name", "family_name", "patronymic", "other_names", "sex",
    "birth_date", "birth_year", "age", "status", "combatant", "last_seen_place",
    "last_seen_date", "last_seen_circumstances", "current_location", "contact", "description",
    "source", "disclosure", "disclosure_to", "expiry_date",
]  # fmt: skip
LIMITS = {
    "source_ref": 200, "given_name": 100, "family_name": 100, "patronymic": 100,
    "other_names": 300, "last_seen_place": 200, "last_seen_circumstances": TEXT_MAX,
    "current_location": 300, "contact": 300, "description": TEXT_MAX, "disclosure_to": 300,
}  # fmt: skip
IMPORT_SOURCES = [s for s in Source.values if s != Source.INQUIRY]
# Choices' .values is computed on each access: too slow for a million rows.
SEXES = frozenset(Sex.values)
STATUSES = frozenset(PersonStatus.values)
ANSWERS = frozenset(Disclosure.values)
SOURCES = frozenset(IMPORT_SOURCES)
TRUE = {"yes", "y", "true", "1", "так", "да"}
FALSE = {"no", "n", "false", "0", "ні", "нет", ""}


@dataclass
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("Line %(line)d, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Parsed:
    records: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # PFIF notes, by record index
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class ImportRefused(ValidationError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems[:MAX_ERRORS]])


C = {name: i for i, name in enumerate(COLUMNS)}
LIMIT_CHECKS = [(C[name], name, limit) for name, limit in LIMITS.items()]
BOOLEANS = TRUE | FALSE


def _clean_row(
    values: list[str], line: int, default_source: str, out: Parsed, today: datetime.date
) -> None:
    """Check one row (its cells in ``COLUMNS`` order) and keep it, or note its problems.

    Written for speed: a million rows pass through here in about ten seconds."""
    problems: list[Problem] = []
    for i, name, limit in LIMIT_CHECKS:
        if len(values[i]) > limit:
            problems.append(Problem(line, name, _("At most %(n)s characters.") % {"n": limit}))
    (source_ref, given, family, patronymic, other, sex, birth_date_text, birth_year_text,
     age_text, status, combatant, place, seen_text, circumstances, location, contact,
     description, source, disclosure, disclosure_to, expiry_text) = values  # fmt: skip
    if not (family or given):
        problems.append(
            Problem(line, "family_name", _("Give at least a family name or a given name."))
        )
    sex = sex.lower()
    if sex not in SEXES:
        problems.append(Problem(line, "sex", _("Use female, male, other or leave it empty.")))
    status = status.lower() or PersonStatus.UNKNOWN
    if status not in STATUSES:
        problems.append(
            Problem(line, "status", _("Unknown status: %(value)s") % {"value": values[C["status"]]})
        )
    combatant = combatant.lower()
    if combatant not in BOOLEANS:
        problems.append(Problem(line, "combatant", _("Use yes or no.")))
    source = source.lower() or default_source
    if source not in SOURCES:
        problems.append(
            Problem(line, "source", _("Unknown source: %(value)s") % {"value": values[C["source"]]})
        )
    disclosure = disclosure.lower() or Disclosure.NOT_ASKED
    if disclosure not in ANSWERS:
        problems.append(
            Problem(line, "disclosure", _("Unknown answer: %(value)s") % {"value": disclosure})
        )
    dates: list[datetime.date | None] = []
    for name, text in (("birth_date", birth_date_text), ("last_seen_date", seen_text),
                       ("expiry_date", expiry_text)):  # fmt: skip
        if not text:
            dates.append(None)
            continue
        try:
            dates.append(datetime.date.fromisoformat(text))
        except ValueError:
            dates.append(None)
            problems.append(Problem(line, name, _("Enter a date as YYYY-MM-DD.")))
    birth_date, last_seen_at, expiry_date = dates
    numbers: list[int | None] = []
    for name, text, low, high in (("birth_year", birth_year_text, 1900, today.year),
                                  ("age", age_text, 0, 120)):  # fmt: skip
        if not text:
            numbers.append(None)
            continue
        try:
            number = int(text)
        except ValueError:
            numbers.append(None)
            problems.append(Problem(line, name, _("Enter a whole number.")))
            continue
        numbers.append(number)
        if not low <= number <= high:
            problems.append(
                Problem(
                    line,
                    name,
                    _("Must be between %(low)s and %(high)s.") % {"low": low, "high": high},
                )
            )
    birth_year, age = numbers
    if birth_date and birth_date > today:
        problems.append(Problem(line, "birth_date", _("This date is in the future.")))
    if problems:
        out.problems.extend(problems)
        return
    out.records.append(
        {
            "source_ref": source_ref,
            "given_name": " ".join(given.split()),
            "family_name": " ".join(family.split()),
            "patronymic": " ".join(patronymic.split()),
            "other_names": other,
            "sex": sex,
            "birth_date": birth_date,
            "birth_year": birth_year or (birth_date.year if birth_date else None),
            "age_estimate": age,
            "status": status,
            "is_combatant": combatant in TRUE,
            "last_seen_place": place,
            "last_seen_at": last_seen_at,
            "last_seen_circumstances": circumstances,
            "current_location": location,
            "contact": contact,
            "description": description,
            "source": source,
            "disclosure": disclosure,
            "disclosure_to": disclosure_to,
            "expiry_date": expiry_date,
        }
    )


def parse_csv(
    stream: IO[str], *, source: str = Source.FIELD, progress: Callable[[int], None] | None = None
) -> Parsed:
    """Read and check every row; ``progress`` is told the rows read so far."""
    out = Parsed()
    reader = csv.reader(stream)
    try:
        header = [h.strip() for h in next(reader, [])]
    except (csv.Error, UnicodeDecodeError) as error:
        out.problems.append(
            Problem(1, "-", _("The file cannot be read as CSV: %(e)s") % {"e": error})
        )
        return out
    if not header:
        out.problems.append(Problem(1, "-", _("The file is empty.")))
        return out
    unknown = [h for h in header if h not in C]
    if unknown:
        out.problems.append(
            Problem(
                1, ", ".join(unknown), _("Unknown columns. The columns are listed on the page.")
            )
        )
        return out
    if "family_name" not in header and "given_name" not in header:
        out.problems.append(Problem(1, "-", _("A family_name or given_name column is needed.")))
        return out
    width = len(header)
    where = [header.index(name) if name in header else None for name in COLUMNS]
    today = timezone.localdate()
    n = 0
    try:
        for cells in reader:
            n += 1
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue  # a blank line
                out.problems.append(
                    Problem(reader.line_num, "-", _("This row has %(n)d cells; the header has "
                                                    "%(w)d.") % {"n": len(cells), "w": width})
                )  # fmt: skip
            else:
                values = [cells[i].strip() if i is not None else "" for i in where]
                _clean_row(values, reader.line_num, source, out, today)
            if len(out.problems) >= MAX_ERRORS:
                break
            if progress and n % 10_000 == 0:
                progress(n)
    except (csv.Error, UnicodeDecodeError) as error:
        out.problems.append(
            Problem(reader.line_num, "-", _("The file cannot be read as CSV: %(e)s") % {"e": error})
        )
    return out


# PFIF 1.4 ---------------------------------------------------------------------------------

NOTE_STATUS_TO_RECORD = {
    "information_sought": PersonStatus.MISSING,
    "believed_missing": PersonStatus.MISSING,
    "is_note_author": PersonStatus.ALIVE,
    "believed_alive": PersonStatus.ALIVE,
    "believed_dead": PersonStatus.DECEASED,
}
RECORD_STATUS_TO_NOTE = {
    PersonStatus.MISSING: "believed_missing",
    PersonStatus.ALIVE: "believed_alive",
    PersonStatus.INJURED: "believed_alive",
    PersonStatus.DISPLACED: "believed_alive",
    PersonStatus.DETAINED: "believed_alive",
    PersonStatus.DECEASED: "believed_dead",
}


def _text(element: Any, name: str) -> str:
    child = element.find(f"{{{PFIF_NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _pfif_time(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _pfif_birth(value: str) -> tuple[datetime.date | None, int | None]:
    """PFIF's date_of_birth is YYYY, YYYY-MM or YYYY-MM-DD."""
    parts = value.split("-")
    try:
        if len(parts) == 3:
            date = datetime.date.fromisoformat(value)
            return date, date.year
        if parts and parts[0]:
            return None, int(parts[0])
    except ValueError:
        pass
    return None, None


def _pfif_age(value: str) -> int | None:
    """An age or a range ("35-45"): the middle."""
    try:
        bounds = [int(p) for p in value.split("-") if p.strip()]
    except ValueError:
        return None
    return sum(bounds) // len(bounds) if bounds else None


def parse_pfif(data: bytes) -> Parsed:
    """Persons and their notes from a PFIF 1.4 document. Entities and DTDs are refused."""
    out = Parsed()
    try:
        root = SafeET.fromstring(data)
    except Exception as error:  # defusedxml raises several kinds for hostile documents
        out.problems.append(Problem(1, "-", _("Not a readable XML file: %(e)s") % {"e": error}))
        return out
    if root.tag != f"{{{PFIF_NS}}}pfif":
        out.problems.append(Problem(1, "-", _("Not a PFIF 1.4 document.")))
        return out
    for n, person in enumerate(root.findall(f"{{{PFIF_NS}}}person"), start=1):
        record_id = _text(person, "person_record_id")
        if not record_id:
            out.problems.append(Problem(n, "person_record_id", _("Every person needs an id.")))
            continue
        given, family = _text(person, "given_name"), _text(person, "family_name")
        if not (given or family):
            full = _text(person, "full_name").splitlines()
            parts = full[0].split() if full else []
            given, family = " ".join(parts[:-1]), (parts[-1] if parts else "")
        if not (given or family):
            out.problems.append(Problem(n, "full_name", _("A person needs a name.")))
            continue
        birth_date, birth_year = _pfif_birth(_text(person, "date_of_birth"))
        sex = _text(person, "sex")
        expiry = _pfif_time(_text(person, "expiry_date"))
        alternates = [*_text(person, "alternate_names").splitlines()]
        alternates += _text(person, "full_name").splitlines()
        home = ", ".join(p for p in (_text(person, "home_city"), _text(person, "home_state")) if p)
        record = {
            "pfif_record_id": record_id[:500],
            "source_ref": record_id[:200],
            "given_name": given[:100],
            "family_name": family[:100],
            "patronymic": "",
            "other_names": ", ".join(a.strip() for a in alternates if a.strip())[:300],
            "sex": sex if sex in Sex.values else "",
            "birth_date": birth_date,
            "birth_year": birth_year,
            "age_estimate": _pfif_age(_text(person, "age")),
            "status": PersonStatus.UNKNOWN,
            "is_combatant": False,
            "last_seen_place": home[:200],
            "last_seen_at": None,
            "last_seen_circumstances": "",
            "current_location": "",
            "contact": "",
            "description": _text(person, "description")[:TEXT_MAX],
            "source": Source.PFIF,
            "disclosure": Disclosure.NOT_ASKED,
            "disclosure_to": "",
            "expiry_date": expiry.date() if expiry else None,
        }
        latest: tuple[datetime.datetime, str] | None = None
        for note in person.findall(f"{{{PFIF_NS}}}note"):
            status = _text(note, "status")
            if status and status not in NOTE_STATUS_TO_RECORD:
                out.problems.append(
                    Problem(n, "status", _("Unknown note status: %(value)s") % {"value": status})
                )
                continue
            written = _pfif_time(_text(note, "source_date")) or _pfif_time(
                _text(note, "entry_date")
            )
            made_contact = _text(note, "author_made_contact")
            out.notes.append(
                {
                    "record": len(out.records),
                    "pfif_note_id": _text(note, "note_record_id")[:500] or None,
                    "status": status,
                    "author_name": _text(note, "author_name")[:200],
                    "author_made_contact": {"true": True, "false": False}.get(made_contact),
                    "last_known_location": _text(note, "last_known_location")[:300],
                    "linked_record_id": _text(note, "linked_person_record_id")[:500],
                    "text": _text(note, "text")[:TEXT_MAX],
                    "source_date": written,
                }
            )
            if status and written and (latest is None or written >= latest[0]):
                latest = (written, status)
        if latest:
            record["status"] = NOTE_STATUS_TO_RECORD[latest[1]]
        out.records.append(record)
    if not out.records and not out.problems:
        out.problems.append(Problem(1, "-", _("The document holds no person.")))
    return out


# Writing ----------------------------------------------------------------------------------

RECORD_COLUMNS = [
    "given_name", "family_name", "patronymic", "other_names", "name_script", "sex",
    "birth_date", "birth_year", "age_estimate", "status", "is_combatant", "last_seen_place",
    "last_seen_at", "last_seen_circumstances", "current_location", "description", "photo",
    "source", "source_ref", "contact", "disclosure", "disclosure_to", "expiry_date",
    "hold_reason", "pfif_record_id", "created_by_id", "created_at", "updated_at",
]  # fmt: skip
T_RECORD = PersonRecord._meta.db_table


def _reserve_ids(n: int) -> list[int]:
    """Ids for ``n`` new records, taken so that no concurrent insert can take them too."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [T_RECORD, n],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock from its start (IMMEDIATE mode).
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {T_RECORD}")  # noqa: S608
        start = int(cursor.fetchone()[0])
        return list(range(start + 1, start + n + 1))


def write_records(
    records: list[dict[str, Any]],
    *,
    actor: Any,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert checked records and file them in the name index. Call inside a transaction."""
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    stamp = connection.ops.adapt_datetimefield_value(now) if sqlite else now
    expiry = default_expiry()
    author = actor.pk if getattr(actor, "is_authenticated", False) else None
    ids = _reserve_ids(len(records))
    columns = ["id", *RECORD_COLUMNS]
    sql = (
        f"INSERT INTO {T_RECORD} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    )

    def day(value: datetime.date | None) -> Any:
        return value.isoformat() if sqlite and value is not None else value

    done = 0
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        batch_ids = ids[start : start + BATCH]
        values = []
        to_index = []
        for rid, r in zip(batch_ids, batch, strict=True):
            birth_year = r["birth_year"]
            if birth_year is None and r["age_estimate"] is not None:
                birth_year_for_index = now.year - r["age_estimate"]
            else:
                birth_year_for_index = birth_year
            script = script_of(r["given_name"], r["family_name"], r["patronymic"], r["other_names"])
            values.append(
                (
                    rid, r["given_name"], r["family_name"], r["patronymic"], r["other_names"],
                    script, r["sex"], day(r["birth_date"]), birth_year,
                    r["age_estimate"], r["status"], r["is_combatant"], r["last_seen_place"],
                    day(r["last_seen_at"]), r["last_seen_circumstances"], r["current_location"],
                    r["description"], "", r["source"], r["source_ref"], r["contact"],
                    r["disclosure"], r["disclosure_to"], day(r["expiry_date"] or expiry), "",
                    r.get("pfif_record_id"), author, stamp, stamp,
                )
            )  # fmt: skip
            to_index.append(
                (
                    rid,
                    r["given_name"],
                    r["family_name"],
                    r["patronymic"],
                    r["other_names"],
                    birth_year_for_index,
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)
        index.index_records(to_index)
        done += len(batch)
        if progress:
            progress(done)
    return ids


def _write_notes(notes: list[dict[str, Any]], ids: list[int]) -> None:
    Note.objects.bulk_create(
        [Note(record_id=ids[n.pop("record")], **n) for n in notes], batch_size=2000
    )


def _existing_pfif(records: list[dict[str, Any]]) -> set[str]:
    wanted = [r["pfif_record_id"] for r in records if r.get("pfif_record_id")]
    found: set[str] = set()
    for i in range(0, len(wanted), 900):
        chunk = PersonRecord.objects.filter(pfif_record_id__in=wanted[i : i + 900])
        found.update(p for p in chunk.values_list("pfif_record_id", flat=True) if p)
    return found


@dataclass
class ImportResult:
    created: int
    skipped: int  # PFIF persons we already hold


def import_parsed(parsed: Parsed, *, actor: Any, progress: Callable[[int], None] | None = None,
                  filename: str = "") -> ImportResult:  # fmt: skip
    """Write a checked file in one transaction, or refuse it whole."""
    if not parsed.ok:
        raise ImportRefused(parsed.problems)
    if connection.vendor == "sqlite" and len(parsed.records) > BATCH:
        # A big import rewrites large parts of the tables: let SQLite keep them in memory
        # (up to 1 GB for this connection) instead of spilling and re-reading pages, and
        # sort for the index rebuild in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1048576")
            cursor.execute("PRAGMA temp_store = MEMORY")
    with transaction.atomic():
        known = _existing_pfif(parsed.records)
        keep = [i for i, r in enumerate(parsed.records) if r.get("pfif_record_id") not in known]
        records = [parsed.records[i] for i in keep]
        position = {old: new for new, old in enumerate(keep)}
        notes = [
            {**n, "record": position[n["record"]]} for n in parsed.notes if n["record"] in position
        ]
        rebuild = connection.vendor == "sqlite" and len(records) >= BIG_IMPORT
        if rebuild:
            # Building the postings' indexes once, sorted, is several times faster than
            # updating them row by row. On SQLite the DDL is part of this transaction, so
            # searches elsewhere keep the old indexes until it commits.
            with connection.cursor() as cursor:
                for name, _sql in POSTING_INDEXES:
                    cursor.execute(f"DROP INDEX {name}")
        ids = write_records(records, actor=actor, progress=progress)
        if rebuild:
            with connection.cursor() as cursor:
                for _name, sql in POSTING_INDEXES:
                    cursor.execute(sql)
        if notes:
            note_ids = {n["pfif_note_id"] for n in notes if n["pfif_note_id"]}
            existing = set(
                Note.objects.filter(pfif_note_id__in=note_ids).values_list(
                    "pfif_note_id", flat=True
                )
            )
            _write_notes([n for n in notes if n["pfif_note_id"] not in existing], ids)
        record_event(
            "tracing.imported",
            actor=actor,
            file=filename,
            created=len(records),
            skipped=len(parsed.records) - len(records),
        )
    return ImportResult(created=len(records), skipped=len(parsed.records) - len(records))


def import_file(
    path_or_stream: Any, *, fmt: str, actor: Any = None, source: str = Source.FIELD,
    filename: str = "", progress: Callable[[str, int], None] | None = None,
) -> ImportResult:  # fmt: skip
    """Import a CSV or PFIF file (a path or a binary stream)."""
    opened = isinstance(path_or_stream, (str, bytes)) or hasattr(path_or_stream, "__fspath__")
    stream: IO[bytes] = open(path_or_stream, "rb") if opened else path_or_stream  # noqa: SIM115
    try:
        if fmt == "pfif":
            parsed = parse_pfif(stream.read())
        else:
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            parsed = parse_csv(
                text,
                source=source,
                progress=(lambda n: progress("reading", n)) if progress else None,
            )
            text.detach()
    finally:
        if opened:
            stream.close()
    return import_parsed(
        parsed,
        actor=actor,
        filename=filename,
        progress=(lambda n: progress("writing", n)) if progress else None,
    )


def count_rows(stream: IO[bytes]) -> int:
    return max(sum(1 for _ in stream) - 1, 0)


PROGRESS_KEY = "tracing:import:{}"


def run_import_job(job_id: int) -> str:
    """Run one import job; its progress goes to the cache, where the page reads it (the
    import's own transaction is invisible to other connections until it commits)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return "already started"
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with job.file.open("rb") as f:
        total = count_rows(f) if job.format == "csv" else 0
    ImportJob.objects.filter(pk=job.pk).update(total=total)

    def progress(phase: str, n: int) -> None:
        cache.set(PROGRESS_KEY.format(job.pk), {"phase": phase, "done": n, "total": total}, 3600)

    try:
        with job.file.open("rb") as f:
            result = import_file(
                f,
                fmt=job.format,
                actor=job.created_by,
                source=job.source or Source.FIELD,
                filename=job.filename,
                progress=progress,
            )
    except ImportRefused as refused:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            errors=[str(p) for p in refused.problems[:MAX_ERRORS]],
            finished_at=timezone.now(),
        )
        job.file.delete(save=False)
        return "refused"
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        created=result.created,
        done=total,
        finished_at=timezone.now(),
    )
    job.file.delete(save=False)  # the records are in the database now; no second copy
    cache.delete(PROGRESS_KEY.format(job.pk))
    return "done"


def job_progress(job: ImportJob) -> dict[str, Any]:
    live = cache.get(PROGRESS_KEY.format(job.pk)) or {}
    total = job.total or live.get("total") or 0
    done = live.get("done", 0)
    phase = live.get("phase", "")
    # Reading is the first half of the work, writing the second.
    percent = 0
    if total:
        percent = int(50 * done / total) if phase == "reading" else 50 + int(50 * done / total)
    if job.status == ImportJob.Status.DONE:
        percent = 100
    return {"phase": phase, "done": done, "total": total, "percent": min(percent, 100)}


# Exports ----------------------------------------------------------------------------------


def pfif_id(record: PersonRecord) -> str:
    return record.pfif_record_id or f"{PFIF_DOMAIN}/person.{record.pk}"


def shareable_records() -> Any:
    """Records that may go to another tracing service: not combatants (they go by transfer),
    not people who refused, not the inquiries' own records (the inquirer's details)."""
    return (
        PersonRecord.objects.filter(is_combatant=False)
        .exclude(disclosure=Disclosure.REFUSED)
        .exclude(source=Source.INQUIRY)
        .order_by("pk")
    )


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pfif_document(records: Iterable[PersonRecord], *, full: bool = False) -> bytes:
    """PFIF 1.4 XML. ``full`` (a transfer to a bureau) adds circumstances and whereabouts;
    otherwise nothing that locates the person leaves."""
    ET.register_namespace("pfif", PFIF_NS)
    root = ET.Element(f"{{{PFIF_NS}}}pfif")
    now = _iso(timezone.now())

    def add(parent: ET.Element, name: str, value: Any) -> None:
        if value not in (None, ""):
            ET.SubElement(parent, f"{{{PFIF_NS}}}{name}").text = str(value)

    for r in records:
        person = ET.SubElement(root, f"{{{PFIF_NS}}}person")
        add(person, "person_record_id", pfif_id(r))
        add(person, "entry_date", now)
        if r.expiry_date:
            add(person, "expiry_date", f"{r.expiry_date.isoformat()}T00:00:00Z")
        add(person, "source_name", "Hromada")
        add(person, "source_date", _iso(r.created_at))
        add(person, "full_name", r.full_name)
        add(person, "given_name", r.given_name)
        add(person, "family_name", r.family_name)
        add(person, "alternate_names", "\n".join(p for p in (r.patronymic, r.other_names) if p))
        add(person, "sex", r.sex)
        if r.birth_date:
            add(person, "date_of_birth", r.birth_date.isoformat())
        elif r.birth_year:
            add(person, "date_of_birth", str(r.birth_year))
        add(person, "age", r.age_estimate)
        add(person, "home_city", r.last_seen_place)
        if full:
            add(person, "description", r.description)
        note = ET.SubElement(person, f"{{{PFIF_NS}}}note")
        add(note, "note_record_id", f"{PFIF_DOMAIN}/note.{r.pk}.status")
        add(note, "person_record_id", pfif_id(r))
        add(note, "entry_date", now)
        add(note, "author_name", "Hromada")
        add(note, "source_date", _iso(r.updated_at))
        add(note, "status", RECORD_STATUS_TO_NOTE.get(PersonStatus(r.status), ""))
        add(note, "author_made_contact", "false")
        text = r.get_status_display()
        if full and r.last_seen_circumstances:
            text += "\n" + r.last_seen_circumstances
        add(note, "text", text)
        if full:
            add(note, "last_known_location", r.current_location)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def csv_rows(records: Iterable[PersonRecord], *, full: bool) -> Iterator[list[Any]]:
    hidden = set() if full else {"current_location", "contact", "last_seen_circumstances"}
    for r in records:
        values = {
            "source_ref": r.source_ref or f"hromada-{r.pk}",
            "given_name": r.given_name,
            "family_name": r.family_name,
            "patronymic": r.patronymic,
            "other_names": r.other_names,
            "sex": r.sex,
            "birth_date": r.birth_date.isoformat() if r.birth_date else "",
            "birth_year": r.birth_year or "",
            "age": r.age_estimate if r.age_estimate is not None else "",
            "status": r.status,
            "combatant": "yes" if r.is_combatant else "no",
            "last_seen_place": r.last_seen_place,
            "last_seen_date": r.last_seen_at.isoformat() if r.last_seen_at else "",
            "last_seen_circumstances": r.last_seen_circumstances,
            "current_location": r.current_location,
            "contact": r.contact,
            "description": r.description,
            "source": r.source,
            "disclosure": r.disclosure,
            "disclosure_to": r.disclosure_to,
            "expiry_date": r.expiry_date.isoformat() if r.expiry_date else "",
        }
        yield ["" if k in hidden else values[k] for k in COLUMNS]


def csv_document(records: Iterable[PersonRecord], *, full: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in csv_rows(records, full=full):
        # A cell starting with = + - @ is a formula to a spreadsheet: never let a name be one.
        writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]
        )
    return buffer.getvalue().encode("utf-8")

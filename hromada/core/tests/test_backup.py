"""`hromada backup` and `hromada restore` on the test database (SQLite or PostgreSQL).

The round trips restore into pytest's own test database, so they are transactional tests
(real commits, seen by the separate connection of SQLite's backup API or of pg_dump) with
serialized_rollback: the migrations' seeded rows come back for the tests after them.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import sys
import tarfile
import threading
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import override_settings

from hromada.aid import imports as aid_imports
from hromada.core import backup
from hromada.core.models import Area, AuditEvent, Organization, Place
from hromada.core.tests.factories import make_area, make_organization
from hromada.reports.tests.factories import make_media, picture

ROUND_TRIP = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def stores(tmp_path):
    """Uploads on disk in a folder of the test's own (the suite keeps them in memory)."""
    var = tmp_path / "var"
    media = var / "media"

    def on_disk(location: Path) -> dict[str, Any]:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        }

    with override_settings(
        VAR_DIR=var,
        MEDIA_ROOT=media,
        STORAGES={
            "default": on_disk(media),
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "aid_imports": on_disk(var / "imports" / "aid"),
            "funds_imports": on_disk(var / "imports" / "funds"),
        },
    ):
        var.mkdir()
        yield var


def run(*args: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def take_backup(folder: Path) -> Path:
    output = run("backup", "--output", str(folder))
    assert "Backup written" in output, output
    (path,) = folder.glob("hromada-backup-*.tar.gz")
    return path


def table_digests() -> dict[str, str]:
    """A SHA-256 of every table's rows (in a stable order), by table."""

    def plain(value: Any) -> Any:
        return bytes(value) if isinstance(value, memoryview) else value

    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(tuple(plain(v) for v in row)) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def file_digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def rewrite(archive: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, data) -> data | None`` applied to each member
    (None drops it); ``change`` may return extra members under the key ``"+"``."""
    members: dict[str, bytes] = {}
    with tarfile.open(archive) as tar:
        for member in tar:
            source = tar.extractfile(member)
            if source is not None:
                members[member.name] = source.read()
    out: dict[str, bytes] = {}
    for name, data in members.items():
        changed = change(name, data)
        if changed is not None:
            out[name] = changed
    out.update(change("+", b"") or {})
    copy = archive.with_name("altered.tar.gz")
    with tarfile.open(copy, "w:gz") as tar:
        for name, data in out.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return copy


def with_manifest(archive: Path, edit) -> Path:
    def change(name: str, data: bytes):
        if name == "+":
            return None
        if name == backup.MANIFEST:
            manifest = json.loads(data)
            edit(manifest)
            return json.dumps(manifest).encode()
        return data

    return rewrite(archive, change)


@ROUND_TRIP
def test_a_restore_brings_back_every_row_and_file_the_backup_held(community, stores, tmp_path):
    media = make_media(community.analyst, content=picture(1))
    aid_imports.STORE.save(community.coordinator, b"item,quantity\nbread,10\n", {"name": "x.csv"})
    rows_before = table_digests()
    counts_before = backup.count_rows(connection.introspection.table_names())
    files_before = file_digests(stores)
    assert media.file.name in file_digests(stores / "media")
    audit_before = AuditEvent.objects.count()

    archive = take_backup(tmp_path / "backups")

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert AuditEvent.objects.filter(action="backup.created").count() == 1
    with backup.open_archive(archive) as opened:
        manifest = opened.manifest
        dump = opened.dump.read_bytes()
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["hromada_version"] == backup.version()
    assert "0001_initial" in manifest["migrations"]["core"]
    assert manifest["tables"] == counts_before
    assert manifest["tables"]["reports_mediaitem"] == 1
    assert manifest["roots"] == ["media", "private", "storage-aid_imports", "storage-funds_imports"]
    assert {name for name in manifest["files"] if name.startswith("files/")} == {
        *(f"files/media/{name}" for name in file_digests(stores / "media")),
        *(f"files/storage-aid_imports/{name}" for name in file_digests(stores / "imports/aid")),
    }
    database = manifest["files"][manifest["database"]["file"]]
    assert database["sha256"] == hashlib.sha256(dump).hexdigest()
    # Everything changes after the backup: rows deleted, edited and added, files gone and new.
    Place.objects.filter(pk=community.shelter.pk).delete()
    Organization.objects.filter(pk=community.other.pk).update(name="Перейменована")
    make_organization(name="Нова після копії")
    default_storage.delete(media.file.name)
    default_storage.save("stray/after.txt", io.BytesIO(b"not in the backup"))
    assert table_digests() != rows_before

    output = run("restore", str(archive), "--yes")

    assert "every row count matches the manifest" in output
    restored = table_digests()
    audit = "core_auditevent"
    assert {t: d for t, d in restored.items() if t != audit} == {
        t: d for t, d in rows_before.items() if t != audit
    }
    # The backup's own event came after its snapshot; the restore adds one.
    assert AuditEvent.objects.count() == audit_before + 1
    assert AuditEvent.objects.latest("at").action == "backup.restored"
    assert file_digests(stores) == files_before
    assert Place.objects.filter(pk=community.shelter.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("a file changed", "checksum differs: files/media/"),
        ("a file added", "not in the manifest: files/media/planted.html"),
        ("the database removed", "missing: database."),
    ],
)
def test_an_altered_archive_is_refused_before_anything_changes(
    community, stores, tmp_path, how, message
):
    make_media(community.analyst, content=picture(3))
    archive = take_backup(tmp_path / "backups")

    def change(name: str, data: bytes):
        if name == "+":
            return {"files/media/planted.html": b"<script>"} if how == "a file added" else None
        if how == "a file changed" and name.startswith("files/media/"):
            return data + b"\0"
        if how == "the database removed" and name.startswith("database."):
            return None
        return data

    altered = rewrite(archive, change)
    make_organization(name="Після копії")

    with pytest.raises(CommandError, match="does not match its manifest") as refused:
        run("restore", str(altered), "--yes")

    assert message in str(refused.value)
    assert Organization.objects.filter(name="Після копії").exists()


@pytest.mark.django_db
def test_an_archive_from_another_database_vendor_is_refused(community, stores, tmp_path):
    archive = take_backup(tmp_path / "backups")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def edit(manifest):
        manifest["database"]["vendor"] = other

    with pytest.raises(CommandError, match=f"holds a {other} database"):
        run("restore", str(with_manifest(archive, edit)), "--yes")


@pytest.mark.django_db
def test_an_archive_with_migrations_this_code_does_not_know_is_refused(stores, tmp_path):
    archive = take_backup(tmp_path / "backups")

    def edit(manifest):
        manifest["migrations"]["aid"].append("0999_from_a_newer_hromada")

    with pytest.raises(CommandError, match=r"does not know the migrations aid\.0999"):
        run("restore", str(with_manifest(archive, edit)), "--yes")


@pytest.mark.django_db
def test_restore_asks_first_and_a_no_changes_nothing(stores, tmp_path, monkeypatch):
    archive = take_backup(tmp_path / "backups")
    make_organization(name="Після копії")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    with pytest.raises(CommandError, match="Not confirmed"):
        run("restore", str(archive))
    assert Organization.objects.filter(name="Після копії").exists()


@ROUND_TRIP
def test_a_backup_taken_while_another_thread_writes_is_consistent(stores, tmp_path):
    """Each write adds an organisation and an area in one transaction, with a pause between:
    a copy taken mid-transaction, or counts taken apart from the dump, would break the pair."""
    orgs, areas = Organization.objects.count(), Area.objects.count()
    written = [0]
    stop = threading.Event()

    def write() -> None:
        try:
            while not stop.is_set():
                with transaction.atomic():
                    make_organization()
                    time.sleep(0.002)
                    make_area()
                written[0] += 1
        finally:
            connections.close_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 5:
            time.sleep(0.01)
        before = written[0]
        archive = take_backup(tmp_path / "backups")
        during = written[0] - before
        time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert during > 0, "the writer was not writing while the backup ran"
    with backup.open_archive(archive) as opened:
        tables = opened.manifest["tables"]
    in_copy = tables["core_organization"] - orgs
    assert in_copy == tables["core_area"] - areas
    assert 5 <= in_copy < written[0]

    output = run("restore", str(archive), "--yes")

    assert "every row count matches the manifest" in output
    assert Organization.objects.count() - orgs == Area.objects.count() - areas == in_copy


@pytest.mark.django_db
def test_prune_keeps_the_newest_archives(stores, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20250101T000000Z", "20250102T000000Z", "20250103T000000Z"):
        (folder / f"hromada-backup-{stamp}.tar.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("not an archive")

    output = run("backup", "--output", str(folder), "--prune", "2")

    assert "2 older archives removed" in output
    kept = sorted(p.name for p in folder.iterdir())
    assert kept[0] == "hromada-backup-20250103T000000Z.tar.gz"
    assert kept[1].startswith("hromada-backup-2") and kept[1] > kept[0]
    assert kept[2] == "notes.txt"
    assert len(kept) == 3


@pytest.mark.django_db
def test_by_default_the_archive_goes_to_var_backups_readable_by_its_owner_only(stores):
    output = run("backup")

    (archive,) = (stores / "backups").glob("hromada-backup-*Z.tar.gz")
    assert str(archive) in output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_a_backup_never_overwrites_a_file(stores, tmp_path):
    taken = tmp_path / "exists.tar.gz"
    taken.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="never overwrites"):
        run("backup", "--output", str(taken))
    assert taken.read_bytes() == b"keep me"


def test_without_pg_dump_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(backup.BackupError, match="pg_dump is not installed"):
        backup._tool("pg_dump")


def test_the_database_password_goes_to_pg_dump_in_its_environment_only():
    env = backup._pg_env(
        {
            "NAME": "hromada",
            "HOST": "db.internal",
            "PORT": 5432,
            "USER": "hromada",
            "PASSWORD": "s3cret",
            "OPTIONS": {"sslmode": "verify-full"},
        }
    )
    assert env["PGPASSWORD"] == "s3cret"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.internal", "5432", "hromada")
    assert env["PGSSLMODE"] == "verify-full"

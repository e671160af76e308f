"""Backups: the database and the private uploads in one archive, with a manifest to check it.

An archive is a gzipped tar holding

- ``database.sqlite3`` (SQLite's online backup of the live database: a consistent copy taken
  while web processes keep writing) or ``database.pgdump`` (``pg_dump --format=custom`` of a
  snapshot exported by the transaction that counted the rows, so counts and dump agree);
- ``files/<root>/...``: every file under the filesystem stores (``media`` = MEDIA_ROOT, the
  receipts, documents and photos; ``private`` = var/private, imports waiting for their commit;
  ``storage-<alias>`` for any other filesystem store in STORAGES);
- ``manifest.json`` (last): Hromada's version, the database vendor, the migrations applied per
  app, the row count of every table and a SHA-256 of every other member.

A restore reads the whole archive into a private folder and checks every checksum before it
touches anything; it refuses another database vendor and migrations this code does not know.
The archive holds personal data: it is written with mode 0600 under a 0700 folder.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
PREFIX = "hromada-backup-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
# Environment variables libpq reads for the connection options a DATABASE_URL may carry.
LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """Something an operator must fix; the message says what, and nothing was changed."""


@dataclass
class Backup:
    path: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(self.manifest["tables"].values())

    @property
    def files(self) -> int:
        return sum(1 for name in self.manifest["files"] if name.startswith("files/"))


@dataclass
class Restored:
    manifest: dict[str, Any]
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    pending_migrations: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def version() -> str:
    try:
        return importlib.metadata.version("hromada")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# -- where the files are -----------------------------------------------------------------------


def file_roots() -> tuple[dict[str, Path], list[str]]:
    """The folders a backup holds, by label, and the stores it cannot hold (not on disk)."""
    roots: dict[str, Path] = {}
    elsewhere: list[str] = []
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue  # built from the code by collectstatic, not data
        store = storages[alias]
        if not isinstance(store, FileSystemStorage):
            elsewhere.append(alias)
            continue
        label = "media" if alias == "default" else f"storage-{alias}"
        roots[label] = Path(store.location).resolve()
    # PrivateUploads keeps its files under var/private/ unless STORAGES names a store for them.
    roots["private"] = (Path(settings.VAR_DIR) / "private").resolve()
    kept: dict[str, Path] = {}
    for label, path in sorted(roots.items(), key=lambda item: len(item[1].parts)):
        if not any(path.is_relative_to(other) for other in kept.values()):
            kept[label] = path
    return kept, elsewhere


def _files_under(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, name relative to root) of every regular file, in a stable order; links skipped."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


# -- taking a backup ---------------------------------------------------------------------------


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _target(output: Path | None) -> Path:
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    if output is None or output.is_dir() or not output.name.endswith(SUFFIX):
        folder = _private_dir(output or default_directory())
        path = folder / f"{PREFIX}{stamp}{SUFFIX}"
        n = 1
        while path.exists():  # two backups in one second
            n += 1
            path = folder / f"{PREFIX}{stamp}-{n}{SUFFIX}"
        return path
    if output.exists():
        raise BackupError(f"{output} exists; a backup never overwrites a file.")
    _private_dir(output.parent)
    return output


class _Hashing(io.RawIOBase):
    """Reads from a file and hashes what was read (the bytes that went into the archive)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.sha.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict[str, Any]:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as f:
        reader = _Hashing(f)
        tar.addfile(info, reader)
    return {"sha256": reader.sha.hexdigest(), "size": info.size}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_snapshot(source: str, target: Path) -> dict[str, Any]:
    """Copy the live database with SQLite's online backup API, then read the copy."""
    src = sqlite3.connect(
        source, timeout=settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 20)
    )
    dst = sqlite3.connect(target)
    try:
        # One step (pages=-1): the copy is the database at one instant, whatever else writes.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("SQLite reports the copy as damaged; the database needs repair.")
        tables = [
            row[0]
            for row in dst.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            table: dst.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608 -- names from sqlite_master
            for table in tables
        }
        applied = dst.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = _by_app(applied.fetchall())
    finally:
        dst.close()
        src.close()
    return {"tables": counts, "migrations": migrations}


def _by_app(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    migrations: dict[str, list[str]] = {}
    for app, name in rows:
        migrations.setdefault(app, []).append(name)
    return migrations


def _pg_env(params: dict[str, Any]) -> dict[str, str]:
    """The connection for pg_dump and pg_restore: environment only, never the command line."""
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[var] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    for key, var in LIBPQ_ENV.items():
        value = params.get("OPTIONS", {}).get(key)
        if value not in (None, ""):
            env[var] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools of the server's major "
            f"version or newer (Debian: apt install postgresql-client)."
        )
    return path


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- fixed tool, arguments from settings
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def _pg_snapshot(alias: str, target: Path) -> dict[str, Any]:
    """pg_dump of the snapshot in which the rows were counted."""
    pg_dump = _tool("pg_dump")
    params = connections[alias].settings_dict
    conn = connections.create_connection(alias)
    try:
        conn.ensure_connection()
        with conn.connection.cursor() as cursor:  # type: ignore[union-attr]
            # The transaction stays open while pg_dump reads the snapshot it exported.
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
            counts = {}
            for (table,) in cursor.fetchall():
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 -- names from pg_tables
                counts[table] = cursor.fetchone()[0]
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = _by_app(cursor.fetchall())
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={params['NAME']}",
                ],
                _pg_env(params),
            )
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return {"tables": counts, "migrations": migrations, "server_version": server}


def _write_archive(
    partial: Path, dump: Path, roots: dict[str, Path], manifest: dict[str, Any]
) -> None:
    """The dump, then the files, then the manifest with the checksum of each (mode 0600)."""
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    hashes: dict[str, Any] = {}
    with os.fdopen(fd, "wb") as raw:
        with (
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as gz,
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            hashes[dump.name] = _add(tar, dump, dump.name)
            for label, root in roots.items():
                for path, name in _files_under(root):
                    arcname = f"files/{label}/{name}"
                    hashes[arcname] = _add(tar, path, arcname)
            manifest["files"] = hashes
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
        raw.flush()
        os.fsync(
            raw.fileno()
        )  # on disk before it gets its name: a power cut leaves no half archive


def create_backup(output: Path | None = None, *, using: str = "default") -> Backup:
    """Write an archive of the database and the uploaded files; returns where, and its manifest.

    ``output`` is a folder (a timestamped name is chosen in it) or a file name ending in
    .tar.gz that must not exist; by default var/backups/. The archive appears under its name only once complete.
    """
    vendor = connections[using].vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    target = _target(output)
    roots, elsewhere = file_roots()
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=target.parent) as work:
        dump = Path(work) / DUMPS[vendor]
        if vendor == "sqlite":
            state = _sqlite_snapshot(connections[using].settings_dict["NAME"], dump)
        else:
            state = _pg_snapshot(using, dump)
        manifest = {
            "format": FORMAT,
            "hromada_version": version(),
            "created_at": timezone.now().isoformat(),
            "database": {"vendor": vendor, "file": dump.name},
            "migrations": state["migrations"],
            "tables": state["tables"],
            "roots": sorted(roots),
            "not_included": sorted(elsewhere),
        }
        if "server_version" in state:
            manifest["database"]["server_version"] = state["server_version"]
        partial = Path(work) / "archive.partial"
        _write_archive(partial, dump, roots, manifest)
        # A link fails when the name was taken meanwhile; the archive never replaces a file.
        try:
            os.link(partial, target)
        except FileExistsError as error:
            raise BackupError(f"{target} exists; a backup never overwrites a file.") from error
    return Backup(path=target, manifest=manifest)


def prune_backups(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives in ``directory`` (by the time in the name)."""
    if keep < 1:
        raise BackupError("--prune keeps at least one archive.")
    archives = sorted(
        (p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if p.is_file()),
        key=lambda p: _stamp_key(p.name),
        reverse=True,
    )
    old = archives[keep:]
    for path in old:
        path.unlink()
    return old


def _stamp_key(name: str) -> tuple[str, int]:
    match = re.fullmatch(rf"{PREFIX}(\d{{8}}T\d{{6}}Z)(?:-(\d+))?{re.escape(SUFFIX)}", name)
    if not match:
        return ("", 0)  # a renamed archive is the oldest
    return (match.group(1), int(match.group(2) or 1))


# -- reading and checking an archive ----------------------------------------------------------


@dataclass
class Archive:
    """An archive unpacked into a private folder, every checksum verified."""

    path: Path
    folder: Path
    manifest: dict[str, Any]

    @property
    def dump(self) -> Path:
        return self.folder / self.manifest["database"]["file"]


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or any(part in ("..", "", ".") for part in path.parts)
        or str(path) != name
    ):
        raise BackupError(f"The archive holds a suspicious name: {name!r}. Nothing was changed.")
    return path


@contextlib.contextmanager
def open_archive(path: Path) -> Iterator[Archive]:
    """Unpack ``path`` into a private folder under var/ and check it; the folder goes after."""
    if not path.is_file():
        raise BackupError(f"No archive at {path}.")
    folder = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.VAR_DIR))
    try:
        hashes: dict[str, str] = {}
        manifest: dict[str, Any] | None = None
        try:
            with tarfile.open(path, mode="r:*") as tar:
                for member in tar:
                    name = _safe_name(member.name)
                    if member.isdir():
                        continue
                    if not member.isfile():
                        raise BackupError(
                            f"The archive holds a link or device ({member.name}). Nothing was changed."
                        )
                    source = tar.extractfile(member)
                    assert source is not None  # a regular file always has content
                    if member.name == MANIFEST:
                        manifest = json.loads(source.read())
                        continue
                    if member.name in hashes:
                        raise BackupError(
                            f"The archive holds {member.name} twice. Nothing was changed."
                        )
                    dest = folder.joinpath(*name.parts)
                    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                    sha = hashlib.sha256()
                    with dest.open("xb") as out:
                        while chunk := source.read(CHUNK):
                            sha.update(chunk)
                            out.write(chunk)
                    hashes[member.name] = sha.hexdigest()
        except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as error:
            raise BackupError(f"{path} is not a readable backup archive ({error}).") from error
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise BackupError(f"{path} has no manifest this version of Hromada can read.")
        listed = {name: entry["sha256"] for name, entry in manifest["files"].items()}
        missing = sorted(set(listed) - set(hashes))
        extra = sorted(set(hashes) - set(listed))
        changed = sorted(name for name in set(listed) & set(hashes) if listed[name] != hashes[name])
        if missing or extra or changed:
            problems = [
                *(f"missing: {name}" for name in missing),
                *(f"not in the manifest: {name}" for name in extra),
                *(f"checksum differs: {name}" for name in changed),
            ]
            raise BackupError(
                "The archive does not match its manifest (damaged or altered); nothing was "
                "changed.\n  " + "\n  ".join(problems[:20])
            )
        yield Archive(path=path, folder=folder, manifest=manifest)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code has on disk, with the ones a squashed migration replaced."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(r) for r in migration.replaces)  # type: ignore[misc]
    return known


def check_restorable(archive: Archive, *, using: str = "default") -> list[str]:
    """Raise BackupError when this deployment cannot take the archive; returns the migrations
    this code has that the archive lacks (run `hromada migrate` after the restore)."""
    manifest = archive.manifest
    vendor = connections[using].vendor
    theirs = manifest["database"]["vendor"]
    if theirs != vendor:
        raise BackupError(
            f"This archive holds a {theirs} database and this Hromada uses {vendor}. Restore it "
            f"where DATABASE_URL names a {theirs} database. Nothing was changed."
        )
    known = known_migrations()
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(applied - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:10])
        raise BackupError(
            f"The archive comes from a newer Hromada ({manifest['hromada_version']}): this code "
            f"does not know the migrations {listed}. Upgrade first. Nothing was changed."
        )
    roots, _elsewhere = file_roots()
    absent = sorted(set(manifest["roots"]) - set(roots))
    if absent:
        raise BackupError(
            f"The archive holds files for {', '.join(absent)}, which this deployment does not "
            f"keep on disk (see STORAGES). Nothing was changed."
        )
    # Migrations on disk the archive lacks (a squashed one counts once its parts are applied).
    loader = MigrationLoader(None, ignore_no_migrations=True)
    pending = []
    for key in sorted(set(loader.graph.nodes) - applied):
        replaces = {tuple(r) for r in loader.disk_migrations[key].replaces}
        if not (replaces and replaces <= applied):
            pending.append(f"{key[0]}.{key[1]}")
    return pending


# -- restoring ---------------------------------------------------------------------------------


def _restore_sqlite(dump: Path, live: str) -> None:
    src = sqlite3.connect(dump)
    dst = sqlite3.connect(
        live, timeout=settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 20)
    )
    try:
        # The backup API in reverse: one write transaction replaces every page of the live
        # database; other connections see the old database or the new one, never a mix.
        src.backup(dst)
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("SQLite reports the restored database as damaged.")
    finally:
        dst.close()
        src.close()


def _restore_postgresql(dump: Path, tables: dict[str, int], using: str) -> None:
    pg_restore = _tool("pg_restore")
    params = connections[using].settings_dict
    conn = connections[using]
    # Tables this database has that the archive does not (a newer migration's): drop them first,
    # or their foreign keys would stop pg_restore from dropping the archive's tables.
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        extra = sorted({row[0] for row in cursor.fetchall()} - set(tables))
        if extra:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_quote(t) for t in extra)} CASCADE")
    conn.close()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",  # all or nothing: a failure leaves the database as it was
            "--exit-on-error",
            f"--dbname={params['NAME']}",
            str(dump),
        ],
        _pg_env(params),
    )


def _swap(staged: Path, target: Path) -> None:
    """Put ``staged`` where ``target`` is; the old folder is removed only once the new is there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S")
        old = target.with_name(f"{target.name}.before-restore-{stamp}")
        os.rename(target, old)
    shutil.move(str(staged), str(target))
    if old is not None:
        shutil.rmtree(old)


def count_rows(tables: list[str], *, using: str = "default") -> dict[str, int | None]:
    """Rows now in each table (None: the table is not there)."""
    conn = connections[using]
    present = set(conn.introspection.table_names())
    counts: dict[str, int | None] = {}
    with conn.cursor() as cursor:
        for table in tables:
            if table not in present:
                counts[table] = None
                continue
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 -- names from the manifest, checked against the database
            counts[table] = cursor.fetchone()[0]
    return counts


def restore_backup(archive: Archive, *, using: str = "default") -> Restored:
    """Replace the database and the uploaded files with the archive's, then count the rows.

    Call ``check_restorable`` first. Web processes and the worker should be stopped: what they
    write during a restore is lost.
    """
    manifest = archive.manifest
    pending = check_restorable(archive, using=using)
    conn = connections[using]
    connections.close_all()
    if conn.vendor == "sqlite":
        _restore_sqlite(archive.dump, conn.settings_dict["NAME"])
    else:
        _restore_postgresql(archive.dump, manifest["tables"], using)
    connections.close_all()
    ContentType.objects.clear_cache()  # ids may differ from the database we replaced
    roots, _elsewhere = file_roots()
    for label in manifest["roots"]:
        staged = archive.folder / "files" / label
        staged.mkdir(mode=0o700, parents=True, exist_ok=True)
        _swap(staged, roots[label])
    counts = count_rows(sorted(manifest["tables"]), using=using)
    mismatches = {
        table: (expected, counts[table])
        for table, expected in manifest["tables"].items()
        if counts[table] != expected
    }
    return Restored(
        manifest=manifest,
        counts={t: c for t, c in counts.items() if c is not None},
        mismatches=mismatches,
        pending_migrations=pending,
    )

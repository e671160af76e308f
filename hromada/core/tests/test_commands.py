import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hromada.aid.models import Need
from hromada.core import demo
from hromada.core.models import Membership, Place, Sensitivity, User
from hromada.core.tests.factories import make_user


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_demo_loads_a_town_with_every_role_and_thirty_open_needs():
    output = run("demo")
    assert "hromada-demo" in output and "coordinator" in output
    posted = Need.objects.filter(recurrence__isnull=True)
    assert posted.count() == 30
    assert posted.filter(
        status="covered", delivery_lines__isnull=False
    ).exists()  # the demo's deliveries met some
    assert posted.current().count() >= 25
    assert Place.objects.filter(sensitivity=Sensitivity.RESTRICTED).exists()
    roles = {role for m in Membership.objects.all() for role in m.roles}
    assert roles == {
        "volunteer",
        "coordinator",
        "caseworker",
        "analyst",
        "alert_author",
        "alert_approver",
        "org_admin",
    }
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="coordinator").check_password(demo.DEMO_PASSWORD)


@pytest.mark.django_db
def test_demo_twice_changes_nothing():
    run("demo")
    counts = (User.objects.count(), Place.objects.count(), Need.objects.count())
    assert "already loaded" in run("demo")
    assert (User.objects.count(), Place.objects.count(), Need.objects.count()) == counts


@pytest.mark.django_db
def test_demo_refuses_a_database_that_holds_real_users():
    make_user(username="real")
    with pytest.raises(CommandError):
        run("demo")
    assert not Place.objects.exists()


@pytest.mark.django_db
def test_expire_needs_reports_what_it_did():
    assert run("expire_needs").strip() == "Needs expired: 0."


def test_build_catalogs_compiles_po_into_mo(tmp_path, settings):
    po = tmp_path / "uk" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Bread"\nmsgstr "Хліб"\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]
    assert "compiled: 1" in run("build_catalogs")
    assert "Хліб".encode() in po.with_suffix(".mo").read_bytes()
    assert "compiled: 0" in run("build_catalogs")


def settings_in_subprocess(var_dir: Path, code: str, **env: str) -> str:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    clean.update(HROMADA_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="hromada.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; {code}"],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_secret_key_is_generated_once_into_var_and_kept_private(tmp_path):
    first = settings_in_subprocess(tmp_path, "print(settings.SECRET_KEY)")
    second = settings_in_subprocess(tmp_path, "print(settings.SECRET_KEY)")
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_settings_default_to_safe_values_and_read_secrets_from_files(tmp_path):
    out = settings_in_subprocess(
        tmp_path,
        "print(settings.DEBUG, settings.TIME_ZONE, settings.DATABASES['default']['ENGINE'])",
    )
    assert out == "False Europe/Kyiv django.db.backends.sqlite3"
    secret = tmp_path / "key.txt"
    secret.write_text("from-a-file-" + "x" * 50)
    assert settings_in_subprocess(
        tmp_path, "print(settings.SECRET_KEY)", SECRET_KEY_FILE=str(secret)
    ).startswith("from-a-file-")
    engine = settings_in_subprocess(
        tmp_path,
        "print(settings.DATABASES['default']['ENGINE'])",
        DATABASE_URL="postgres://u@127.0.0.1/x",
    )
    assert engine == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_prune_idempotency_keys_forgets_only_old_keys(settings):
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from hromada.core.models import IdempotencyKey

    settings.IDEMPOTENCY_KEY_DAYS = 30
    kind = ContentType.objects.get_for_model(User)
    old = timezone.now() - datetime.timedelta(days=31)
    IdempotencyKey.objects.create(
        scope="s", key="old-key-1", object_type=kind, object_id="1", created_at=old
    )
    IdempotencyKey.objects.create(scope="s", key="new-key-1", object_type=kind, object_id="1")
    assert run("prune_idempotency_keys").strip() == "Idempotency keys forgotten: 1."
    assert run("prune_idempotency_keys").strip() == "Idempotency keys forgotten: 0."
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key-1"]


def test_the_english_catalog_translates_each_message_to_itself():
    from hromada.core.management.commands.english_catalog import english

    guessed = '#, fuzzy, python-format\n#| msgid "Old %(n)s"\nmsgid "New %(n)s"\nmsgstr "Old %(n)s"'
    assert english(guessed) == '#, python-format\nmsgid "New %(n)s"\nmsgstr "New %(n)s"'
    plural = 'msgid "%(c)s need"\nmsgid_plural "%(c)s needs"\nmsgstr[0] ""\nmsgstr[1] ""'
    assert english(plural).endswith('msgstr[0] "%(c)s need"\nmsgstr[1] "%(c)s needs"')
    # A message with a context keeps it: without, it would clash with the same words elsewhere.
    shortfall = 'msgctxt "shortfall"\nmsgid "Missing"\nmsgstr ""'
    assert english(shortfall) == 'msgctxt "shortfall"\nmsgid "Missing"\nmsgstr "Missing"'

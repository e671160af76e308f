"""How fast is reconciliation at national scale? (issue 5, "Measured")

Builds 100,000 claims and 20,000 incidents over 300 areas and 365 days in a fresh database
(SQLite in a temporary directory, or PostgreSQL with --postgres URL), then measures:

- ``one_area_ms``: one area's reconciliation of one metric at one cutoff, as the
  reconcile page and the API do it (the claims about the area, above it and within it are
  read, then reconciled); the median of 50 random areas and cutoffs, and the worst.
- ``one_sitrep_ms``: every figure of one area's sitrep (all metrics, time series,
  incidents): what approving a sitrep computes.
- ``all_areas_seconds``: every figure of every area at one cutoff (headline, reference,
  floor, highest claim, independent sources, incident tally, warnings), from one read of
  the claims (``selectors.figures_for_every_area``, the table of every area).
- ``baseline_one_area_query_ms``: reading one area's claim rows and nothing else, the floor
  under ``one_area_ms``.
- ``*_cpu_*`` and ``load_average``: this process's CPU time and the machine's load, to
  tell a busy machine from slow code.

Targets (the issue's ceilings): one area under 100 ms, all areas under 10 s. Prints one
JSON object; exits 1 when a target is missed.

Run: .venv/bin/python bench/sitrep.py [--postgres postgres://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAIMS, INCIDENTS, AREAS, DAYS = 100_000, 20_000, 300, 365
ONE_AREA_CEILING_MS, ALL_AREAS_CEILING_S = 100.0, 10.0
SEED = 20220228


def configure(postgres: str | None, var_dir: str | None = None) -> str:
    tmp = var_dir or tempfile.mkdtemp(prefix="hromada-bench-")
    Path(tmp).mkdir(parents=True, exist_ok=True)
    os.environ["HROMADA_VAR_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    if postgres:
        import psycopg

        name = "hromada_reports_bench"
        if not var_dir:  # a fresh database, unless reusing one
            with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{postgres.rstrip('/')}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return tmp


def build() -> dict[str, object]:
    """Areas, sources, documents, incidents and claims, written in bulk (this is data for
    measuring, so it skips the services' checks; every row is valid all the same)."""
    from django.db import transaction

    from hromada.core.models import Area
    from hromada.reports import metrics
    from hromada.reports.models import Claim, Document, Incident, Party, Source

    rng = random.Random(SEED)
    start = datetime.datetime(2022, 2, 24, tzinfo=datetime.UTC)
    with transaction.atomic():
        oblasts = []
        for n in range(10):
            code = f"UA{n + 1:02d}00000000000000"
            oblasts.append(Area(code=code, name_uk=f"Область {n}", name_en=f"Oblast {n}",
                                level="oblast", path=f"/{code}/"))  # fmt: skip
        Area.objects.bulk_create(oblasts)
        oblasts = list(Area.objects.filter(level="oblast").order_by("code"))
        hromadas = []
        for n in range(AREAS - len(oblasts)):
            parent = oblasts[n % len(oblasts)]
            code = f"{parent.code[:4]}{n + 1:05d}0000000000"
            hromadas.append(Area(code=code, name_uk=f"Громада {n}", name_en=f"Hromada {n}",
                                 level="hromada", parent=parent, path=f"{parent.path}{code}/"))  # fmt: skip
        Area.objects.bulk_create(hromadas)
        areas = list(Area.objects.all())
        leaves = [a for a in areas if a.level == "hromada"]
        parties = list(Party.objects.all())
        sources = Source.objects.bulk_create(
            Source(name_en=f"Source {n}", kind=rng.choice(Source.Kind.values), scale="national",
                   independence_group=f"group-{n % 30}", reliability=rng.choice("ABCDEF"),
                   recorder_for=[metrics.CASUALTIES] if n == 0 else [metrics.REFUGEES_FLED] if n == 1 else [],
                   party=parties[0] if n % 10 == 3 else None)
            for n in range(60)
        )  # fmt: skip
        documents = Document.objects.bulk_create(
            Document(source=s, origin=s, title=f"Doc {n}", published_at=start)
            for n in range(CLAIMS // 5)
            for s in [sources[n % len(sources)]]
        )
        incidents = Incident.objects.bulk_create(
            Incident(code=f"B{n:07d}", kind="shelling", area=rng.choice(leaves), status="published",
                     grade=rng.choice(["confirmed", "fair", "weak"]),
                     occurred_earliest=start + datetime.timedelta(hours=n * DAYS * 24 / INCIDENTS),
                     occurred_latest=start + datetime.timedelta(hours=n * DAYS * 24 / INCIDENTS + 2),
                     latitude=48 + rng.random() * 4, longitude=24 + rng.random() * 14)
            for n in range(INCIDENTS)
        )  # fmt: skip
        civilian = [metrics.KILLED, metrics.INJURED, metrics.CHILDREN_KILLED, metrics.CASUALTIES,
                    metrics.REFUGEES_FLED, metrics.IDPS, metrics.BUILDINGS_DAMAGED]  # fmt: skip
        claims = []
        for n in range(CLAIMS):
            document = documents[n // 5]
            roll = rng.random()
            metric = rng.choice(civilian)
            incident = rng.choice(incidents) if roll < 0.2 else None
            area = incident.area if incident else (None if roll > 0.97 else rng.choice(areas))
            party = None
            if rng.random() < 0.05:
                metric, party = metrics.COMBATANTS_KILLED, rng.choice(parties)
            value = rng.randrange(1, 5000)
            qualifier = rng.choice(["exact", "exact", "exact", "at_least", "about", "range"])
            low, best, high = {
                "exact": (value, value, value), "at_least": (value, value, None),
                "about": (None, value, None), "range": (value, None, value + rng.randrange(1, 50)),
            }[qualifier]  # fmt: skip
            claims.append(
                Claim(document=document, source_id=document.source_id, metric=metric, party=party,
                      incident=incident, area=area, measure=metrics.get(metric).measure,
                      as_of=start + datetime.timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                      low=low, best=best, high=high, qualifier=qualifier, value_text=str(value),
                      basis=rng.choice(Claim.Basis.values),
                      source_status="retracted" if rng.random() < 0.01 else "active",
                      assessment="discounted" if rng.random() < 0.01 else "unreviewed")
            )  # fmt: skip
        Claim.objects.bulk_create(claims, batch_size=5000)
    return {
        "claims": Claim.objects.count(),
        "incidents": Incident.objects.count(),
        "areas": Area.objects.count(),
    }


def measure() -> dict[str, object]:
    from django.db import connection, reset_queries

    from hromada.core.models import Area, Organization
    from hromada.reports import metrics, selectors, services
    from hromada.reports.models import Sitrep

    rng = random.Random(SEED + 1)
    start = datetime.datetime(2022, 2, 24, tzinfo=datetime.UTC)
    hromadas = list(Area.objects.filter(level="hromada"))
    cutoffs = [start + datetime.timedelta(days=rng.randrange(30, DAYS)) for _ in range(50)]
    picks = [rng.choice(hromadas) for _ in range(50)]

    selectors.reconcile_area(picks[0], metrics.KILLED, cutoffs[0])  # warm the connection and caches
    one_area, one_area_cpu, baseline = [], [], []
    for area, cutoff in zip(picks, cutoffs, strict=True):
        began = time.perf_counter()
        selectors.claim_rows(
            area, cutoff=cutoff, metric_codes=selectors.related_metrics(metrics.KILLED)
        )
        baseline.append((time.perf_counter() - began) * 1000)
        began, cpu = time.perf_counter(), time.process_time()
        selectors.reconcile_area(area, metrics.KILLED, cutoff)
        one_area.append((time.perf_counter() - began) * 1000)
        one_area_cpu.append((time.process_time() - cpu) * 1000)

    organization = Organization.objects.create(name="Bench", kind="ngo")
    sitreps = [
        Sitrep(organization=organization, area=a, cutoff=c)
        for a, c in zip(picks[:10], cutoffs[:10], strict=True)
    ]
    one_sitrep = []
    for sitrep in sitreps:
        began = time.perf_counter()
        services.build_payload(sitrep)
        one_sitrep.append((time.perf_counter() - began) * 1000)

    cutoff = start + datetime.timedelta(days=DAYS)
    reset_queries()
    began, cpu = time.perf_counter(), time.process_time()
    every = selectors.figures_for_every_area(cutoff)
    all_seconds, all_cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "one_area_ms": round(statistics.median(one_area), 1),
        "one_area_worst_ms": round(max(one_area), 1),
        "baseline_one_area_query_ms": round(statistics.median(baseline), 1),
        "one_sitrep_ms": round(statistics.median(one_sitrep), 1),
        "all_areas_seconds": round(all_seconds, 2),
        # This process's own CPU time (the database's shows in the wall time only), and the
        # machine's load: they tell a busy machine from slow code.
        "one_area_cpu_ms": round(statistics.median(one_area_cpu), 1),
        "all_areas_cpu_seconds": round(all_cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
        "areas_reconciled": len(every),
        "figures_reconciled": sum(len(figures) for figures in every.values()),
        "database": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL (a bench database is made on it)"
    )
    parser.add_argument(
        "--reuse", metavar="DIR", help="keep the data in DIR and reuse it next time"
    )
    args = parser.parse_args()
    configure(args.postgres, args.reuse)
    began = time.perf_counter()
    from hromada.reports.models import Claim

    sizes = build() if not Claim.objects.exists() else {
        "claims": Claim.objects.count(), "incidents": CLAIMS and INCIDENTS, "areas": AREAS,
    }  # fmt: skip
    result: dict[str, object] = {**sizes, "build_seconds": round(time.perf_counter() - began, 1)}
    result.update(measure())
    result["targets"] = {
        "one_area_ms": ONE_AREA_CEILING_MS,
        "all_areas_seconds": ALL_AREAS_CEILING_S,
    }
    result["ok"] = (
        float(result["one_area_ms"]) < ONE_AREA_CEILING_MS  # type: ignore[arg-type]
        and float(result["all_areas_seconds"]) < ALL_AREAS_CEILING_S  # type: ignore[arg-type]
    )
    print(json.dumps(result))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()

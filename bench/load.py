"""Does the real server hold 50 people at once, and what gives when a strike brings 500?

After a strike everybody opens the needs board, donors offer goods and coordinators update
their needs, all at once, on the one small machine a town can afford. This sets up a
throwaway Hromada with the demo community (``hromada setup``, as ``tests/liveserver.py`` does),
serves it with ``hromada run`` (granian, WSGI, 2-4 worker processes, loopback only) on SQLite
or on a fresh PostgreSQL database, and drives it from this process with asyncio and httpx:
each simulated client has its own connection and cookies, and repeats "pick a request from
the mix, send it, read the answer, think" until the phase ends.

The mix (``MIX``, weights per request out of 100):

- 50 anonymous pages ("board"): the needs board ``/needs/`` (30), the board filtered to
  critical needs (10), "needed most" ``/needs/most/`` (10);
- 30 signed-in API reads ("api", ``Authorization: Bearer`` with tokens issued to demo users):
  ``/api/needs`` as the volunteer (8), ``/api/needed-most`` as the analyst (6), ``/api/stock``
  as the hub coordinator (6), ``/api/deliveries`` as the volunteer (5), ``/api/pledges`` as the
  coordinator (5);
- 20 writes ("write"): an anonymous offer ``POST /api/pledges`` with an ``Idempotency-Key`` (7;
  one in ten is sent again with the same key, as a phone retries after a timeout, and must be
  answered ``Idempotent-Replayed``), the public offer form (4: ``GET /give/``, then the POST with
  its CSRF token and the form's idempotency key), a coordinator's ``POST /api/needs`` with an
  ``Idempotency-Key`` (3), and a coordinator's ``PATCH /api/needs/{id}`` (6).

Every answer is classed: ``ok`` (2xx, or the form's redirect), ``shed`` (429 or 503: the server
refused clearly, the client may retry), ``rejected`` (any other 4xx), ``server_errors`` (5xx) and
``transport_errors`` (refused or lost connection, timeout after 60 s). ``errors`` is the last
two. After the run the writes are counted in the database: every acknowledged create must
have its row (``lost`` = 0), no key may have made two (``rows`` = acknowledged, give or take
creates whose answer was lost on the way), and every acknowledged update its history record.

Phases, each on the same server: ``ceiling`` and ``board`` (the same clients with no think
time, saturating the server: ``/bench/ceiling/`` from ``bench/load_site.py``, a Django view that
answers "ok" through the same middleware, against the needs board), ``mix`` (the clients
with a think time, exponential with mean ``--think``, and the mix above), ``surge`` (ten
times the clients, the same think time: after the first strike of the day). Targets (issue
11): in ``mix`` no errors and p99 under 250 ms; the board at least a quarter of the ceiling's
throughput; in ``surge`` no write fails (no 5xx, no lost connection) and none is lost. It
prints one JSON object and exits 1 when a target is missed.

``--database sqlite|postgres|both`` (PostgreSQL: a database ``hromada_load_<pid>`` is created at
127.0.0.1:5432 and dropped afterwards), ``--workers 2 4`` (a server per count), ``--runs 3``
(ceiling, board and mix repeated, medians reported).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.liveserver import (  # noqa: E402
    HOST,
    SETUP_TIMEOUT,
    _free_port,
    _server_env,
    _stop,
    _wait_until_answering,
)

HROMADA = (sys.executable, "-m", "hromada")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
MARKER = "bench-load"  # the note on every row this script writes
CLIENTS, SURGE_FACTOR = 50, 10
PHASE_SECONDS, THINK_SECONDS = 25.0, 1.0
REQUEST_TIMEOUT = 60.0
RETRY_SHARE = 0.1  # offers sent a second time with the same Idempotency-Key
PATCH_TARGETS = 20  # needs the coordinator keeps updating
P99_CEILING_MS = 250.0
BOARD_SHARE_FLOOR = 0.25
SHED = {429, 503}
ONE_CONNECTION = httpx.Limits(max_connections=1)  # per client, kept alive, as a browser would

# (weight, endpoint, kind): weights are per request, out of 100
MIX = [
    (30, "board", "board"),
    (10, "board_critical", "board"),
    (10, "needed_most", "board"),
    (8, "api_needs", "api"),
    (6, "api_needed_most", "api"),
    (6, "api_stock", "api"),
    (5, "api_deliveries", "api"),
    (5, "api_pledges", "api"),
    (7, "pledge_api", "write"),
    (4, "pledge_form", "write"),
    (3, "need_create", "write"),
    (6, "need_update", "write"),
]
KINDS = ("board", "api", "write")
KIND_OF = {name: kind for _w, name, kind in MIX} | {
    "ceiling": "ceiling",
    "give_page": "board",  # the offer form's GET, before its POST
    "pledge_api_retry": "write",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# Inside Django: seeding tokens and needs, counting rows ------------------------------------


def inside_seed() -> dict[str, Any]:
    """Tokens for demo users, the coordinator's places, items, and needs to update."""
    import django

    django.setup()
    from decimal import Decimal

    from hromada.aid.models import Item
    from hromada.aid.permissions import may_manage_needs_at
    from hromada.aid.services import create_need
    from hromada.core.models import User
    from hromada.core.permissions import coordinated_places
    from hromada.core.services import issue_token

    tokens = {
        name: issue_token(User.objects.get(username=name), "bench load")[1]
        for name in ("coordinator", "hub", "volunteer", "analyst")
    }
    coordinator = User.objects.get(username="coordinator")
    places = [p.pk for p in coordinated_places(coordinator) if may_manage_needs_at(coordinator, p)]
    items = list(Item.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    patch_targets = [
        create_need(
            coordinator,
            place=coordinated_places(coordinator).get(pk=places[i % len(places)]),
            item=Item.objects.get(pk=items[i % len(items)]),
            quantity=Decimal(1000),
            note=MARKER,
        )[0].pk
        for i in range(PATCH_TARGETS)
    ]
    return {"tokens": tokens, "places": places, "items": items, "patch_targets": patch_targets}


def inside_count(acked_path: str) -> dict[str, Any]:
    """What the writes left in the database, against what the server acknowledged."""
    import django

    django.setup()
    from hromada.aid.models import Need, Pledge
    from hromada.core.models import IdempotencyKey

    acked = json.loads(Path(acked_path).read_text(encoding="utf-8"))

    def found(scope: str, keys: list[str]) -> int:
        return sum(
            IdempotencyKey.objects.filter(scope=scope, key__in=keys[i : i + 500]).count()
            for i in range(0, len(keys), 500)
        )

    targets = acked["patch_targets"]
    return {
        "pledges": {
            "rows": Pledge.objects.filter(note=MARKER).count(),
            "acknowledged_found": found("aid.pledge.offer", acked["pledge"]),
        },
        "needs": {
            "rows": Need.objects.filter(note=MARKER).exclude(pk__in=targets).count(),
            "acknowledged_found": found("aid.need.create", acked["need"]),
        },
        "need_updates": {
            "rows": Need.history.filter(id__in=targets, history_type="~").count(),
        },
    }


# The driver ---------------------------------------------------------------------------------


@dataclass
class Acks:
    """Writes the server acknowledged, over the whole run (the rows must be there)."""

    pledge: set[str] = field(default_factory=set)
    need: set[str] = field(default_factory=set)
    updates: int = 0
    replays_ok: int = 0
    replays_bad: int = 0


@dataclass
class Recorder:
    samples: list[tuple[str, str, float]] = field(default_factory=list)  # endpoint, class, ms
    transport: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # 4xx other than shed, and 5xx

    def add(self, endpoint: str, outcome: str, ms: float) -> None:
        self.samples.append((endpoint, outcome, ms))


@dataclass
class Target:
    base_url: str
    tokens: dict[str, str]
    places: list[int]
    items: list[int]
    patch_targets: list[int]


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in SHED:
        return "shed"
    if status < 500:
        return "rejected"
    return "server_errors"


async def timed(
    rec: Recorder, http: httpx.AsyncClient, endpoint: str, method: str, url: str, **kw: Any
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        response = await http.request(method, url, **kw)
    except httpx.TransportError as e:
        rec.add(endpoint, "transport_errors", (time.perf_counter() - start) * 1000)
        rec.transport[f"{endpoint}: {type(e).__name__}"] += 1
        return None
    outcome = outcome_of(response.status_code)
    rec.add(endpoint, outcome, (time.perf_counter() - start) * 1000)
    if outcome in ("rejected", "server_errors"):
        rec.refused[f"{endpoint} {response.status_code}: {why(response)}"] += 1
    return response


ERRORLIST = re.compile(r'<ul class="errorlist[^>]*>(.*?)</ul>', re.S)


def why(response: httpx.Response) -> str:
    """The gist of a refusal: the JSON, or a page's form errors."""
    if response.headers.get("content-type", "").startswith("text/html"):
        errors = ERRORLIST.findall(response.text)
        return re.sub(r"<[^>]+>", " ", " | ".join(errors))[:160] if errors else "(a page)"
    return response.text[:160]


Action = Callable[[httpx.AsyncClient, Target, Recorder, Acks, random.Random], Awaitable[None]]


def _bearer(target: Target, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {target.tokens[who]}"}


def _get(endpoint: str, url: str, who: str | None = None) -> Action:
    async def action(
        http: httpx.AsyncClient, target: Target, rec: Recorder, acks: Acks, rng: random.Random
    ) -> None:
        headers = _bearer(target, who) if who else None
        await timed(rec, http, endpoint, "GET", url, headers=headers)

    return action


def good_until() -> str:
    return (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=60)).isoformat()


async def pledge_api(
    http: httpx.AsyncClient, target: Target, rec: Recorder, acks: Acks, rng: random.Random
) -> None:
    key = uuid.uuid4().hex
    body = {
        "item_id": rng.choice(target.items),
        "quantity": str(rng.randint(1, 20)),
        "expires_on": good_until(),  # perishable items must say
        "contact_name": "Load Bench",
        "contact_phone": "+380501234567",
        "note": MARKER,
    }
    headers = {"Idempotency-Key": key}
    response = await timed(
        rec, http, "pledge_api", "POST", "/api/pledges", json=body, headers=headers
    )
    if response is None or response.status_code != 201:
        return
    acks.pledge.add(key)
    if rng.random() < RETRY_SHARE:
        again = await timed(
            rec, http, "pledge_api_retry", "POST", "/api/pledges", json=body, headers=headers
        )
        if again is not None and again.status_code == 201:
            replayed = again.headers.get("Idempotent-Replayed") == "true"
            same = again.json().get("id") == response.json().get("id")
            if replayed and same:
                acks.replays_ok += 1
            else:
                acks.replays_bad += 1


FORM_FIELD = re.compile(r'name="(csrfmiddlewaretoken|idempotency_key)" value="([^"]+)"')


async def pledge_form(
    http: httpx.AsyncClient, target: Target, rec: Recorder, acks: Acks, rng: random.Random
) -> None:
    page = await timed(rec, http, "give_page", "GET", "/give/")
    if page is None or page.status_code != 200:
        return
    hidden = dict(FORM_FIELD.findall(page.text))
    if len(hidden) != 2:
        rec.add("pledge_form", "rejected", 0.0)  # the form changed: count it, do not post
        return
    data = {
        **hidden,
        "item": str(rng.choice(target.items)),
        "quantity": str(rng.randint(1, 20)),
        "handover": "drop_off",
        "expires_on": good_until(),
        "consent": "on",  # the donor agrees that their contact is kept
        "contact_name": "Load Bench",
        "contact_phone": "+380501234567",
        "note": MARKER,
    }
    response = await timed(rec, http, "pledge_form", "POST", "/give/", data=data)
    if response is not None and response.status_code == 302:
        acks.pledge.add(hidden["idempotency_key"])


async def need_create(
    http: httpx.AsyncClient, target: Target, rec: Recorder, acks: Acks, rng: random.Random
) -> None:
    key = uuid.uuid4().hex
    body = {
        "place_id": rng.choice(target.places),
        "item_id": rng.choice(target.items),
        "quantity": str(rng.randint(5, 200)),
        "note": MARKER,
    }
    headers = {"Idempotency-Key": key, **_bearer(target, "coordinator")}
    response = await timed(
        rec, http, "need_create", "POST", "/api/needs", json=body, headers=headers
    )
    if response is not None and response.status_code == 201:
        acks.need.add(key)


async def need_update(
    http: httpx.AsyncClient, target: Target, rec: Recorder, acks: Acks, rng: random.Random
) -> None:
    url = f"/api/needs/{rng.choice(target.patch_targets)}"
    body = {"quantity_covered": str(rng.randint(0, 900))}  # of 1000: the need stays open
    response = await timed(
        rec, http, "need_update", "PATCH", url, json=body, headers=_bearer(target, "coordinator")
    )
    if response is not None and response.status_code == 200:
        acks.updates += 1


ACTIONS: dict[str, Action] = {
    "ceiling": _get("ceiling", "/bench/ceiling/"),
    "board": _get("board", "/needs/"),
    "board_critical": _get("board_critical", "/needs/?priority=critical"),
    "needed_most": _get("needed_most", "/needs/most/"),
    "api_needs": _get("api_needs", "/api/needs?limit=50", "volunteer"),
    "api_needed_most": _get("api_needed_most", "/api/needed-most", "analyst"),
    "api_stock": _get("api_stock", "/api/stock", "hub"),
    "api_deliveries": _get("api_deliveries", "/api/deliveries?limit=50", "volunteer"),
    "api_pledges": _get("api_pledges", "/api/pledges?limit=50", "coordinator"),
    "pledge_api": pledge_api,
    "pledge_form": pledge_form,
    "need_create": need_create,
    "need_update": need_update,
}


async def client(
    target: Target,
    rec: Recorder,
    acks: Acks,
    *,
    mix: list[tuple[int, str, str]],
    deadline: float,
    think: float,
    rng: random.Random,
    address: str,
) -> None:
    names = [name for _w, name, _k in mix]
    weights = [w for w, _n, _k in mix]
    async with httpx.AsyncClient(
        base_url=target.base_url,
        timeout=REQUEST_TIMEOUT,
        # plain HTTP on loopback: no TLS context (building one costs ~40 ms of CPU per client)
        transport=httpx.AsyncHTTPTransport(
            local_address=address, limits=ONE_CONNECTION, verify=False
        ),
        headers={"Accept-Language": "uk"},
        trust_env=False,  # loopback only, never through a proxy
    ) as http:
        if think:
            await asyncio.sleep(rng.uniform(0, think))  # arrive spread out, not in one burst
        while time.monotonic() < deadline:
            await ACTIONS[rng.choices(names, weights)[0]](http, target, rec, acks, rng)
            if think:
                await asyncio.sleep(rng.expovariate(1 / think))


def client_address(i: int) -> str:
    """Client ``i``'s own loopback address (127.1.x.y): the server sees as many addresses
    as there are people, so the per-address rate limits meet what a surge brings (one donor,
    one address), not one address making every request."""
    return f"127.1.{i // 250}.{i % 250 + 1}"


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def summary(samples: list[tuple[str, str, float]], seconds: float) -> dict[str, Any]:
    ms = sorted(s[2] for s in samples)
    outcomes = Counter(s[1] for s in samples)
    errors = outcomes["server_errors"] + outcomes["transport_errors"]
    return {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(ms[-1], 1) if ms else 0.0,
        "errors": errors,
        **{k: outcomes[k] for k in ("ok", "shed", "rejected", "server_errors", "transport_errors")},
    }


def run_phase(
    target: Target,
    acks: Acks,
    *,
    name: str,
    clients: int,
    seconds: float,
    think: float,
    mix: list[tuple[int, str, str]],
    seed: int,
) -> dict[str, Any]:
    rec = Recorder()
    log(f"  {name}: {clients} clients, {seconds:.0f} s, think {think} s")

    async def drive() -> float:
        start = time.monotonic()
        deadline = start + seconds
        await asyncio.gather(
            *(
                client(
                    target,
                    rec,
                    acks,
                    mix=mix,
                    deadline=deadline,
                    think=think,
                    rng=random.Random(seed * 100_003 + i),
                    address=client_address(i),
                )
                for i in range(clients)
            )
        )
        return time.monotonic() - start

    cpu = time.process_time()
    elapsed = asyncio.run(drive())
    result = {
        "phase": name,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "think_s": think,
        **summary(rec.samples, elapsed),
        "driver_cpu": round((time.process_time() - cpu) / elapsed, 2),
        "kinds": {
            kind: summary([s for s in rec.samples if KIND_OF[s[0]] == kind], elapsed)
            for kind in sorted({KIND_OF[s[0]] for s in rec.samples})
        },
        "endpoints": {
            endpoint: summary([s for s in rec.samples if s[0] == endpoint], elapsed)
            for endpoint in sorted({s[0] for s in rec.samples})
        },
    }
    if rec.transport:
        result["transport_detail"] = dict(rec.transport)
    if rec.refused:
        result["refused_detail"] = dict(rec.refused.most_common(10))
    log(
        f"    {result['rps']} rps, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"errors {result['errors']}, shed {result['shed']}, driver cpu {result['driver_cpu']}"
    )
    return result


# The server ---------------------------------------------------------------------------------


@contextlib.contextmanager
def database_url(database: str) -> Iterator[str | None]:
    """None for SQLite in the var dir; a fresh PostgreSQL database, dropped afterwards."""
    if database == "sqlite":
        yield None
        return
    import psycopg

    name = f"hromada_load_{os.getpid()}"
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _inside(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--inside", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stdout}{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@dataclass
class Served:
    target: Target
    env: dict[str, str]


@contextlib.contextmanager
def serving(database: str, workers: int) -> Iterator[Served]:
    """Set up a fresh Hromada with the demo, seed tokens, and serve it with ``workers``."""
    with (
        tempfile.TemporaryDirectory(prefix="hromada-load-", ignore_cleanup_errors=True) as tmp,
        database_url(database) as url,
    ):
        var_dir = Path(tmp)
        env = _server_env(var_dir, None)
        if url:
            env["DATABASE_URL"] = url
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["DJANGO_SETTINGS_MODULE"] = "hromada.settings"
        started = time.monotonic()
        setup = subprocess.run(
            [*HROMADA, "setup"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
        if setup.returncode != 0:
            raise RuntimeError(f"`hromada setup` failed:\n{setup.stdout}{setup.stderr}")
        seed = _inside(env, "seed")
        log(f"  set up in {time.monotonic() - started:.0f} s")
        env["DJANGO_SETTINGS_MODULE"] = "bench.load_settings"  # adds /bench/ceiling/
        port = _free_port()
        serve_options = ("--workers", str(workers), "--no-worker")  # no task worker
        base_url = f"http://{HOST}:{port}"
        log_path = var_dir / "server.log"
        with log_path.open("wb") as server_log:
            server = subprocess.Popen(
                [*HROMADA, "run", "--host", HOST, "--port", str(port), *serve_options],
                cwd=ROOT,
                env=env,
                stdout=server_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_until_answering(server, base_url, log_path)
            yield Served(Target(base_url=base_url, **seed), env)
        finally:
            _stop(server)
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            if "Traceback" in tail or "ERROR" in tail:
                log(f"  server log (tail):\n{tail}")


# One database, one worker count -------------------------------------------------------------


def median_of(trials: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(t[key] for t in trials), 1)


def degradation(mix: dict[str, Any], surge: dict[str, Any]) -> dict[str, Any]:
    """How much each kind slowed from ``mix`` to ``surge``; the worst is what degrades first."""
    ratios = {
        kind: {
            "p50_ratio": round(
                surge["kinds"][kind]["p50_ms"] / max(mix["kinds"][kind]["p50_ms"], 0.1), 1
            ),
            "p95_ratio": round(
                surge["kinds"][kind]["p95_ms"] / max(mix["kinds"][kind]["p95_ms"], 0.1), 1
            ),
            "p95_ms": surge["kinds"][kind]["p95_ms"],
            "shed": surge["kinds"][kind]["shed"],
            "errors": surge["kinds"][kind]["errors"],
        }
        for kind in KINDS
        if kind in mix["kinds"] and kind in surge["kinds"]
    }
    first = max(ratios, key=lambda k: (ratios[k]["errors"], ratios[k]["p95_ratio"]), default="")
    p95s = [r["p95_ms"] for r in ratios.values()]
    if p95s and not any(r["errors"] for r in ratios.values()) and max(p95s) <= 1.1 * min(p95s):
        first = "none: every kind waits alike (p95 within 10 %)"
    return {"degrades_first": first, "kinds": ratios}


def written(acks: Acks, counted: dict[str, Any]) -> dict[str, Any]:
    pledges, needs = counted["pledges"], counted["needs"]
    return {
        "pledges": {
            "acknowledged": len(acks.pledge),
            "rows": pledges["rows"],
            "lost": len(acks.pledge) - pledges["acknowledged_found"],
            "retries_replayed": acks.replays_ok,
            "retries_wrong": acks.replays_bad,
        },
        "needs": {
            "acknowledged": len(acks.need),
            "rows": needs["rows"],
            "lost": len(acks.need) - needs["acknowledged_found"],
        },
        "need_updates": {
            "acknowledged": acks.updates,
            "rows": counted["need_updates"]["rows"],
            "lost": max(0, acks.updates - counted["need_updates"]["rows"]),
        },
    }


def measure(database: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    log(f"{database}, {workers} workers")
    load_before = os.getloadavg()[0]
    acks = Acks()
    with serving(database, workers) as served:
        target = served.target
        common = {"clients": args.clients, "seconds": args.seconds}
        warm_up = run_phase(
            target, acks, name="warm-up", clients=10, seconds=3, think=0, mix=MIX, seed=0
        )
        trials = []
        for run in range(args.runs):
            ceiling = run_phase(
                target, acks, name="ceiling", think=0, mix=[(1, "ceiling", "ceiling")],
                seed=run + 1, **common,
            )  # fmt: skip
            board = run_phase(
                target, acks, name="board", think=0, mix=[(1, "board", "board")],
                seed=run + 1, **common,
            )  # fmt: skip
            mix = run_phase(
                target, acks, name="mix", think=args.think, mix=MIX, seed=run + 1, **common
            )
            trials.append({"ceiling": ceiling, "board": board, "mix": mix})
        surge = run_phase(
            target, acks, name="surge", clients=args.clients * SURGE_FACTOR,
            seconds=args.seconds, think=args.think, mix=MIX, seed=99,
        )  # fmt: skip
        acked_path = Path(tempfile.mkstemp(prefix="hromada-load-acks-", suffix=".json")[1])
        try:
            acked_path.write_text(
                json.dumps(
                    {
                        "pledge": sorted(acks.pledge),
                        "need": sorted(acks.need),
                        "patch_targets": target.patch_targets,
                    }
                ),
                encoding="utf-8",
            )
            env = {**served.env, "DJANGO_SETTINGS_MODULE": "hromada.settings"}
            counted = _inside(env, "count", str(acked_path))
        finally:
            acked_path.unlink()
    mixes = [t["mix"] for t in trials]
    ceiling_rps = median_of([t["ceiling"] for t in trials], "rps")
    board_rps = median_of([t["board"] for t in trials], "rps")
    writes = written(acks, counted)
    surge_writes = surge["kinds"].get("write", {})
    lost = sum(w["lost"] for w in writes.values()) + acks.replays_bad
    duplicated = max(
        0,
        writes["pledges"]["rows"]
        - len(acks.pledge)
        - _lost_answers(trials, [warm_up, surge], "pledge_api")
        + _lost_answers(trials, [warm_up, surge], "pledge_form"),
    )
    duplicated += max(
        0,
        writes["needs"]["rows"]
        - len(acks.need)
        - _lost_answers(trials, [warm_up, surge], "need_create"),
    )
    targets = {
        "mix_no_errors": all(m["errors"] == 0 for m in mixes),
        "mix_p99_under_250_ms": median_of(mixes, "p99_ms") < P99_CEILING_MS,
        "board_at_least_quarter_of_ceiling": board_rps >= BOARD_SHARE_FLOOR * ceiling_rps,
        "surge_writes_not_failed": surge_writes.get("errors", 0) == 0,
        "no_lost_or_doubled_writes": lost == 0 and duplicated == 0,
    }
    return {
        "database": database,
        "workers": workers,
        "threads_per_worker": int(served.env.get("WEB_THREADS", "4")),
        "clients": args.clients,
        "seconds": median_of(mixes, "seconds"),
        "think_s": args.think,
        "runs": args.runs,
        "rps": median_of(mixes, "rps"),
        "p50_ms": median_of(mixes, "p50_ms"),
        "p95_ms": median_of(mixes, "p95_ms"),
        "p99_ms": median_of(mixes, "p99_ms"),
        "errors": sum(m["errors"] for m in mixes),
        "ceiling_rps": ceiling_rps,
        "board_rps": board_rps,
        "board_share_of_ceiling": round(board_rps / ceiling_rps, 3) if ceiling_rps else 0.0,
        "board_saturated_p99_ms": median_of([t["board"] for t in trials], "p99_ms"),
        "ceiling_saturated_p99_ms": median_of([t["ceiling"] for t in trials], "p99_ms"),
        "kinds": {
            kind: {
                key: median_of([m["kinds"][kind] for m in mixes], key)
                for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
            }
            | {"errors": sum(m["kinds"][kind]["errors"] for m in mixes)}
            for kind in KINDS
        },
        "surge": {
            "clients": surge["clients"],
            "rps": surge["rps"],
            "p50_ms": surge["p50_ms"],
            "p95_ms": surge["p95_ms"],
            "p99_ms": surge["p99_ms"],
            "errors": surge["errors"],
            "shed": surge["shed"],
            **degradation(mixes[len(mixes) // 2], surge),
        },
        "writes": writes,
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "targets": targets,
        "ok": all(targets.values()),
        "phases": [*(p for t in trials for p in t.values()), surge],
    }


def _lost_answers(trials: list[dict[str, Any]], others: list[dict[str, Any]], endpoint: str) -> int:
    """Creates whose answer never came back (or was a 5xx): their row may or may not exist."""
    phases = [*(t["mix"] for t in trials), *others]
    return sum(
        p["endpoints"].get(endpoint, {}).get("transport_errors", 0)
        + p["endpoints"].get(endpoint, {}).get("server_errors", 0)
        for p in phases
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--seconds", type=float, default=PHASE_SECONDS)
    parser.add_argument("--think", type=float, default=THINK_SECONDS)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--inside", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        what, *rest = args.inside
        print(json.dumps(inside_seed() if what == "seed" else inside_count(*rest)))
        return 0
    databases = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    results = [measure(db, w, args) for db in databases for w in args.workers]
    report = {
        "cpus": os.cpu_count(),
        "targets": {
            "clients": args.clients,
            "p99_ms_under": P99_CEILING_MS,
            "board_share_of_ceiling_at_least": BOARD_SHARE_FLOOR,
            "surge_clients": args.clients * SURGE_FACTOR,
        },
        "results": results,
        "ok": all(r["ok"] for r in results),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

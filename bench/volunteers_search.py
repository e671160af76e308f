"""How long does a coordinator wait for "verified drivers with a van, free tomorrow morning,
in the north district" as the registry grows from a town (150) to a region (20,000)?

The real server (`hromada setup` with the demo, then `hromada run`: granian, DEBUG off)
runs on a throwaway var dir; between rounds the registry is grown with made-up volunteers
(skills, vehicles, weekly availability, districts) written straight to its database. For
each size the script times, as the demo coordinator `hub`, over HTTP:

- `baseline`: the registry page with no filter (count and first page of 50),
- `search`: the same page with skill, vehicle, vetting, area and "free tomorrow morning",
- `api`: the same search through `GET /api/volunteers`,

and prints JSON: median and 95th percentile in milliseconds per request, and the number of
matches. The ceiling: the page search at 20,000 volunteers answers in under 300 ms (median);
`ok` is false and the exit status 1 when it does not. Works on PostgreSQL too: set
DATABASE_URL to an empty database you may fill.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.signin import demo_code  # noqa: E402
from tests.liveserver import (  # noqa: E402
    HOST,
    SERVE_OPTIONS,
    _free_port,
    _server_env,
    _stop,
    _wait_until_answering,
)

SIZES = [150, 5_000, 20_000]
REQUESTS = 25
CEILING_MS = 300.0
NORTH = "UA59020130010100001"  # the demo's north district

GROW = """
import datetime, random, sys
import django
django.setup()
from django.utils import timezone
from hromada.core.models import Area, Organization
from hromada.volunteers.models import AvailabilitySlot, Volunteer, VolunteerSkill
target = int(sys.argv[1])
hq = Organization.objects.get(volunteer_desk__signups_open=True, volunteer_desk__applications_open=True)
have = Volunteer.objects.filter(organization=hq).count()
areas = list(Area.objects.filter(level="district")) + list(Area.objects.filter(level="settlement"))
rng = random.Random(target)
skills = ["driver", "mason", "cook", "first_aid", "logistics", "teacher", "engineer", "nurse", "it"]
parts = [(360, 720), (720, 1080), (1080, 1440), (0, 360)]
batch = []
for n in range(have, target):
    vehicle = rng.choices(["", "car", "van", "truck"], [70, 18, 8, 4])[0]
    batch.append(Volunteer(
        organization=hq, name=f"Волонтер {n}", phone=f"+38099{n:07d}", source="coordinator",
        vetting=rng.choices(["verified", "unverified", "suspended"], [68, 28, 4])[0],
        vehicle=vehicle, vehicle_seats=3 if vehicle else None, home_area=rng.choice(areas),
        consent_at=timezone.now(), languages=["uk"],
    ))
people = Volunteer.objects.bulk_create(batch, batch_size=2000)
rows, slots = [], []
for v in people:
    chosen = set(rng.sample(skills, rng.choice([1, 2, 3])))
    if v.vehicle:
        chosen.add("driver")
    rows += [VolunteerSkill(volunteer=v, skill=s, level=rng.choice([1, 2, 3]),
                            licence=["B", "C"] if s == "driver" else []) for s in chosen]
    days = rng.sample(range(7), rng.choice([2, 5, 7]))
    start, end = rng.choice(parts)
    slots += [AvailabilitySlot(volunteer=v, weekday=d, start_minute=start, end_minute=end) for d in days]
VolunteerSkill.objects.bulk_create(rows, batch_size=5000)
AvailabilitySlot.objects.bulk_create(slots, batch_size=5000)
print(Volunteer.objects.filter(organization=hq).count())
"""


class Browser:
    """A signed-in session over plain HTTP (no proxy), as the coordinator `hub`."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read()

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        # Our own server on http://127.0.0.1, never a URL from outside.
        request = urllib.request.Request(  # noqa: S310
            self.base + "/login/", data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            landed = response.geturl()
        if "/account/two-factor/" in landed:  # a coordinator: the demo authenticator's code
            page = self.get("/account/two-factor/").decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            data = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "code": demo_code(username)}
            ).encode()
            request = urllib.request.Request(  # noqa: S310
                self.base + "/account/two-factor/",
                data,
                headers={"Referer": self.base + "/account/two-factor/"},
            )
            with self.opener.open(request, timeout=60) as response:
                if "/account/two-factor/" in response.geturl():
                    raise RuntimeError(f"the demo code for {username} was refused")


def timed(browser: Browser, path: str) -> tuple[list[float], bytes]:
    browser.get(path)  # warm-up
    times, body = [], b""
    for _ in range(REQUESTS):
        started = time.perf_counter()
        body = browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return times, body


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hromada-bench-") as tmp:
        env = _server_env(Path(tmp), None)
        if os.environ.get("DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        env["DJANGO_SETTINGS_MODULE"] = "hromada.settings"
        python = [sys.executable, "-m", "hromada"]
        subprocess.run([*python, "setup"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [*python, "run", "--host", HOST, "--port", str(port), *SERVE_OPTIONS],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        rounds = []
        try:
            _wait_until_answering(server, base, log)
            browser = Browser(base)
            browser.sign_in("hub", "hromada-demo")
            tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400))
            query = f"skill=driver&vehicle=van&vetting=verified&area={NORTH}&day={tomorrow}&part=morning"
            for size in SIZES:
                grown = subprocess.run(
                    [sys.executable, "-c", GROW, str(size)], cwd=ROOT, env=env, check=True,
                    capture_output=True, text=True,
                )  # fmt: skip
                baseline, _ = timed(browser, "/volunteers/people/")
                search, page = timed(browser, f"/volunteers/people/?{query}")
                api, answer = timed(browser, f"/api/volunteers?{query}&limit=50")
                matches = json.loads(answer)["count"]
                assert f"{matches} " in page.decode(), "the page and the API disagree"
                rounds.append(
                    {
                        "volunteers": int(grown.stdout.strip().splitlines()[-1]),
                        "matches": matches,
                        "baseline": summary(baseline),
                        "search": summary(search),
                        "api": summary(api),
                    }
                )
        finally:
            _stop(server)
    largest = rounds[-1]
    ok = largest["search"]["median_ms"] <= CEILING_MS
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    print(json.dumps({"database": database, "requests_each": REQUESTS, "rounds": rounds,
                      "ceiling": {"volunteers": largest["volunteers"], "search_median_ms": CEILING_MS, "ok": ok}},
                     indent=2))  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

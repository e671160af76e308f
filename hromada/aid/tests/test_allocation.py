"""The delivery planner: hand-checked cases, reasons, and properties on random instances.

Plain functions, no database. Places are given in kilometres east and north of Okhtyrka.
"""

from __future__ import annotations

import contextlib
import datetime
import math
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import OptimizeResult, linprog

from hromada.aid import allocation
from hromada.aid.allocation import (
    CRITICAL,
    HIGH,
    LOW,
    NORMAL,
    Demand,
    Plan,
    Supply,
    allocate,
    ceiling,
    greedy,
    haversine_km,
)

TODAY = datetime.date(2022, 3, 1)
TOMORROW = TODAY + datetime.timedelta(days=1)
YESTERDAY = TODAY - datetime.timedelta(days=1)
KM_PER_DEGREE = 6371.0088 * math.pi / 180


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def at(east: float, north: float = 0.0) -> tuple[float, float]:
    """Latitude and longitude ``east`` and ``north`` km from the centre of Okhtyrka."""
    lat0, lon0 = 50.31, 34.90
    return lat0 + north / KM_PER_DEGREE, lon0 + east / (
        KM_PER_DEGREE * math.cos(math.radians(lat0))
    )


def stock(
    key: str,
    hub: str,
    item: str,
    quantity: float,
    east: float = 0.0,
    north: float = 0.0,
    expires: datetime.date | None = None,
) -> Supply:
    lat, lon = at(east, north)
    return Supply(key, hub, item, quantity, lat, lon, expires)


def need(
    key: str,
    place: str,
    item: str,
    quantity: float,
    weight: float = NORMAL,
    east: float = 0.0,
    north: float = 0.0,
    needed_by: datetime.date | None = None,
    perishable: bool = False,
) -> Demand:
    lat, lon = at(east, north)
    return Demand(key, place, item, quantity, weight, lat, lon, needed_by, perishable)


@pytest.fixture(params=["auto", "lp"])
def solver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every hand-checked case runs twice: as chosen by size (the MILP), and as the LP."""
    if request.param == "lp":
        monkeypatch.setattr(allocation, "MILP_MAX_PAIRS", 0)
    return str(request.param)


def delivered(plan: Plan) -> dict[Hashable, float]:
    out: dict[Hashable, float] = defaultdict(float)
    for line in plan.lines:
        out[line.demand_key] += line.quantity
    return dict(out)


def taken(plan: Plan) -> dict[Hashable, float]:
    out: dict[Hashable, float] = defaultdict(float)
    for line in plan.lines:
        out[line.supply_key] += line.quantity
    return dict(out)


def one_line(plan: Plan, demand_key: str) -> allocation.Line:
    (line,) = [x for x in plan.lines if x.demand_key == demand_key]
    return line


def usable(s: Supply, d: Demand, today: datetime.date) -> bool:
    """The rule, written out again: same item, not expired, fresh enough for a perishable."""
    if s.item != d.item:
        return False
    if s.expires is None:
        return True
    date = max(today, d.needed_by) if d.perishable and d.needed_by else today
    return s.expires >= date


def assert_feasible(
    plan: Plan,
    supplies: Sequence[Supply],
    demands: Sequence[Demand],
    *,
    capacity: float | None = None,
    max_distance_km: float | None = None,
) -> None:
    """Stock, shortfall, usability, reach, capacity, and the plan's own bookkeeping."""
    by_supply = {s.key: s for s in supplies}
    by_demand = {d.key: d for d in demands}
    for key, qty in taken(plan).items():
        assert qty <= by_supply[key].quantity + 1e-9
    got = delivered(plan)
    for key, qty in got.items():
        assert qty <= by_demand[key].quantity + 1e-9
    for line in plan.lines:
        s, d = by_supply[line.supply_key], by_demand[line.demand_key]
        assert line.quantity > 0
        assert usable(s, d, TODAY)
        assert (line.hub, line.place, line.item) == (s.hub, d.place, d.item)
        km = haversine_km(s.lat, s.lon, d.lat, d.lon)
        assert line.distance_km == pytest.approx(km, abs=1e-3)
        if max_distance_km is not None:
            assert km <= max_distance_km + 1e-9
    in_trips: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for trip in plan.trips:
        assert trip.load == pytest.approx(sum(x.quantity for x in trip.lines), abs=1e-6)
        assert all((x.hub, x.place) == (trip.hub, trip.place) for x in trip.lines)
        if capacity is not None:
            assert trip.load <= capacity + 1e-6
        for x in trip.lines:
            in_trips[(x.supply_key, x.demand_key)] += x.quantity
    in_lines: dict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for line in plan.lines:
        in_lines[(line.supply_key, line.demand_key)] += line.quantity
    assert in_trips.keys() == in_lines.keys()
    for key, qty in in_lines.items():
        assert in_trips[key] == pytest.approx(qty, abs=1e-6)
    assert plan.distance_km == pytest.approx(sum(t.distance_km for t in plan.trips), abs=1e-6)
    wanted = [d for d in demands if d.quantity > 0]
    for d in wanted:
        short = d.quantity - got.get(d.key, 0.0)
        assert plan.unmet.get(d.key, 0.0) == pytest.approx(short if short > 1e-6 else 0.0, abs=1e-6)
    assert set(plan.unmet_reasons) == set(plan.unmet)
    demanded = sum(d.weight * d.quantity for d in wanted)
    weight = sum(d.weight * got.get(d.key, 0.0) for d in wanted)
    assert plan.weighted_fulfilment == pytest.approx(weight / demanded if demanded else 1.0)


def reference_weight(
    supplies: Sequence[Supply],
    demands: Sequence[Demand],
    max_distance_km: float | None = None,
) -> float:
    """The most weight any plan delivers: an LP over every (batch, need) pair, written out
    independently of the module (no merged batches, no places, no items decomposition)."""
    pairs = [
        (i, j)
        for i, s in enumerate(supplies)
        for j, d in enumerate(demands)
        if s.quantity > 0
        and d.quantity > 0
        and usable(s, d, TODAY)
        and (max_distance_km is None or haversine_km(s.lat, s.lon, d.lat, d.lon) <= max_distance_km)
    ]
    if not pairs:
        return 0.0
    rows = [i for i, _ in pairs] + [len(supplies) + j for _, j in pairs]
    cols = list(range(len(pairs))) * 2
    a_ub = sparse.csc_array(
        (np.ones(2 * len(pairs)), (rows, cols)), shape=(len(supplies) + len(demands), len(pairs))
    )
    b_ub = [max(s.quantity, 0.0) for s in supplies] + [max(d.quantity, 0.0) for d in demands]
    res = linprog([-demands[j].weight for _, j in pairs], A_ub=a_ub, b_ub=b_ub, method="highs")
    assert res.status == 0
    return -float(res.fun)


def plan_weight(plan: Plan, demands: Sequence[Demand]) -> float:
    got = delivered(plan)
    return sum(d.weight * got.get(d.key, 0.0) for d in demands)


# --- hand-checked cases ---------------------------------------------------------------------


def test_priority_wins_over_distance(solver: str) -> None:
    supplies = [stock("s", "hub", "insulin", 10)]
    demands = [
        need("shelter", "school", "insulin", 10, LOW, east=0.5),
        need("icu", "hospital", "insulin", 10, CRITICAL, east=40),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert delivered(plan) == {"icu": 10}
    assert plan.unmet == {"shelter": 10}
    assert plan.unmet_reasons["shelter"] == {"code": "taken_by_more_urgent"}
    assert plan.weighted_fulfilment == pytest.approx(80 / 90)


def test_distance_breaks_ties_between_equal_priorities(solver: str) -> None:
    supplies = [stock("west", "W", "water", 10, east=-10), stock("east", "E", "water", 10, east=10)]
    demands = [
        need("a", "east-shelter", "water", 10, HIGH, east=9),
        need("b", "west-shelter", "water", 10, HIGH, east=-9),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert {(x.supply_key, x.demand_key, x.quantity) for x in plan.lines} == {
        ("east", "a", 10),
        ("west", "b", 10),
    }
    assert plan.distance_km == pytest.approx(2.0, abs=1e-3)
    assert one_line(plan, "a").reason == {
        "code": "nearest_with_stock",
        "distance_km": pytest.approx(1.0, abs=1e-3),
        "alternatives": 1,
        "nearer_hubs": 0,
        "quantity": "fills_need",
    }


def test_equal_priorities_share_scarce_stock_by_distance(solver: str) -> None:
    supplies = [stock("s", "hub", "bread", 10)]
    demands = [
        need("far", "village", "bread", 10, NORMAL, east=20),
        need("near", "town", "bread", 10, NORMAL, east=2),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert delivered(plan) == {"near": 10}
    assert plan.unmet_reasons["far"] == {"code": "shared_with_equal_priority"}


def test_stock_and_shortfall_are_never_exceeded(solver: str) -> None:
    supplies = [
        stock("a1", "A", "flour", 7, east=1),
        stock("a2", "A", "flour", 5, east=1),
        stock("b1", "B", "flour", 4, east=6),
    ]
    demands = [
        need("n1", "bakery", "flour", 9, HIGH, east=2),
        need("n2", "bakery", "flour", 3.5, NORMAL, east=2),
        need("n3", "canteen", "flour", 6, NORMAL, east=5),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert_feasible(plan, supplies, demands)
    assert sum(taken(plan).values()) == pytest.approx(16)
    assert delivered(plan)["n1"] == pytest.approx(9)


def test_batches_with_the_same_expiry_are_used_in_input_order(solver: str) -> None:
    supplies = [stock("first", "A", "rice", 4), stock("second", "A", "rice", 4)]
    plan = allocate(supplies, [need("n", "p", "rice", 6, east=1)], today=TODAY)
    assert taken(plan) == {"first": 4, "second": 2}


def test_expired_batches_are_never_used(solver: str) -> None:
    supplies = [stock("old", "A", "milk", 50, expires=YESTERDAY)]
    demands = [need("n", "p", "milk", 5, CRITICAL, east=1)]
    plan = allocate(supplies, demands, today=TODAY)
    assert plan.lines == []
    assert plan.unmet_reasons == {"n": {"code": "no_usable_stock"}}


def test_a_batch_expiring_today_is_still_used(solver: str) -> None:
    supplies = [stock("today", "A", "milk", 5, expires=TODAY)]
    plan = allocate(supplies, [need("n", "p", "milk", 5, east=1)], today=TODAY)
    assert taken(plan) == {"today": 5}


def test_perishable_need_never_gets_a_batch_expiring_before_its_date(solver: str) -> None:
    supplies = [
        stock("soon", "near", "bread", 10, east=1, expires=day(1)),
        stock("fresh", "far", "bread", 4, east=30, expires=day(5)),
    ]
    demands = [need("n", "p", "bread", 10, HIGH, needed_by=day(3), perishable=True)]
    plan = allocate(supplies, demands, today=TODAY)
    assert taken(plan) == {"fresh": 4}
    assert plan.unmet == {"n": 6}
    assert one_line(plan, "n").reason["code"] == "nearest_with_stock"  # the nearest usable one
    assert one_line(plan, "n").reason["quantity"] == "partial_stock"
    assert one_line(plan, "n").reason["short_by"] == 6
    assert plan.unmet_reasons["n"] == {"code": "not_enough_stock"}


def test_a_need_that_is_not_perishable_may_get_a_batch_dated_before_its_date(
    solver: str,
) -> None:
    supplies = [stock("soon", "A", "soap", 10, east=1, expires=day(1))]
    plan = allocate(supplies, [need("n", "p", "soap", 10, needed_by=day(3))], today=TODAY)
    assert taken(plan) == {"soon": 10}


def test_earliest_expiring_batch_goes_first(solver: str) -> None:
    supplies = [
        stock("later", "A", "yoghurt", 10, expires=day(9)),
        stock("never", "A", "yoghurt", 10),
        stock("sooner", "A", "yoghurt", 10, expires=day(2)),
    ]
    demands = [need("n", "p", "yoghurt", 15, east=1)]
    plan = allocate(supplies, demands, today=TODAY)
    assert taken(plan) == {"sooner": 10, "later": 5}
    reasons = {x.supply_key: x.reason["batch"] for x in plan.lines}
    assert reasons == {"sooner": "earliest_expiry", "later": "earlier_batches_used"}


def test_earliest_expiry_first_still_feeds_the_pickiest_need(solver: str) -> None:
    supplies = [
        stock("d2", "A", "bread", 5, expires=day(2)),
        stock("d6", "A", "bread", 5, expires=day(6)),
    ]
    demands = [
        need("picky", "p", "bread", 5, NORMAL, east=1, needed_by=day(4), perishable=True),
        need("easy", "p", "bread", 5, NORMAL, east=1),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert {(x.supply_key, x.demand_key) for x in plan.lines} == {("d6", "picky"), ("d2", "easy")}
    assert one_line(plan, "picky").reason["batch"] == "earlier_batches_expire_too_soon"
    assert one_line(plan, "easy").reason["batch"] == "earliest_expiry"


def test_capacity_splits_a_load_into_trips(solver: str) -> None:
    supplies = [stock("s", "hub", "water", 100)]
    demands = [need("a", "shelter", "water", 18, east=3), need("b", "shelter", "water", 7, east=3)]
    plan = allocate(supplies, demands, today=TODAY, capacity=10)
    assert sorted(t.load for t in plan.trips) == [5, 10, 10]
    assert plan.distance_km == pytest.approx(9.0, abs=1e-3)
    assert_feasible(plan, supplies, demands, capacity=10)


def test_without_capacity_one_trip_per_hub_and_place(solver: str) -> None:
    supplies = [stock("s", "hub", "water", 100), stock("t", "hub", "soap", 100)]
    demands = [need("a", "shelter", "water", 18, east=3), need("b", "shelter", "soap", 7, east=3)]
    plan = allocate(supplies, demands, today=TODAY)
    assert [(t.hub, t.place, t.load) for t in plan.trips] == [("hub", "shelter", 25)]


def test_an_item_nobody_has_stays_unmet(solver: str) -> None:
    plan = allocate([stock("s", "A", "bread", 5)], [need("n", "p", "generator", 1)], today=TODAY)
    assert plan.lines == []
    assert plan.unmet == {"n": 1}
    assert plan.unmet_reasons == {"n": {"code": "no_stock"}}


@pytest.mark.parametrize(
    ("supplies", "demands", "fulfilment"),
    [
        ([], [], 1.0),
        ([stock("s", "A", "bread", 5)], [], 1.0),
        ([], [need("n", "p", "bread", 5)], 0.0),
        ([stock("s", "A", "bread", 0)], [need("n", "p", "bread", 0)], 1.0),
    ],
)
def test_empty_inputs(
    solver: str, supplies: list[Supply], demands: list[Demand], fulfilment: float
) -> None:
    plan = allocate(supplies, demands, today=TODAY, capacity=10)
    assert (plan.lines, plan.trips, plan.distance_km) == ([], [], 0.0)
    assert plan.weighted_fulfilment == fulfilment
    assert plan.unmet == {d.key: d.quantity for d in demands if d.quantity > 0}


def test_beyond_max_distance_stays_unmet_and_says_how_far(solver: str) -> None:
    supplies = [stock("s", "A", "fuel", 100, east=50)]
    plan = allocate(supplies, [need("n", "p", "fuel", 5)], today=TODAY, max_distance_km=20)
    assert plan.lines == []
    assert plan.unmet_reasons["n"] == {
        "code": "beyond_max_distance",
        "nearest_km": pytest.approx(50, abs=0.01),
    }


def test_max_distance_leaves_the_far_hub_out(solver: str) -> None:
    supplies = [stock("near", "A", "fuel", 3, east=5), stock("far", "B", "fuel", 100, east=50)]
    demands = [need("n", "p", "fuel", 5)]
    plan = allocate(supplies, demands, today=TODAY, max_distance_km=20)
    assert taken(plan) == {"near": 3}
    assert plan.unmet_reasons["n"] == {"code": "not_enough_stock"}


# --- reasons --------------------------------------------------------------------------------


def test_reason_nearer_hub_exhausted_by_a_more_urgent_need(solver: str) -> None:
    # Hub N is 1 km from both; hub F is 5 km from the clinic, 7 km from the hospital.
    supplies = [stock("near", "N", "insulin", 5), stock("far", "F", "insulin", 3, east=-6)]
    demands = [
        need("routine", "clinic", "insulin", 5, NORMAL, east=-1),
        need("icu", "hospital", "insulin", 5, CRITICAL, east=1),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert one_line(plan, "icu").supply_key == "near"
    assert one_line(plan, "routine").reason == {
        "code": "nearer_hub_exhausted_by_more_urgent",
        "distance_km": pytest.approx(5, abs=1e-3),
        "alternatives": 1,
        "nearer_hubs": 1,
        "quantity": "partial_stock",
        "short_by": 2,
    }
    assert plan.unmet_reasons == {"routine": {"code": "taken_by_more_urgent"}}


def test_reason_nearer_hub_exhausted_by_an_equal_need_to_drive_less(solver: str) -> None:
    # Both need stock 1 km from hub N; the west shelter is also 3 km from hub W, the east
    # one 9 km from hub E: sending W to the west shelter saves 6 km overall.
    supplies = [
        stock("n", "N", "water", 10, east=0),
        stock("w", "W", "water", 10, east=-4),
        stock("e", "E", "water", 10, east=10),
    ]
    demands = [
        need("west", "west-shelter", "water", 10, HIGH, east=-1),
        need("east", "east-shelter", "water", 10, HIGH, east=1),
    ]
    plan = allocate(supplies, demands, today=TODAY)
    assert one_line(plan, "east").supply_key == "n"
    assert one_line(plan, "west").supply_key == "w"
    assert one_line(plan, "west").reason["code"] == "nearer_hub_exhausted"


def test_reason_nearer_hub_short_when_the_need_took_all_it_had(solver: str) -> None:
    supplies = [stock("near", "N", "water", 4, east=1), stock("far", "F", "water", 10, east=8)]
    plan = allocate(supplies, [need("n", "p", "water", 10)], today=TODAY, capacity=4)
    reasons = {x.supply_key: x.reason for x in plan.lines}
    assert reasons["near"]["code"] == "nearest_with_stock"
    assert reasons["far"]["code"] == "nearer_hub_short"
    assert reasons["far"]["quantity"] == reasons["near"]["quantity"] == "shares_need"


def test_greedy_serves_needs_in_the_given_order_and_says_so() -> None:
    supplies = [stock("s", "hub", "insulin", 10)]
    demands = [
        need("first", "school", "insulin", 10, LOW, east=1),
        need("icu", "hospital", "insulin", 10, CRITICAL, east=2),
    ]
    plan = greedy(supplies, demands, today=TODAY)
    assert (plan.method, delivered(plan)) == ("greedy", {"first": 10})
    assert plan.unmet_reasons["icu"] == {"code": "taken_by_less_urgent"}
    assert allocate(supplies, demands, today=TODAY).weighted_fulfilment > plan.weighted_fulfilment


def test_greedy_takes_from_the_nearest_hub_with_stock_then_the_next() -> None:
    supplies = [stock("far", "F", "salt", 10, east=9), stock("near", "N", "salt", 3, east=2)]
    plan = greedy(supplies, [need("n", "p", "salt", 5)], today=TODAY)
    assert taken(plan) == {"near": 3, "far": 2}
    assert_feasible(plan, supplies, [need("n", "p", "salt", 5)])


def test_the_milp_gathers_a_place_onto_fewer_trips() -> None:
    # The shelter needs bread and water. Hub A (5 km) has both; B (4 km) has only bread and
    # C (4 km) only water. Nearest-per-item drives 4 + 4 km; one trip from A drives 5.
    supplies = [
        stock("a-bread", "A", "bread", 10, east=5),
        stock("a-water", "A", "water", 10, east=5),
        stock("b-bread", "B", "bread", 10, north=4),
        stock("c-water", "C", "water", 10, north=-4),
    ]
    demands = [need("bread", "shelter", "bread", 10), need("water", "shelter", "water", 10)]
    plan = allocate(supplies, demands, today=TODAY)
    assert (plan.method, plan.status) == ("milp", "optimal")
    assert {x.hub for x in plan.lines} == {"A"}
    assert plan.distance_km == pytest.approx(5, abs=1e-3)
    assert {x.reason["code"] for x in plan.lines} == {"fewer_trips"}
    assert plan.unit_km == pytest.approx(100, abs=0.01)


@pytest.mark.parametrize("rounds", [0, allocation.SLOPE_ROUNDS])
def test_weight_is_never_traded_for_distance_on_a_long_chain(
    monkeypatch: pytest.MonkeyPatch, rounds: int
) -> None:
    """Serving one more unit needs every hub to send to its far neighbour.

    Hubs H1..H(n+1) stand 1.5 km apart with 1 unit each; shelter Pj is 0.1 km from Hj and
    1.4 km from H(j+1) (both within the 1.45 km limit), P0 reaches only H1, and H(n+1) only
    Pn. Nearest-first serves P1..Pn and strands H(n+1)'s unit. Serving all n + 1 shelters
    gains 1 unit of low-priority weight for 1.4 (n + 1) - 0.1 n km more: an epsilon of one
    over the longest distance would not pay that, the priority scale (which grows with the
    number of hubs on a path) does.
    """
    monkeypatch.setattr(allocation, "MILP_MAX_PAIRS", 0)
    monkeypatch.setattr(allocation, "SLOPE_ROUNDS", rounds)
    n = 25
    supplies = [stock(f"h{j}", f"H{j}", "water", 1, east=1.5 * j) for j in range(1, n + 2)]
    demands = [need(f"p{j}", f"P{j}", "water", 1, LOW, east=1.5 * j + 0.1) for j in range(0, n + 1)]
    plan = allocate(supplies, demands, today=TODAY, max_distance_km=1.45)
    assert plan.unmet == {}
    assert plan.weighted_fulfilment == 1.0
    assert plan.unit_km == pytest.approx(1.4 * (n + 1), abs=0.01)
    nearest_first = greedy(supplies, demands[1:] + demands[:1], today=TODAY, max_distance_km=1.45)
    assert nearest_first.unmet == {"p0": 1}


def test_priority_scale_outweighs_any_path_of_distances() -> None:
    supplies = [stock(f"h{j}", f"H{j}", "water", 1, east=3.0 * j) for j in range(4)]
    demands = [
        need(f"p{j}", f"P{j}", "water", 1, w, east=3.0 * j + 1) for j, w in enumerate([1, 2, 4, 8])
    ]
    inst = allocation._Instance(supplies, demands, TODAY, None)
    # delta = 1 (the least weight and the least gap), F = 4 hubs, c_max = 10 km.
    assert inst.priority_scale(inst.arc_c) == pytest.approx(2 * 4 * inst.arc_c.max() / 1)
    assert inst.arc_c.max() == pytest.approx(10, abs=0.01)


# --- robustness -----------------------------------------------------------------------------


def test_a_failing_solver_falls_back_to_greedy(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> OptimizeResult:
        return OptimizeResult(status=4, message="numerical trouble", x=None)

    monkeypatch.setattr(allocation, "linprog", broken)
    supplies = [stock("s", "A", "bread", 5)]
    plan = allocate(supplies, [need("n", "p", "bread", 3, east=1)], today=TODAY)
    assert (plan.method, plan.status) == ("greedy", "fallback: numerical trouble")
    assert delivered(plan) == {"n": 3}


def test_bad_weights_and_capacities_are_refused() -> None:
    with pytest.raises(ValueError, match="weight"):
        allocate([], [need("n", "p", "bread", 3, weight=0)], today=TODAY)
    with pytest.raises(ValueError, match="capacity"):
        allocate([], [], today=TODAY, capacity=0)


def test_the_same_input_gives_the_same_plan(solver: str) -> None:
    supplies, demands, capacity, max_km = instance_from_seed(7)
    first = allocate(supplies, demands, today=TODAY, capacity=capacity, max_distance_km=max_km)
    second = allocate(supplies, demands, today=TODAY, capacity=capacity, max_distance_km=max_km)
    assert (first.lines, first.trips, first.unmet) == (second.lines, second.trips, second.unmet)
    assert (first.unmet_reasons, first.distance_km) == (second.unmet_reasons, second.distance_km)


# --- properties on random instances ---------------------------------------------------------


def instance_from_seed(
    seed: int,
) -> tuple[list[Supply], list[Demand], float | None, float | None]:
    rng = np.random.default_rng(seed)
    hubs = [(f"H{h}", *rng.uniform(-15, 15, 2)) for h in range(4)]
    places = [(f"P{p}", *rng.uniform(-15, 15, 2)) for p in range(6)]
    items = ["bread", "water", "insulin"]
    supplies = [
        stock(
            f"s{i}",
            hub,
            str(rng.choice(items)),
            float(rng.integers(1, 20)),
            east,
            north,
            expires=None if rng.random() < 0.5 else day(int(rng.integers(-1, 6))),
        )
        for i, (hub, east, north) in enumerate(hubs[int(h)] for h in rng.integers(0, 4, 12))
    ]
    demands = [
        need(
            f"d{j}",
            place,
            str(rng.choice(items)),
            float(rng.integers(1, 15)),
            float(rng.choice([CRITICAL, HIGH, NORMAL, LOW])),
            east,
            north,
            needed_by=day(int(rng.integers(0, 5))),
            perishable=bool(rng.random() < 0.4),
        )
        for j, (place, east, north) in enumerate(places[int(p)] for p in rng.integers(0, 6, 14))
    ]
    return supplies, demands, 12.0, 25.0


@contextlib.contextmanager
def forced(mode: str) -> Iterator[None]:
    """Inside a Hypothesis example, where fixtures do not reach: "lp" turns the MILP off,
    "plain" the slope-scaling rounds too; "auto" leaves the choice by size."""
    saved = allocation.MILP_MAX_PAIRS, allocation.SLOPE_ROUNDS
    if mode in ("lp", "plain"):
        allocation.MILP_MAX_PAIRS = 0
    if mode == "plain":
        allocation.SLOPE_ROUNDS = 0
    try:
        yield
    finally:
        allocation.MILP_MAX_PAIRS, allocation.SLOPE_ROUNDS = saved


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Supply], list[Demand], float | None, float | None]:
    spots = st.tuples(st.integers(-20, 20), st.integers(-20, 20))
    hubs = draw(st.lists(spots, min_size=1, max_size=4))
    places = draw(st.lists(spots, min_size=1, max_size=4))
    items = ["bread", "water", "insulin"]
    quantities = st.sampled_from([0, 0.5, 1, 2, 3, 4.5, 5, 8, 13, 20])
    dates = st.sampled_from([None, YESTERDAY, TODAY, TOMORROW, day(3), day(7)])
    supplies = [
        stock(f"s{i}", f"H{h}", item, qty, *hubs[h], expires=expires)
        for i, (h, item, qty, expires) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, len(hubs) - 1), st.sampled_from(items), quantities, dates
                    ),
                    max_size=8,
                )
            )
        )
    ]
    demands = [
        need(f"d{j}", f"P{p}", item, qty, weight, *places[p], needed_by=date, perishable=perishable)
        for j, (p, item, qty, weight, date, perishable) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, len(places) - 1),
                        st.sampled_from(items),
                        quantities,
                        st.sampled_from([CRITICAL, HIGH, NORMAL, LOW]),
                        dates,
                        st.booleans(),
                    ),
                    max_size=8,
                )
            )
        )
    ]
    capacity = draw(st.sampled_from([None, 1.0, 2.5, 6.0, 30.0]))
    max_distance = draw(st.sampled_from([None, None, 10.0, 25.0]))
    return supplies, demands, capacity, max_distance


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(["auto", "lp"]))
def test_plans_are_feasible_optimal_and_at_least_as_good_as_greedy(
    instance: tuple[list[Supply], list[Demand], float | None, float | None], mode: str
) -> None:
    supplies, demands, capacity, max_km = instance
    with forced(mode):
        plan = allocate(supplies, demands, today=TODAY, capacity=capacity, max_distance_km=max_km)
    base = greedy(supplies, demands, today=TODAY, capacity=capacity, max_distance_km=max_km)
    top = ceiling(supplies, demands, today=TODAY, max_distance_km=max_km)
    assert plan.method == ("milp" if mode == "auto" else "lp") or not plan.lines
    assert plan.status == "optimal"
    assert_feasible(plan, supplies, demands, capacity=capacity, max_distance_km=max_km)
    assert_feasible(base, supplies, demands, capacity=capacity, max_distance_km=max_km)
    best = reference_weight(supplies, demands, max_km)
    assert plan_weight(plan, demands) == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert top.delivered_weight == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert plan.weighted_fulfilment >= base.weighted_fulfilment - 1e-9
    assert plan.weighted_fulfilment == pytest.approx(top.weighted_fulfilment, rel=1e-6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_each_stage_drives_no_more_than_the_one_before(
    instance: tuple[list[Supply], list[Demand], float | None, float | None],
) -> None:
    """The LP's trips, then slope scaling, then the MILP: never more kilometres."""
    supplies, demands, capacity, max_km = instance
    plans = []
    for mode in ["plain", "lp", "auto"]:
        with forced(mode):
            plans.append(
                allocate(supplies, demands, today=TODAY, capacity=capacity, max_distance_km=max_km)
            )
    plain, lp, auto = plans
    assert plain.distance_km >= lp.distance_km - 1e-6 >= auto.distance_km - 2e-6
    assert plain.weighted_fulfilment == pytest.approx(auto.weighted_fulfilment, rel=1e-9)
    assert lp.weighted_fulfilment == pytest.approx(auto.weighted_fulfilment, rel=1e-9)

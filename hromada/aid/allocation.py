"""Plan deliveries: assign stock held at hubs to open needs, and explain every choice.

Pure Python (NumPy, SciPy's HiGHS), no database: the service maps stock batches to
`Supply`, the shortfall of open needs to `Demand`, calls `allocate` and shows the `Plan`.

The model
---------
Batch groups ``g``: usable stock of one item at one hub with one expiry date (batches that
agree on all three are interchangeable and merged), quantity ``q_g``. A batch is usable by
a need when it has not expired (``expires >= today``) and, for a perishable need, does not
expire before the need's date (``expires >= needed_by``); a batch without a date always is.

Needs ``d``: shortfall ``r_d``, priority weight ``w_d`` (critical 8, high 4, normal 2,
low 1). Needs at the same place for the same item with the same usability threshold form
one node ``n`` (they are reached by the same batches over the same roads); within a node,
the needs of one weight form a segment ``s`` with ``cap_s = sum r_d`` and weight ``w_s``.

Arcs ``a = (g, n)``: same item, the batch usable for the node, and the hub within
``max_distance_km`` of the place when given; ``c_a`` is the haversine distance in km.

Variables: ``x_a >= 0`` (quantity along an arc), ``0 <= z_s <= cap_s`` (quantity to the
needs of a segment). Continuous: kilograms and litres are divisible, and with whole-number
data this network's vertices are whole numbers anyway, so the simplex answers in whole
units when the data are whole.

Constraints::

    sum_{a from g} x_a <= q_g                          stock is never exceeded
    sum_{a into n} x_a  = sum_{s in n} z_s             what reaches a place goes to its needs

(each need's shortfall is never exceeded: ``z_s <= cap_s`` and a segment's quantity is
handed to its needs earliest date first, each up to its ``r_d``).

Objective, lexicographic:

1. maximise the priority-weighted quantity delivered ``W = sum_s w_s z_s``;
2. then minimise distance.

Distance is what drivers drive: trips. Stage 2 runs in up to three steps, each kept only
if it drives less than the one before (sizes and timings in bench/README.md):

1. LP, any size: minimise quantity-kilometres ``U = sum_a c_a x_a`` in one objective
   ``min sum_a (c_a / K) x_a - sum_s w_s z_s``, with ``K`` so large that no kilometre saved
   can buy a loss of delivered weight. Proof: if ``x`` delivers less ``W`` than the
   maximum, the difference to a maximal solution decomposes into augmenting paths and
   cycles of the residual network; cycles leave ``W`` unchanged, so some path raises it, by
   at least ``delta`` per unit (``delta``: the smallest weight, or the smallest positive
   difference of two weights, as such a path ends in a segment of greater weight or starts
   from unused stock). The path adds at most ``F`` arcs of at most ``c_max`` km each,
   ``F <= min(#groups, #nodes)`` of one item. With ``K > F c_max / delta`` that path improves
   the combined objective, so every optimum of the combined LP maximises ``W`` first. We
   take ``K = 2 F c_max / delta`` (a test has a chain that needs the whole ``F``). Items do
   not interact here, so the LP is solved item by item, small items batched together
   (HiGHS takes far fewer iterations on several small problems than on their union).
   Trips are then ``ceil(load / C)`` for each hub and place; with a capacity, ``U / C`` is
   exactly the LP relaxation of the trip count below.
2. Slope scaling, up to ``SLOPE_MAX_ARCS`` arcs: the same LP re-solved with each hub-place
   pair priced per unit by the kilometres its trips actually drove (``km * trips / load``),
   so loads gather on fewer trips; every round still maximises ``W`` (same ``K`` argument).
3. MILP, small instances (``MILP_MAX_*``): the kilometres driven, exactly. Integer trips
   ``n_k >= 0`` for each hub-place pair ``k``, ``sum_{a in k} x_a <= C_k n_k`` with
   ``C_k = C`` (or, without a capacity, the most that can move between the pair, which
   makes ``n_k`` a 0/1 "someone drives there"), every node receiving exactly what step 2
   gave it (so ``W = W*`` holds exactly, with no tolerance to trade), objective
   ``min sum_k c_k n_k``: a place that needs five items gets one trip from one hub rather
   than five from five nearest hubs. An LP with those trips fixed then minimises ``U``.
   HiGHS stops within ``MIP_GAP`` or after ``MILP_SECONDS`` (status ``time_limit``: the best
   plan found, used only if it drives less).

Ties are broken by input order, so the same input gives the same plan. Within a place,
a segment's quantity goes to its needs earliest ``needed_by`` first, and a node's stock
goes to its more urgent needs from the nearest hubs first. Within a hub, the earliest-
expiring usable batches go first: each hub's share of an item is handed to its needs
least restrictive first, each taking the earliest usable batch (an exchange argument shows
this never turns a feasible split infeasible).

Figures: ``Plan.distance_km`` is the sum over trips of the one-way hub-to-place distance
(what drivers drive out); ``Plan.unit_km`` is quantity times kilometres;
``weighted_fulfilment`` is ``W / sum_d w_d r_d``.

Reasons (machine-readable, for the page to translate)
-----------------------------------------------------
``Line.reason["code"]``, why this hub:

* ``nearest_with_stock``: no nearer hub had usable stock of the item.
* ``nearer_hub_short``: nearer hubs had some and all of it went to this need; the rest
  comes from here.
* ``nearer_hub_exhausted_by_more_urgent``: nearer stock went to needs of higher priority.
* ``nearer_hub_exhausted``: nearer stock went to needs of the same or lower priority
  (for the optimiser: the total distance is shorter that way; for greedy: they came first).
* ``fewer_trips``: a nearer hub still has some, but this hub drives to the place anyway
  (loads gathered on fewer trips, by step 2 or 3).

with ``distance_km``, ``alternatives`` (other hubs with usable stock within reach) and
``nearer_hubs``. ``reason["quantity"]``, why this quantity: ``fills_need`` (this line covers
the shortfall), ``shares_need`` (with lines from other hubs it does), ``partial_stock``
(the need stays short by ``reason["short_by"]``: all usable stock in reach is used).
``reason["batch"]``, when the hub holds the item with more than one expiry date:
``earliest_expiry``, ``earlier_batches_used`` (they went to other needs) or
``earlier_batches_expire_too_soon`` (before the need's date).

``Plan.unmet_reasons[key]["code"]``, why a need stays short: ``no_stock`` (no hub holds the
item), ``no_usable_stock`` (every batch expired or expires too soon), ``beyond_max_distance``
(with ``nearest_km``), ``taken_by_more_urgent``, ``taken_by_less_urgent`` (only greedy does
that), ``shared_with_equal_priority``, ``not_enough_stock`` (it got all there was in reach).
"""

from __future__ import annotations

import datetime
import math
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

CRITICAL = 8.0
HIGH = 4.0
NORMAL = 2.0
LOW = 1.0
PRIORITY_WEIGHTS: dict[str, float] = {
    "critical": CRITICAL,
    "high": HIGH,
    "normal": NORMAL,
    "low": LOW,
}

EARTH_RADIUS_KM = 6371.0088

# Exact trip MILP up to this size (hub-place pairs, arcs); bench/README.md has the timings.
MILP_MAX_PAIRS = 200
MILP_MAX_ARCS = 2000
# The MILP stops when its plan is proven within this fraction of the fewest kilometres.
MIP_GAP = 1e-3
# Slope-scaling rounds after the first LP: at most this many, up to this many arcs.
SLOPE_ROUNDS = 8
SLOPE_MAX_ARCS = 25_000
# The exact trip MILP gets at most this long (its best plan is kept if it drives less).
MILP_SECONDS = 3.0
# Items are solved in LPs of about this many arcs (a big item alone). On these network LPs
# HiGHS's dual simplex is about 40 % faster with devex pricing and without presolve
# (measured on the 10,000-need benchmark, same optimum).
CHUNK_ARCS = 10_000
LP_OPTIONS: dict[str, Any] = {"presolve": False, "simplex_dual_edge_weight_strategy": "devex"}
# Quantities are rounded to this many decimals; less than EPS is solver noise.
QUANTITY_DECIMALS = 6
EPS = 10.0**-QUANTITY_DECIMALS

_NEVER = np.iinfo(np.int64).max  # the expiry (or date) of what has none

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Flows = dict[tuple[int, int], float]  # (batch group, need) -> quantity
_K = TypeVar("_K", bound=Hashable)


@dataclass(frozen=True)
class Supply:
    """Stock of one item, one batch, at one hub."""

    key: Hashable  # e.g. (hub_id, item_id, batch, expiry)
    hub: Hashable
    item: Hashable
    quantity: float
    lat: float
    lon: float
    expires: datetime.date | None = None


@dataclass(frozen=True)
class Demand:
    """The shortfall of one open need."""

    key: Hashable  # need id
    place: Hashable
    item: Hashable
    quantity: float
    weight: float  # PRIORITY_WEIGHTS
    lat: float
    lon: float
    needed_by: datetime.date | None = None
    perishable: bool = False


@dataclass(frozen=True)
class Line:
    """A quantity of one batch for one need, and why."""

    supply_key: Hashable
    demand_key: Hashable
    hub: Hashable
    place: Hashable
    item: Hashable
    quantity: float
    distance_km: float
    reason: dict[str, Any]


@dataclass(frozen=True)
class Trip:
    """One vehicle from a hub to a place; its lines are pieces of the plan's lines."""

    hub: Hashable
    place: Hashable
    lines: list[Line]
    load: float
    distance_km: float = 0.0


@dataclass(frozen=True)
class Plan:
    lines: list[Line]
    trips: list[Trip]
    unmet: dict[Hashable, float]
    weighted_fulfilment: float
    distance_km: float  # sum over trips of the one-way hub-to-place distance
    solve_seconds: float
    method: str  # "milp", "lp" (steps 1-2) or "greedy"
    status: str  # "optimal", "time_limit" (best found in time) or "fallback: <why>"
    unmet_reasons: dict[Hashable, dict[str, Any]] = field(default_factory=dict)
    unit_km: float = 0.0  # sum over lines of quantity times distance


@dataclass(frozen=True)
class Ceiling:
    """The LP relaxation's optimum of the first objective."""

    weighted_fulfilment: float
    delivered_weight: float
    solve_seconds: float
    status: str


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    one = np.ones(1)
    return float(_haversine(lat1 * one, lon1 * one, lat2 * one, lon2 * one)[0])


def _haversine(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _index(values: Iterable[_K]) -> dict[_K, int]:
    """Position of each distinct value, in order of first appearance."""
    out: dict[_K, int] = {}
    for value in values:
        out.setdefault(value, len(out))
    return out


class _SolveError(Exception):
    pass


class _Instance:
    """The inputs as arrays: needs ``d``, nodes ``n``, segments ``s``, groups ``g``, arcs ``a``.

    Arcs are sorted by (node, distance, expiry, group): each node's arcs are the slice
    ``n_start[n]:n_start[n + 1]``, nearest first.
    """

    def __init__(
        self,
        supplies: Iterable[Supply],
        demands: Iterable[Demand],
        today: datetime.date,
        max_distance_km: float | None,
    ) -> None:
        self.supplies = [s for s in supplies if s.quantity > 0]
        self.demands = [d for d in demands if d.quantity > 0]
        for demand in self.demands:
            if not (demand.weight > 0 and math.isfinite(demand.weight)):
                raise ValueError(f"need {demand.key!r}: weight must be positive")
        today_ord = today.toordinal()

        self.items = _index([s.item for s in self.supplies] + [d.item for d in self.demands])
        self.hubs = _index(s.hub for s in self.supplies)
        self.places = _index(d.place for d in self.demands)
        hub_at = {s.hub: (s.lat, s.lon) for s in reversed(self.supplies)}
        place_at = {d.place: (d.lat, d.lon) for d in reversed(self.demands)}
        hub_xy = np.array([hub_at[h] for h in self.hubs], dtype=np.float64).reshape(-1, 2)
        place_xy = np.array([place_at[p] for p in self.places], dtype=np.float64).reshape(-1, 2)
        self.dist: FloatArray = _haversine(
            hub_xy[:, :1], hub_xy[:, 1:], place_xy[None, :, 0], place_xy[None, :, 1]
        )

        # Needs, their nodes (place, item, threshold) and segments (node, weight).
        self.d_weight = np.array([d.weight for d in self.demands], dtype=np.float64)
        self.d_qty = np.array([d.quantity for d in self.demands], dtype=np.float64)
        self.d_threshold = np.array(
            [
                max(today, d.needed_by).toordinal() if d.perishable and d.needed_by else today_ord
                for d in self.demands
            ],
            dtype=np.int64,
        )
        due = [_NEVER if d.needed_by is None else d.needed_by.toordinal() for d in self.demands]
        nodes = _index(
            (self.places[d.place], self.items[d.item], t)
            for d, t in zip(self.demands, self.d_threshold.tolist(), strict=True)
        )
        node_keys = np.array(list(nodes), dtype=np.int64).reshape(-1, 3)
        self.n_place, self.n_item, self.n_threshold = node_keys.T
        self.d_node = np.array(
            [
                nodes[(self.places[d.place], self.items[d.item], t)]
                for d, t in zip(self.demands, self.d_threshold.tolist(), strict=True)
            ],
            dtype=np.int64,
        ).reshape(-1)
        self.d_item = self.n_item[self.d_node]
        segments = _index(zip(self.d_node.tolist(), self.d_weight.tolist(), strict=True))
        self.d_segment = np.array(
            [segments[k] for k in zip(self.d_node.tolist(), self.d_weight.tolist(), strict=True)],
            dtype=np.int64,
        ).reshape(-1)
        self.s_node = np.array([k[0] for k in segments], dtype=np.int64).reshape(-1)
        self.s_weight = np.array([k[1] for k in segments], dtype=np.float64).reshape(-1)
        self.s_cap = np.bincount(self.d_segment, weights=self.d_qty, minlength=len(segments))
        # Who gets a segment's quantity first (earliest date), a node's nearest stock first
        # (most urgent, then earliest date); input order breaks ties.
        self.s_needs: list[list[int]] = [[] for _ in segments]
        self.n_needs: list[list[int]] = [[] for _ in nodes]
        for d in sorted(range(len(self.demands)), key=lambda d: (due[d], d)):
            self.s_needs[self.d_segment[d]].append(d)
        for d in sorted(range(len(self.demands)), key=lambda d: (-self.d_weight[d], due[d], d)):
            self.n_needs[self.d_node[d]].append(d)

        # Batch groups: usable stock merged by (hub, item, expiry), in input order.
        self.item_stocked = np.zeros(len(self.items), dtype=bool)  # any batch, even expired
        groups: dict[tuple[int, int, int], list[int]] = {}
        for i, s in enumerate(self.supplies):
            item = self.items[s.item]
            self.item_stocked[item] = True
            expires = _NEVER if s.expires is None else s.expires.toordinal()
            if expires >= today_ord:
                groups.setdefault((self.hubs[s.hub], item, expires), []).append(i)
        self.g_members = list(groups.values())
        group_keys = np.array(list(groups), dtype=np.int64).reshape(-1, 3)
        self.g_hub, self.g_item, self.g_exp = group_keys.T
        self.g_qty = np.array(
            [sum(self.supplies[i].quantity for i in m) for m in self.g_members], dtype=np.float64
        )
        self.item_latest = np.full(len(self.items), -1, dtype=np.int64)
        np.maximum.at(self.item_latest, self.g_item, self.g_exp)

        # Arcs, item by item.
        g_of_item: dict[int, list[int]] = defaultdict(list)
        for g, item in enumerate(self.g_item.tolist()):
            g_of_item[item].append(g)
        n_of_item: dict[int, list[int]] = defaultdict(list)
        for n, item in enumerate(self.n_item.tolist()):
            n_of_item[item].append(n)
        parts: list[tuple[IntArray, IntArray, FloatArray]] = []
        for item, node_list in n_of_item.items():
            if item in g_of_item:
                gs, ns = np.array(g_of_item[item]), np.array(node_list)
                km = self.dist[self.g_hub[gs]][:, self.n_place[ns]]
                ok = self.g_exp[gs, None] >= self.n_threshold[None, ns]
                if max_distance_km is not None:
                    ok &= km <= max_distance_km
                gi, ni = np.nonzero(ok)
                parts.append((gs[gi], ns[ni], km[gi, ni]))
        arc_g = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        arc_n = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
        arc_c = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0)
        order = np.lexsort((arc_g, self.g_exp[arc_g], arc_c, arc_n))
        self.arc_g: IntArray = arc_g[order].astype(np.int64)
        self.arc_n: IntArray = arc_n[order].astype(np.int64)
        self.arc_c: FloatArray = arc_c[order].astype(float)
        self.n_start = np.searchsorted(self.arc_n, np.arange(len(nodes) + 1)).astype(np.int64)

    @property
    def demanded_weight(self) -> float:
        return float(self.d_weight @ self.d_qty)

    def reachable_segments(self) -> IntArray:
        """Segments whose node has at least one arc (the others get nothing)."""
        reached = np.diff(self.n_start) > 0
        return np.flatnonzero(reached[self.s_node]).astype(np.int64)

    def priority_scale(self, unit_cost: FloatArray) -> float:
        """``K`` of the module docstring: costs divided by it never outweigh priority.

        ``unit_cost`` is each arc's cost per unit (kilometres, or the slope-scaled cost).
        """
        if not len(unit_cost):
            return 1.0
        weights = np.unique(self.d_weight)
        delta = float(min(weights[0], np.diff(weights).min(initial=weights[0])))
        # Forward arcs on a simple augmenting path: at most min(#groups, #nodes) of an item.
        groups = np.bincount(self.g_item[np.unique(self.arc_g)], minlength=len(self.items))
        nodes = np.bincount(self.n_item[np.unique(self.arc_n)], minlength=len(self.items))
        forward = int(np.minimum(groups, nodes).max())
        return max(1.0, 2.0 * forward * float(unit_cost.max()) / delta)


# --- solving --------------------------------------------------------------------------------


def _network(
    inst: _Instance, arcs: IntArray, segments: IntArray
) -> tuple[sparse.csc_array, FloatArray, sparse.csc_array, IntArray]:
    """Stock rows (<= q_g) and balance rows (inflow - outflow) over [x_arcs, z_segments].

    Also returns the nodes of the balance rows.
    """
    m, k = len(arcs), len(segments)
    groups, g_row = np.unique(inst.arc_g[arcs], return_inverse=True)
    nodes, n_row = np.unique(
        np.concatenate([inst.arc_n[arcs], inst.s_node[segments]]), return_inverse=True
    )
    stock = sparse.csc_array(
        (np.ones(m), (g_row.reshape(-1), np.arange(m))), shape=(len(groups), m + k)
    )
    balance = sparse.csc_array(
        (np.concatenate([np.ones(m), -np.ones(k)]), (n_row.reshape(-1), np.arange(m + k))),
        shape=(len(nodes), m + k),
    )
    return stock, inst.g_qty[groups], balance, nodes.astype(np.int64)


def _solve_network(
    inst: _Instance, arcs: IntArray, segments: IntArray, arc_cost: FloatArray, deadline: float
) -> tuple[FloatArray, FloatArray]:
    """``min arc_cost x - w z`` over the given arcs and segments: (x, z)."""
    stock, q, balance, _ = _network(inst, arcs, segments)
    upper = np.concatenate([np.full(len(arcs), np.inf), inst.s_cap[segments]])
    res = linprog(
        np.concatenate([arc_cost, -inst.s_weight[segments]]),
        A_ub=stock,
        b_ub=q,
        A_eq=balance,
        b_eq=np.zeros(balance.shape[0]),
        bounds=np.column_stack([np.zeros(len(upper)), upper]),
        method="highs",
        options={"time_limit": max(deadline - time.perf_counter(), 0.01), **LP_OPTIONS},
    )
    if res.status != 0:
        raise _SolveError(res.message)
    return res.x[: len(arcs)], res.x[len(arcs) :]


def _lexicographic_lp(
    inst: _Instance, deadline: float, unit_cost: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Stage 1, then least ``sum unit_cost x``; item by item. Flows on arcs and segments."""
    arc_cost = unit_cost / inst.priority_scale(unit_cost)
    segments = inst.reachable_segments()
    arc_item = inst.n_item[inst.arc_n]
    seg_item = inst.n_item[inst.s_node[segments]]
    arcs_by_item = np.argsort(arc_item, kind="stable")
    segs_by_item = np.argsort(seg_item, kind="stable")
    a_bound = np.searchsorted(arc_item[arcs_by_item], np.arange(len(inst.items) + 1))
    s_bound = np.searchsorted(seg_item[segs_by_item], np.arange(len(inst.items) + 1))
    sizes = np.diff(a_bound)
    x, z = np.zeros(len(inst.arc_g)), np.zeros(len(inst.s_cap))
    chunk: list[int] = []
    # Biggest items first, each alone or with smaller ones up to CHUNK_ARCS arcs.
    for item in [*np.argsort(-sizes, kind="stable").tolist(), None]:
        if item is None or (chunk and sizes[chunk].sum() + sizes[item] > CHUNK_ARCS):
            if chunk:
                arcs = np.concatenate([arcs_by_item[a_bound[i] : a_bound[i + 1]] for i in chunk])
                segs = segments[
                    np.concatenate([segs_by_item[s_bound[i] : s_bound[i + 1]] for i in chunk])
                ]
                x[arcs], z[segs] = _solve_network(inst, arcs, segs, arc_cost[arcs], deadline)
            chunk = []
        if item is not None and sizes[item]:
            chunk.append(item)
    return x, z


def _pairs(inst: _Instance, arcs: IntArray) -> tuple[IntArray, IntArray]:
    """The hub-place pairs of these arcs (codes hub * #places + place) and each arc's pair."""
    code = inst.g_hub[inst.arc_g[arcs]] * max(len(inst.places), 1) + inst.n_place[inst.arc_n[arcs]]
    pair_codes, arc_pair = np.unique(code, return_inverse=True)
    return pair_codes.astype(np.int64), arc_pair.reshape(-1).astype(np.int64)


def _sum_by(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """Sums of ``weights`` by ``index`` (a typed ``np.bincount``)."""
    return np.bincount(index, weights=weights, minlength=size).astype(np.float64)


def _trips_for(load: FloatArray, capacity: float | FloatArray) -> FloatArray:
    """Trips needed for each load (``_trips`` leaves less than EPS behind)."""
    return np.maximum(np.ceil((load - EPS) / capacity), 0.0)


def _trip_km(inst: _Instance, x: FloatArray, capacity: float | None) -> float:
    """Kilometres driven by the trips that carry these arc flows (as ``_trips`` makes them)."""
    arcs = np.flatnonzero(x > EPS)
    pair_codes, arc_pair = _pairs(inst, arcs)
    load = _sum_by(arc_pair, x[arcs], len(pair_codes))
    trips = np.ones(len(load)) if capacity is None else _trips_for(load, capacity)
    n_places = max(len(inst.places), 1)
    return float(trips @ inst.dist[pair_codes // n_places, pair_codes % n_places])


def _fewer_trips(
    inst: _Instance, x: FloatArray, z: FloatArray, capacity: float | None, deadline: float
) -> tuple[FloatArray, FloatArray]:
    """Dynamic slope scaling: re-solve with each hub-place pair priced per unit actually driven.

    A pair that carried load ``L`` in ``t`` trips costs ``km * t / L`` per unit in the next
    round (a pair not used keeps its last price), so loads gather on trips already made.
    Every round is an optimum of the first objective; the plan with the fewest trip
    kilometres is kept. Up to SLOPE_ROUNDS rounds, on instances of up to SLOPE_MAX_ARCS arcs
    (a size rule, not a clock, so that the same input gives the same plan).
    """
    if len(inst.arc_g) > SLOPE_MAX_ARCS:
        return x, z
    pair_codes, arc_pair = _pairs(inst, np.arange(len(inst.arc_g)))
    n_places = max(len(inst.places), 1)
    pair_km = inst.dist[pair_codes // n_places, pair_codes % n_places]
    price = pair_km.copy()
    best, best_km, stale = (x, z), _trip_km(inst, x, capacity), 0
    for _ in range(SLOPE_ROUNDS):
        load = _sum_by(arc_pair, x, len(pair_codes))
        used = load > EPS
        trips = np.ones(used.sum()) if capacity is None else _trips_for(load[used], capacity)
        price[used] = pair_km[used] * trips / load[used]
        try:
            x, z = _lexicographic_lp(inst, deadline, price[arc_pair])
        except _SolveError:  # out of time: keep the best so far
            break
        km = _trip_km(inst, x, capacity)
        best, best_km, stale = (
            ((x, z), km, 0) if km < best_km - 1e-9 else (best, best_km, stale + 1)
        )
        if stale == 2:
            break
    return best


def _trip_milp(
    inst: _Instance, x_lp: FloatArray, z_lp: FloatArray, capacity: float | None, deadline: float
) -> tuple[FloatArray, str] | None:
    """Stage 2 as kilometres driven, integer trips: (arc flows, status), or None if no help.

    Every node receives exactly what the LP sent it, so ``W = W*`` holds exactly.
    """
    node_total = np.bincount(inst.s_node, weights=z_lp, minlength=len(inst.n_place))
    arcs = np.flatnonzero(node_total[inst.arc_n] > EPS)
    pair_codes, arc_pair = _pairs(inst, arcs)
    m, n_pairs = len(arcs), len(pair_codes)
    if n_pairs > MILP_MAX_PAIRS or m > MILP_MAX_ARCS:
        return None
    n_places = max(len(inst.places), 1)
    pair_km = inst.dist[pair_codes // n_places, pair_codes % n_places]
    # The most that can move between a hub and a place: its stock, their deliveries.
    by_group = np.unique(np.stack([arc_pair, inst.arc_g[arcs]]), axis=1)
    by_node = np.unique(np.stack([arc_pair, inst.arc_n[arcs]]), axis=1)
    most = np.minimum(
        np.bincount(by_group[0], weights=inst.g_qty[by_group[1]], minlength=n_pairs),
        np.bincount(by_node[0], weights=node_total[by_node[1]], minlength=n_pairs),
    )
    pair_cap = np.maximum(most, EPS) if capacity is None else np.full(n_pairs, float(capacity))
    stock, q, balance, nodes = _network(inst, arcs, np.zeros(0, dtype=np.int64))
    loads = sparse.csc_array((np.ones(m), (arc_pair, np.arange(m))), shape=(n_pairs, m))
    res = milp(
        np.concatenate([np.zeros(m), pair_km]),
        integrality=np.concatenate([np.zeros(m), np.ones(n_pairs)]),
        bounds=Bounds(0, np.concatenate([np.full(m, np.inf), _trips_for(most, pair_cap)])),
        constraints=[
            LinearConstraint(sparse.hstack([stock, sparse.csc_array((len(q), n_pairs))]), ub=q),
            LinearConstraint(
                sparse.hstack([balance, sparse.csc_array((len(nodes), n_pairs))]),
                node_total[nodes],
                node_total[nodes],
            ),
            LinearConstraint(sparse.hstack([loads, sparse.diags_array(-pair_cap)]), ub=0),
        ],
        options={"time_limit": max(deadline - time.perf_counter(), 0.01), "mip_rel_gap": MIP_GAP},
    )
    if res.x is None:
        return None
    trips = np.round(res.x[m:])
    if trips @ pair_km >= _trip_km(inst, x_lp, capacity):
        # The LP's plan drives no more (the MILP stops within MIP_GAP, or ran out of time).
        return (x_lp, "optimal") if res.status == 0 else None
    # Polish: the fewest quantity-kilometres that fit in those trips.
    polish = linprog(
        inst.arc_c[arcs],
        A_ub=sparse.vstack([stock, loads]),
        b_ub=np.concatenate([q, trips * pair_cap]),
        A_eq=balance,
        b_eq=node_total[nodes],
        bounds=(0, None),
        method="highs",
        options={"time_limit": max(deadline - time.perf_counter(), 0.01)},
    )
    if polish.status != 0:
        return None
    x = np.zeros(len(inst.arc_g))
    x[arcs] = polish.x
    return x, "optimal" if res.status == 0 else "time_limit"


def _to_needs(inst: _Instance, x: FloatArray, z: FloatArray) -> Flows:
    """Arc and segment flows as flows from batch groups to single needs.

    A segment's quantity goes to its needs earliest date first; a node's inflow goes to its
    most urgent needs from its nearest arcs first.
    """
    got = np.zeros(len(inst.d_qty))
    for s in np.flatnonzero(z > EPS).tolist():
        left = float(z[s])
        for d in inst.s_needs[s]:
            got[d] = min(left, float(inst.d_qty[d]))
            left -= got[d]
    flows: Flows = {}
    for n in np.unique(inst.arc_n[x > EPS]).tolist():
        arcs = [a for a in range(inst.n_start[n], inst.n_start[n + 1]) if x[a] > EPS]
        inflow = [float(x[a]) for a in arcs]
        i = 0
        for d in inst.n_needs[n]:
            want = float(got[d])
            while want > EPS and i < len(arcs):
                take = min(want, inflow[i])
                key = (int(inst.arc_g[arcs[i]]), d)
                flows[key] = flows.get(key, 0.0) + take
                want -= take
                inflow[i] -= take
                if inflow[i] <= EPS:
                    i += 1
    return flows


def _greedy_flows(inst: _Instance) -> Flows:
    """First come, first served: each need in turn takes from the nearest hub with stock."""
    left = inst.g_qty.copy()
    arc_g = inst.arc_g.tolist()
    flows: Flows = {}
    for d, want in enumerate(inst.d_qty.tolist()):
        n = inst.d_node[d]
        for a in range(inst.n_start[n], inst.n_start[n + 1]):
            if want <= EPS:
                break
            g = arc_g[a]
            take = min(want, float(left[g]))
            if take > 0:
                flows[(g, d)] = take
                left[g] -= take
                want -= take
    return flows


def _earliest_expiry_first(inst: _Instance, flows: Flows) -> Flows:
    """The same quantities from the same hubs, earliest-expiring batch first.

    Where a hub holds an item in several expiry groups, its total for each need is kept and
    needs take in order of their threshold (least restrictive first), each from the
    earliest-expiring usable group.
    """
    hub_item_of = list(zip(inst.g_hub.tolist(), inst.g_item.tolist(), strict=True))
    groups_at: dict[tuple[int, int], list[int]] = defaultdict(list)
    for g, hub_item in enumerate(hub_item_of):
        groups_at[hub_item].append(g)
    out: Flows = {}
    shares: dict[tuple[int, int], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for (g, d), qty in flows.items():
        hub_item = hub_item_of[g]
        if len(groups_at[hub_item]) == 1:
            out[(g, d)] = qty
        else:
            shares[hub_item][d] += qty
    for hub_item, by_need in shares.items():
        groups = sorted(groups_at[hub_item], key=lambda g: (inst.g_exp[g], g))
        left = {g: float(inst.g_qty[g]) for g in groups}
        for d in sorted(by_need, key=lambda d: (inst.d_threshold[d], d)):
            want = by_need[d]
            for g in groups:
                if want <= EPS:
                    break
                if inst.g_exp[g] >= inst.d_threshold[d] and left[g] > EPS:
                    take = min(want, left[g])
                    out[(g, d)] = out.get((g, d), 0.0) + take
                    left[g] -= take
                    want -= take
    return out


def _clean(inst: _Instance, flows: Flows) -> Flows:
    """Round away solver noise without ever exceeding a stock or a shortfall."""
    out = {k: round(v, QUANTITY_DECIMALS) for k, v in flows.items()}
    for side, limits in ((0, inst.g_qty), (1, inst.d_qty)):
        by_node: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for k in out:
            by_node[k[side]].append(k)
        for node, keys in by_node.items():
            excess = sum(out[k] for k in keys) - float(limits[node])
            for k in sorted(keys, key=lambda k: -out[k]):
                if excess <= 0:
                    break
                cut = min(excess, out[k])
                out[k] -= cut
                excess -= cut
    return {k: v for k, v in out.items() if v > EPS}


# --- from flows to a plan -------------------------------------------------------------------


def _build_plan(
    inst: _Instance,
    flows: Flows,
    *,
    capacity: float | None,
    method: str,
    status: str,
    started: float,
) -> Plan:
    flows = _clean(inst, flows)
    delivered = np.zeros(len(inst.d_qty))
    for (_, d), qty in flows.items():
        delivered[d] += qty
    explain = _Explainer(inst, flows, delivered)
    hubs, places, items = list(inst.hubs), list(inst.places), list(inst.items)
    # Each need's lines in input order of needs, nearest hub (then earliest batch) first.
    keys = sorted(
        flows,
        key=lambda k: (
            k[1],
            inst.dist[inst.g_hub[k[0]], inst.n_place[inst.d_node[k[1]]]],
            inst.g_exp[k[0]],
            k[0],
        ),
    )
    lines: list[Line] = []
    handed_out = np.zeros(len(inst.g_qty))  # of each group, to the needs before this one
    for (g, d), reason in zip(keys, explain.lines(keys), strict=True):
        qty = flows[(g, d)]
        for supply, part in _split_group(inst, g, float(handed_out[g]), qty):
            lines.append(
                Line(
                    supply_key=inst.supplies[supply].key,
                    demand_key=inst.demands[d].key,
                    hub=hubs[inst.g_hub[g]],
                    place=places[inst.n_place[inst.d_node[d]]],
                    item=items[inst.g_item[g]],
                    quantity=part,
                    distance_km=reason["distance_km"],
                    reason=reason,
                )
            )
        handed_out[g] += qty
    trips = _trips(lines, capacity)
    short = np.flatnonzero(inst.d_qty - delivered > EPS).tolist()
    demanded = inst.demanded_weight
    return Plan(
        lines=lines,
        trips=trips,
        unmet={
            inst.demands[d].key: round(float(inst.d_qty[d] - delivered[d]), QUANTITY_DECIMALS)
            for d in short
        },
        unmet_reasons={inst.demands[d].key: explain.unmet(d) for d in short},
        weighted_fulfilment=float(inst.d_weight @ delivered) / demanded if demanded else 1.0,
        distance_km=round(sum(t.distance_km for t in trips), 3),
        unit_km=round(sum(line.quantity * line.distance_km for line in lines), 3),
        solve_seconds=time.perf_counter() - started,
        method=method,
        status=status,
    )


def _split_group(inst: _Instance, g: int, before: float, qty: float) -> list[tuple[int, float]]:
    """A group's flow to one need as quantities of its batches, in input order.

    ``before`` is what the group already gave to earlier needs (from its first batches).
    """
    members = inst.g_members[g]
    if len(members) == 1:
        return [(members[0], qty)]
    out = []
    for i in members:
        size = float(inst.supplies[i].quantity)
        take = min(size - before, qty) if before < size else 0.0
        before = max(before - size, 0.0)
        if take > EPS:
            out.append((i, round(take, QUANTITY_DECIMALS)))
            qty -= take
    return out


def _trips(lines: list[Line], capacity: float | None) -> list[Trip]:
    """One trip per hub and place, or as many as the capacity needs (lines split to fill)."""
    bundles: dict[tuple[Hashable, Hashable], list[Line]] = {}
    for line in lines:
        bundles.setdefault((line.hub, line.place), []).append(line)
    trips: list[Trip] = []
    for (hub, place), bundle in bundles.items():
        loads: list[list[Line]] = [[]]
        room = math.inf if capacity is None else float(capacity)
        for line in sorted(bundle, key=lambda x: -x.quantity):
            left = line.quantity
            while left > EPS:
                if room <= EPS:
                    loads.append([])
                    room = math.inf if capacity is None else float(capacity)
                piece = min(left, room)
                loads[-1].append(
                    line
                    if piece == line.quantity
                    else replace(line, quantity=round(piece, QUANTITY_DECIMALS))
                )
                room -= piece
                left -= piece
        trips.extend(
            Trip(
                hub,
                place,
                load,
                round(sum(x.quantity for x in load), QUANTITY_DECIMALS),
                bundle[0].distance_km,
            )
            for load in loads
        )
    return trips


class _Explainer:
    """Reasons for each line and each shortfall, read off the final allocation.

    A node's arcs are sorted nearest first, so "the nearer hubs" of a line are a prefix of
    its node's arcs; prefix sums and maxima over all arcs answer each question at once.
    """

    def __init__(self, inst: _Instance, flows: Flows, delivered: FloatArray) -> None:
        self.inst = inst
        self.delivered = delivered
        n_arcs = len(inst.arc_g)
        pairs = np.array(list(flows), dtype=np.int64).reshape(-1, 2)
        group, need = pairs[:, 0], pairs[:, 1]
        qty = np.fromiter(flows.values(), dtype=np.float64, count=len(flows))
        self.flow_arc = self._arc_of(group, inst.d_node[need])
        left = inst.g_qty - np.bincount(group, weights=qty, minlength=len(inst.g_qty))
        # Per group: the most urgent taker, its weight, the runner-up's weight, the least urgent.
        n_groups, none = len(inst.g_qty), -1.0
        order = np.lexsort((need, -inst.d_weight[need]))
        top_need = np.full(n_groups, -1, dtype=np.int64)
        with_takers, first_taker = np.unique(group[order], return_index=True)
        top_need[with_takers] = need[order][first_taker]
        top_w = np.full(n_groups, none)
        top_w[top_need >= 0] = inst.d_weight[top_need[top_need >= 0]]
        second_w = np.full(n_groups, none)
        runner_up = order[need[order] != top_need[group[order]]]
        np.maximum.at(second_w, group[runner_up], inst.d_weight[need[runner_up]])
        least_w = np.full(n_groups, np.inf)
        np.minimum.at(least_w, group, inst.d_weight[need])
        takers = np.bincount(group, minlength=n_groups)

        def prefix(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.concatenate([[0], np.cumsum(values)])

        # Arcs: the first arc of its (node, hub) pair; the first arc of its distance in its node.
        pair = inst.arc_n * max(len(inst.hubs), 1) + inst.g_hub[inst.arc_g]
        first_of_pair = np.zeros(n_arcs, dtype=np.int64)
        first_of_pair[np.unique(pair, return_index=True)[1]] = 1
        self.hubs_before = prefix(first_of_pair)
        level = np.ones(n_arcs, dtype=bool)
        level[1:] = (np.diff(inst.arc_n) != 0) | (np.diff(inst.arc_c) > 1e-9)
        self.level_start = np.maximum.accumulate(np.where(level, np.arange(n_arcs), 0))
        self.left_before = prefix(left[inst.arc_g] > EPS)
        self.takers_before = prefix(takers[inst.arc_g])
        # Running maxima within a node: offset each node above the ones before it.
        offset = inst.arc_n * 2.0 * (float(inst.d_weight.max(initial=0.0)) + 2.0)
        self.top_w_upto = np.maximum.accumulate(top_w[inst.arc_g] + offset) - offset
        self.least_w_upto = np.minimum.accumulate(least_w[inst.arc_g] - offset) + offset
        self.top_need = top_need
        self.second_w = second_w
        self.lines_of: dict[int, list[int]] = defaultdict(list)  # need -> arcs it takes
        for a, d in zip(self.flow_arc.tolist(), need.tolist(), strict=True):
            self.lines_of[d].append(a)
        self.groups_at: dict[tuple[int, int], list[int]] = defaultdict(list)
        for g, (hub, item) in enumerate(
            zip(inst.g_hub.tolist(), inst.g_item.tolist(), strict=True)
        ):
            self.groups_at[(hub, item)].append(g)

    def _arc_of(self, groups: IntArray, nodes: IntArray) -> IntArray:
        """The index of arc (group, node) for each pair."""
        inst = self.inst
        key = inst.arc_n * len(inst.g_qty) + inst.arc_g
        order = np.argsort(key)
        return order[np.searchsorted(key[order], nodes * len(inst.g_qty) + groups)]

    def lines(self, keys: list[tuple[int, int]]) -> list[dict[str, Any]]:
        """Why this hub, why this quantity, why this batch, for each (group, need)."""
        inst = self.inst
        group = np.array([k[0] for k in keys], dtype=np.int64)
        need = np.array([k[1] for k in keys], dtype=np.int64)
        node = inst.d_node[need]
        arc = self._arc_of(group, node)
        first, last, cut = inst.n_start[node], inst.n_start[node + 1], self.level_start[arc]
        has_nearer = cut > first
        nearest_taker = np.where(has_nearer, self.top_w_upto[np.maximum(cut - 1, 0)], -1.0)
        columns = zip(
            keys,
            inst.arc_c[arc].tolist(),
            has_nearer.tolist(),
            (self.left_before[cut] > self.left_before[first]).tolist(),
            (nearest_taker > inst.d_weight[need]).tolist(),
            (self.takers_before[cut] - self.takers_before[first]).tolist(),
            cut.tolist(),
            (self.hubs_before[cut] - self.hubs_before[first]).tolist(),
            (self.hubs_before[last] - self.hubs_before[first] - 1).tolist(),
            strict=True,
        )
        out = []
        for (g, d), km, nearer, left, more_urgent, takers, cut_at, nearer_hubs, others in columns:
            own = sum(1 for a in self.lines_of[d] if a < cut_at)
            if not nearer:
                code = "nearest_with_stock"
            elif left:
                code = "fewer_trips"
            elif more_urgent:
                code = "nearer_hub_exhausted_by_more_urgent"
            elif takers == own:
                code = "nearer_hub_short"
            else:
                code = "nearer_hub_exhausted"
            reason: dict[str, Any] = {
                "code": code,
                "distance_km": round(km, 3),
                "alternatives": others,
                "nearer_hubs": nearer_hubs,
            }
            short = float(inst.d_qty[d] - self.delivered[d])
            if short > EPS:
                reason.update(quantity="partial_stock", short_by=round(short, QUANTITY_DECIMALS))
            else:
                reason["quantity"] = "fills_need" if len(self.lines_of[d]) == 1 else "shares_need"
            batch = self._batch(g, d)
            if batch:
                reason["batch"] = batch
            out.append(reason)
        return out

    def _batch(self, g: int, d: int) -> str | None:
        inst = self.inst
        siblings = self.groups_at[(int(inst.g_hub[g]), int(inst.g_item[g]))]
        if len(siblings) == 1:
            return None
        earlier = [x for x in siblings if inst.g_exp[x] < inst.g_exp[g]]
        if any(inst.g_exp[x] >= inst.d_threshold[d] for x in earlier):
            return "earlier_batches_used"
        return "earlier_batches_expire_too_soon" if earlier else "earliest_expiry"

    def unmet(self, d: int) -> dict[str, Any]:
        """Why a need stays short."""
        inst = self.inst
        item, node = int(inst.d_item[d]), int(inst.d_node[d])
        first, last = inst.n_start[node], inst.n_start[node + 1]
        if not inst.item_stocked[item]:
            return {"code": "no_stock"}
        if inst.item_latest[item] < inst.d_threshold[d]:
            return {"code": "no_usable_stock"}
        if first == last:
            usable = (inst.g_item == item) & (inst.g_exp >= inst.d_threshold[d])
            km = inst.dist[inst.g_hub[usable], inst.n_place[node]].min()
            return {"code": "beyond_max_distance", "nearest_km": round(float(km), 3)}
        if self.top_w_upto[last - 1] > inst.d_weight[d]:
            return {"code": "taken_by_more_urgent"}
        if self.least_w_upto[last - 1] < inst.d_weight[d]:
            return {"code": "taken_by_less_urgent"}
        if self.takers_before[last] - self.takers_before[first] > len(self.lines_of[d]):
            return {"code": "shared_with_equal_priority"}
        return {"code": "not_enough_stock"}


# --- public entry points --------------------------------------------------------------------


def allocate(
    supplies: Iterable[Supply],
    demands: Iterable[Demand],
    *,
    today: datetime.date,
    capacity: float | None = None,
    max_distance_km: float | None = None,
    time_limit: float = 10.0,
) -> Plan:
    """The optimal plan: most priority-weighted quantity delivered, then least distance.

    ``capacity`` (same units as the quantities) caps each trip's load. ``time_limit``
    bounds the solver; a plan always comes back (the greedy one if HiGHS fails).
    """
    started = time.perf_counter()
    if capacity is not None and not capacity > 0:
        raise ValueError("capacity must be positive")
    deadline = started + time_limit
    inst = _Instance(supplies, demands, today, max_distance_km)
    if not len(inst.arc_g):
        return _build_plan(
            inst, {}, capacity=capacity, method="lp", status="optimal", started=started
        )
    try:
        x, z = _lexicographic_lp(inst, deadline, inst.arc_c)
    except _SolveError as error:
        return _build_plan(
            inst,
            _greedy_flows(inst),
            capacity=capacity,
            method="greedy",
            status=f"fallback: {error}",
            started=started,
        )
    x, z = _fewer_trips(inst, x, z, capacity, deadline)
    method, status = "lp", "optimal"
    found = _trip_milp(inst, x, z, capacity, min(deadline, time.perf_counter() + MILP_SECONDS))
    if found is not None:
        x, status = found
        method = "milp"
    return _build_plan(
        inst,
        _earliest_expiry_first(inst, _to_needs(inst, x, z)),
        capacity=capacity,
        method=method,
        status=status,
        started=started,
    )


def greedy(
    supplies: Iterable[Supply],
    demands: Iterable[Demand],
    *,
    today: datetime.date,
    capacity: float | None = None,
    max_distance_km: float | None = None,
) -> Plan:
    """The first-come-first-served baseline: needs in the given order, nearest stock first."""
    started = time.perf_counter()
    inst = _Instance(supplies, demands, today, max_distance_km)
    return _build_plan(
        inst,
        _greedy_flows(inst),
        capacity=capacity,
        method="greedy",
        status="optimal",
        started=started,
    )


def ceiling(
    supplies: Iterable[Supply],
    demands: Iterable[Demand],
    *,
    today: datetime.date,
    max_distance_km: float | None = None,
    time_limit: float = 600.0,
) -> Ceiling:
    """The most weighted fulfilment any plan can reach: one LP over every arc, weight only.

    Trips never bound delivery (a hub may drive as often as it needs), so this is the
    optimum of the LP relaxation of the full model's first objective.
    """
    started = time.perf_counter()
    inst = _Instance(supplies, demands, today, max_distance_km)
    demanded = inst.demanded_weight
    status, weight = "optimal", 0.0
    if len(inst.arc_g):
        arcs, segments = np.arange(len(inst.arc_g)), inst.reachable_segments()
        try:
            _, z = _solve_network(inst, arcs, segments, np.zeros(len(arcs)), started + time_limit)
            weight = float(inst.s_weight[segments] @ z)
        except _SolveError as error:
            status, weight = str(error), math.nan
    return Ceiling(
        weighted_fulfilment=weight / demanded if demanded else 1.0,
        delivered_weight=weight,
        solve_seconds=time.perf_counter() - started,
        status=status,
    )

"""What a figure counts: the metric tree, with each metric's HXL hashtag.

The tree is fixed in code because the reconciliation rules depend on it: children are a
subset of the civilians killed and never added to a total; casualties are killed plus
injured; the three displacement figures are different things (an outflow, a stock abroad,
a stock at home) and are never summed; combatant figures are always about a named party
and never stand among civilian figures.

HXL hashtags follow the HXL 1.1 dictionary (``#affected`` with ``+killed``, ``+injured``,
``+children``, ``+refugees``, ``+idps``). Custom attributes, documented in the README:
``+casualties`` (killed and injured together), ``+missing``, ``+detained``, ``+outflow``
(people who left, counted cumulatively) and ``+hosted`` (refugees present in host
countries), ``+buildings`` ``+damaged`` ``+destroyed`` on ``#impact+num``, and ``+min`` /
``+max`` for the ends of a range. Combatant losses use their own hashtag,
``#x_combatants``, so that no HXL pattern for civilian figures (``#affected+killed``) can
ever match them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Block(models.TextChoices):
    CIVILIAN = "civilian", _("Civilian casualties")
    DISPLACEMENT = "displacement", _("Displacement")
    DAMAGE = "damage", _("Damage")
    COMBATANT = "combatant", _("Claims about combatants")


class Measure(models.TextChoices):
    CUMULATIVE = "cumulative", _("Cumulative since a date")
    PERIOD = "period", _("For a period")
    SNAPSHOT = "snapshot", _("Snapshot (how many at that time)")


@dataclass(frozen=True)
class Metric:
    code: str
    label: Promise
    hxl: str
    block: str
    parent: str | None = None
    # "subset": counted inside the parent (children of killed); "component": the parent is
    # the sum of its components (killed + injured = casualties).
    relation: str = ""
    measure: str = Measure.CUMULATIVE
    about_party: bool = False

    @property
    def is_subset(self) -> bool:
        return self.relation == "subset"


CASUALTIES = "civilian_casualties"
KILLED = "civilians_killed"
CHILDREN_KILLED = "children_killed"
INJURED = "civilians_injured"
CHILDREN_INJURED = "children_injured"
MISSING = "missing"
DETAINED = "detained"
COMBATANTS_KILLED = "combatants_killed"
COMBATANTS_CAPTURED = "combatants_captured"
REFUGEES_FLED = "refugees_fled"
REFUGEES_HOSTED = "refugees_hosted"
IDPS = "idps"
BUILDINGS_DESTROYED = "buildings_destroyed"
BUILDINGS_DAMAGED = "buildings_damaged"

_ALL = [
    Metric(CASUALTIES, _("Civilian casualties (killed and injured)"), "#affected+casualties", Block.CIVILIAN),
    Metric(KILLED, _("Civilians killed"), "#affected+killed", Block.CIVILIAN, CASUALTIES, "component"),
    Metric(CHILDREN_KILLED, _("Children killed"), "#affected+killed+children", Block.CIVILIAN, KILLED, "subset"),
    Metric(INJURED, _("Civilians injured"), "#affected+injured", Block.CIVILIAN, CASUALTIES, "component"),
    Metric(CHILDREN_INJURED, _("Children injured"), "#affected+injured+children", Block.CIVILIAN, INJURED, "subset"),
    Metric(MISSING, _("Missing"), "#affected+missing", Block.CIVILIAN),
    Metric(DETAINED, _("Detained"), "#affected+detained", Block.CIVILIAN),
    Metric(REFUGEES_FLED, _("Refugees who fled the country"), "#affected+refugees+outflow", Block.DISPLACEMENT),
    Metric(REFUGEES_HOSTED, _("Refugees hosted abroad"), "#affected+refugees+hosted", Block.DISPLACEMENT,
           measure=Measure.SNAPSHOT),
    Metric(IDPS, _("Internally displaced people"), "#affected+idps", Block.DISPLACEMENT, measure=Measure.SNAPSHOT),
    Metric(BUILDINGS_DESTROYED, _("Buildings destroyed"), "#impact+num+buildings+destroyed", Block.DAMAGE),
    Metric(BUILDINGS_DAMAGED, _("Buildings damaged"), "#impact+num+buildings+damaged", Block.DAMAGE),
    Metric(COMBATANTS_KILLED, _("Combatants killed"), "#x_combatants+killed", Block.COMBATANT, about_party=True),
    Metric(COMBATANTS_CAPTURED, _("Combatants captured"), "#x_combatants+captured", Block.COMBATANT,
           about_party=True),
]  # fmt: skip

METRICS: dict[str, Metric] = {m.code: m for m in _ALL}
CHOICES = [(m.code, m.label) for m in _ALL]
# The components that add up to a parent, e.g. casualties -> (killed, injured).
COMPONENTS: dict[str, tuple[str, ...]] = {
    parent: tuple(m.code for m in _ALL if m.parent == parent and m.relation == "component")
    for parent in {m.parent for m in _ALL if m.relation == "component"}
    if parent
}


def get(code: str) -> Metric:
    return METRICS[code]


def ancestors(code: str) -> list[str]:
    """The metric and the metrics above it, nearest first."""
    found = []
    node: str | None = code
    while node is not None:
        found.append(node)
        node = METRICS[node].parent
    return found


def in_block(block: str) -> list[Metric]:
    return [m for m in _ALL if m.block == block]


def depth(code: str) -> int:
    return len(ancestors(code)) - 1

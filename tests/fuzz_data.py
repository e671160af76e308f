"""The data the API fuzz runs on: the demo community, a coordinator's token, and the ids of rows
that exist, so generated requests reach past "not found" into the operations' own rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from hypothesis import strategies as st

from hromada.aid.models import Delivery, Need, Pledge, RecurringNeed, StockMove
from hromada.aid.services.pledges import follow_token
from hromada.alerts.models import Alert
from hromada.core import demo
from hromada.core.models import Place, User
from hromada.core.services import issue_token
from hromada.funds.models import Donation, Expense, Fund
from hromada.reports.models import (
    Claim,
    Document,
    Incident,
    MediaItem,
    Sitrep,
    Source,
    Verification,
)
from hromada.tracing.models import Inquiry, Match, PersonRecord
from hromada.volunteers.models import (
    Application,
    ApplicationDocument,
    Assignment,
    ContactCard,
    EquipmentItem,
    Shift,
    Task,
    Team,
    Volunteer,
)

COORDINATOR = "coordinator"  # the demo council's coordinator: the widest everyday reach
ROWS_PER_TABLE = 40  # enough variety of states, few enough to keep the examples varied

# A path parameter -> the rows its values come from; (path prefix, name) wins over the name.
_BY_NAME: dict[str, tuple[type[Model], str]] = {
    "place_id": (Place, "pk"),
    "need_id": (Need, "pk"),
    "pledge_id": (Pledge, "pk"),
    "move_id": (StockMove, "pk"),
    "delivery_id": (Delivery, "pk"),
    "template_id": (RecurringNeed, "pk"),
    "volunteer_id": (Volunteer, "pk"),
    "team_id": (Team, "pk"),
    "task_id": (Task, "pk"),
    "shift_id": (Shift, "pk"),
    "assignment_id": (Assignment, "pk"),
    "item_id": (EquipmentItem, "pk"),
    "application_id": (Application, "pk"),
    "document_id": (Document, "pk"),
    "card_id": (ContactCard, "pk"),
    "source_id": (Source, "pk"),
    "claim_id": (Claim, "pk"),
    "code": (Incident, "code"),
    "sitrep_id": (Sitrep, "pk"),
    "media_id": (MediaItem, "pk"),
    "verification_id": (Verification, "pk"),
    "alert_id": (Alert, "pk"),
    "record_id": (PersonRecord, "pk"),
    "inquiry_id": (Inquiry, "pk"),
    "match_id": (Match, "pk"),
    "fund_id": (Fund, "pk"),
    "donation_id": (Donation, "pk"),
    "expense_id": (Expense, "pk"),
}
_BY_PATH: dict[tuple[str, str], tuple[type[Model], str]] = {
    ("/api/applications/", "document_id"): (ApplicationDocument, "pk"),
}


@dataclass
class Town:
    coordinator: User
    token: str
    counts: dict[str, int]
    values: dict[tuple[str, str], list[Any]] = field(default_factory=dict)


_loaded: list[Town] = []  # the town of the running module; read when a strategy is drawn


def load() -> Town:
    """Load the demo community and issue the coordinator's token (inside the caller's
    transaction), and note the values each path parameter may take."""
    counts = demo.load()
    coordinator = User.objects.get(username=COORDINATOR)
    _token, raw = issue_token(coordinator, "API fuzz")
    town = Town(coordinator=coordinator, token=raw, counts=counts)
    tables = {**{("", name): source for name, source in _BY_NAME.items()}, **_BY_PATH}
    for key, (model, column) in tables.items():
        rows = model._default_manager.order_by("pk").values_list(column, flat=True)
        town.values[key] = list(rows[:ROWS_PER_TABLE])
    town.values[("", "token")] = [
        follow_token(pledge) for pledge in Pledge.objects.order_by("pk")[:ROWS_PER_TABLE]
    ]
    _loaded[:] = [town]
    return town


def _values_for(path: str, name: str) -> list[Any]:
    town = _loaded[0]
    for (prefix, param), values in town.values.items():
        if prefix and path.startswith(prefix) and param == name:
            return values
    return town.values.get(("", name), [])


@st.composite
def existing_path_parameters(draw: st.DrawFn, path: str, generated: dict[str, Any]) -> Any:
    """``generated`` with each id replaced by the id of a row that exists (drawn at run time:
    the rows are loaded after the strategies are built)."""
    chosen = dict(generated)
    for name in generated:
        values = _values_for(path, name) if _loaded else []
        if values:
            chosen[name] = draw(st.sampled_from(values))
    return chosen

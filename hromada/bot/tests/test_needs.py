"""Posting needs: the parser on its labelled messages, and /need step by step."""

from __future__ import annotations

import datetime
import importlib.util
from decimal import Decimal
from pathlib import Path

from hromada.aid.models import Need
from hromada.bot.models import ChatState
from hromada.bot.parser import ItemRef, NeedParser, PlaceRef
from hromada.bot.tests.factories import link

BENCH = Path(__file__).resolve().parents[3] / "bench" / "need_parser.py"


def _bench():
    spec = importlib.util.spec_from_file_location("need_parser_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_parser_reads_item_and_quantity_of_the_labelled_messages():
    bench = _bench()
    parser = NeedParser(bench.catalogue())
    for part in ("dev", "heldout", "hard"):
        rows = bench.load(part)
        scores = bench.score(rows, [bench.predict(parser, r["text"]) for r in rows])
        for field in ("item", "quantity"):
            assert scores[field]["precision"] >= 0.9, (part, field, scores[field])
            assert scores[field]["recall"] >= 0.9, (part, field, scores[field])
    assert len(bench.load("dev")) + len(bench.load("heldout")) >= 300


def test_what_is_not_understood_is_shown_not_guessed():
    items = [ItemRef(1, "insulin", "Інсулін", "Insulin", "piece")]
    places = [PlaceRef(1, "Лікарня № 2", "hospital"), PlaceRef(2, "Лікарня № 3", "hospital")]
    proposal = NeedParser(items).parse(
        "лікарні потрібно 50 упаковок інсуліну для відділення кардіології",
        places=places,
        today=datetime.date(2026, 3, 2),
    )
    assert (proposal.item, proposal.quantity, proposal.unit) == (items[0], Decimal(50), "pack")
    assert proposal.place is None and {p.id for p in proposal.place_choices} == {1, 2}
    assert proposal.unparsed == ["відділення кардіології"]
    assert proposal.needed_by is None and proposal.priority is None


def test_a_need_step_by_step_with_every_step_changeable(community, telegram, run_bot):
    user = telegram.user(9001)
    link(community.coordinator, 9001)
    telegram.say(user, "/need")
    run_bot()
    assert f"need:place:{community.school.pk}" in telegram.buttons(9001).values()
    telegram.press(user, f"need:place:{community.school.pk}")
    run_bot()
    telegram.say(user, "ковдри")
    run_bot()
    blankets = next(
        d for label, d in telegram.buttons(9001).items() if label == "Ковдри" or label == "Blankets"
    )
    telegram.press(user, blankets)
    telegram.say(user, "сорок")
    run_bot()
    telegram.press(user, "need:prio:high")
    run_bot()
    assert "need:ok" in telegram.buttons(9001).values()

    # Changed their mind about the quantity before confirming: a typed correction.
    telegram.say(user, "60")
    run_bot()
    assert "60" in telegram.last(9001)["text"]
    telegram.press(user, "need:ok")
    run_bot()

    need = Need.objects.get()
    assert (need.place, need.item.code, need.quantity, need.priority) == (
        community.school,
        "blankets",
        Decimal(60),
        "high",
    )
    assert ChatState.objects.get(chat_id=9001).flow == ""


def test_cancel_drops_the_draft(community, telegram, run_bot):
    user = telegram.user(9002)
    link(community.coordinator, 9002)
    telegram.say(user, "школі №5 треба 30 кг гречки")
    telegram.press(user, "x:")
    telegram.press(user, "need:ok")
    run_bot()
    assert not Need.objects.exists()
    assert "Cancelled" in telegram.texts(9002)[1]

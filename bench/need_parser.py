"""How well does the bot read a need typed as one sentence? (issue 9, "Measured")

Runs the rule-based parser (``hromada.bot.parser``) over the labelled messages in
``hromada/bot/data/need_messages_*.txt`` (Ukrainian, Russian and English, with misspellings,
numbers in words, units, place nicknames) against the seeded item catalogue and a
coordinator's seven places, and prints precision and recall per field:

- precision: of the values the parser proposed, how many are right;
- recall: of the values the message states, how many the parser found.

A field the message does not state counts against precision when the parser proposes one
anyway (a guess). ``dev`` is the part the parser was tuned on; ``heldout`` was written
before tuning and never tuned on; ``hard`` was written after tuning, deliberately unlike
the rest (diminutives, slang, Latin transliteration, typos), and never tuned on either. The
same person wrote the lexicon and the messages, so ``hard`` is the more honest estimate.
The headline ``fields`` are over every message.
Targets: item and quantity at least 0.9 (precision and recall) on every part; exits 1 when
missed. Also prints the milliseconds per message.

Run: .venv/bin/python bench/need_parser.py [--show-errors]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hromada.bot.parser import ItemRef, NeedParser, PlaceRef  # noqa: E402

DATA = ROOT / "hromada" / "bot" / "data"
TODAY = datetime.date(2026, 3, 2)  # a Monday; "+1" in the labels is the day after
FIELDS = ("item", "quantity", "unit", "place", "needed_by", "priority")
TARGET = 0.9
PLACES = {
    "L2": PlaceRef(1, "Лікарня № 2", "hospital"),
    "U3": PlaceRef(2, "Укриття № 3", "bomb_shelter"),
    "U1": PlaceRef(3, "Укриття № 1", "bomb_shelter"),
    "S5": PlaceRef(4, "Школа № 5", "school"),
    "PV": PlaceRef(5, "Пункт видачі", "distribution"),
    "KOL": PlaceRef(6, "Пекарня «Колосок»", "kitchen", ("колосок",)),
    "CH": PlaceRef(7, "Штаб", "office", ("штаб",)),
}


def load(name: str) -> list[dict[str, str]]:
    rows = []
    for line in (DATA / f"need_messages_{name}.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (8 - len(parts))
        lang, text, item, quantity, unit, place, when, priority = parts[:8]
        rows.append(
            {
                "lang": lang,
                "text": text,
                "item": item,
                "quantity": format(Decimal(quantity).normalize(), "f") if quantity else "",
                "unit": unit,
                "place": place,
                "needed_by": _date(when),
                "priority": priority,
            }
        )
    return rows


def _date(label: str) -> str:
    if not label:
        return ""
    if label.startswith("+"):
        return (TODAY + datetime.timedelta(days=int(label[1:]))).isoformat()
    return label


def catalogue() -> list[ItemRef]:
    seed = importlib.import_module("hromada.aid.migrations.0002_seed_items")
    return [
        ItemRef(n, code, uk, en, unit)
        for n, (code, uk, en, _category, unit, _perishable) in enumerate(seed.ITEMS, start=1)
    ]


def predict(parser: NeedParser, text: str) -> dict[str, str]:
    proposal = parser.parse(text, places=list(PLACES.values()), today=TODAY)
    place_key = ""
    if proposal.place is not None:
        place_key = next(k for k, p in PLACES.items() if p.id == proposal.place.id)
    return {
        "item": proposal.item.code if proposal.item else "",
        "quantity": format(proposal.quantity.normalize(), "f")
        if proposal.quantity is not None
        else "",
        "unit": proposal.unit or "",
        "place": place_key,
        "needed_by": proposal.needed_by.isoformat() if proposal.needed_by else "",
        "priority": proposal.priority or "",
    }


def score(rows: list[dict[str, str]], predictions: list[dict[str, str]]) -> dict[str, dict]:
    result = {}
    for name in FIELDS:
        proposed = sum(1 for p in predictions if p[name])
        stated = sum(1 for r in rows if r[name])
        right = sum(
            1 for r, p in zip(rows, predictions, strict=True) if p[name] and p[name] == r[name]
        )
        result[name] = {
            "precision": round(right / proposed, 3) if proposed else 1.0,
            "recall": round(right / stated, 3) if stated else 1.0,
            "proposed": proposed,
            "stated": stated,
        }
    return result


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--show-errors", action="store_true", help="list every wrong field")
    options = arguments.parse_args()

    parser = NeedParser(catalogue())
    parts = {name: load(name) for name in ("dev", "heldout", "hard")}
    every = [row for rows in parts.values() for row in rows]
    started = time.perf_counter()
    predictions = {name: [predict(parser, r["text"]) for r in rows] for name, rows in parts.items()}
    elapsed = time.perf_counter() - started
    if options.show_errors:
        for name, rows in parts.items():
            for row, guess in zip(rows, predictions[name], strict=True):
                wrong = {f: (row[f], guess[f]) for f in FIELDS if row[f] != guess[f]}
                if wrong:
                    print(name, row["text"], wrong, file=sys.stderr)
    all_predictions = [p for name in parts for p in predictions[name]]
    report = {
        "messages": len(every),
        "languages": {
            lang: sum(1 for r in every if r["lang"] == lang) for lang in ("uk", "ru", "en")
        },
        "fields": score(every, all_predictions),
        "dev": {"messages": len(parts["dev"]), "fields": score(parts["dev"], predictions["dev"])},
        "heldout": {
            "messages": len(parts["heldout"]),
            "fields": score(parts["heldout"], predictions["heldout"]),
        },
        "hard": {
            "messages": len(parts["hard"]),
            "fields": score(parts["hard"], predictions["hard"]),
        },
        "ms_per_message": round(1000 * elapsed / len(every), 3),
        "target": TARGET,
    }
    print(json.dumps(report, ensure_ascii=False))
    missed = [
        (part, field, measure)
        for part in ("dev", "heldout", "hard")
        for field in ("item", "quantity")
        for measure in ("precision", "recall")
        if report[part]["fields"][field][measure] < TARGET  # type: ignore[index]
    ]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

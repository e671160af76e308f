"""Does the name engine find people at a million records, fast enough, and how does it compare?

Builds a synthetic population with a fixed seed (hromada/tracing/population.py: real given
names, common and generated surnames with a Zipf skew, so namesakes are many, as in life),
writes it as CSV with duplicates across sources (the same person again in Russian forms or
passport spelling), loads it through the real import (``exchange.import_file``: checking,
bulk insert, name index) into a fresh SQLite database, then asks noisy queries: each a person
written another way at the rates in ``population.RATES`` (script and transliteration system,
western given name, diminutive, typo, swapped order, patronymic present or not, the other
gender's surname, birth year exact, one year off or missing).

It prints one JSON object: recall@1, recall@10, MRR, p50/p95 search latency (wall and CPU),
import time (wall and CPU), and the precision and recall of linking (proposed same-person
pairs within the data), for our engine and, on the same data and queries:

- ``answerable``: the best recall any ranker could reach from what the query says. An oracle
  that knows every record's true name (no spelling noise at all) ranks the records whose
  given name, surname (either gender's form) and patronymic (when both sides have one) are
  the person's, by the likelihood of the query's birth year and place under the rates below;
  equally likely records are in random order, and the expected recall is computed exactly.
  Where several people share a name, birth year and town, no engine can tell them apart.
- ``ceiling`` (RapidFuzz brute force): the engine's own ranking (``index.score_record``:
  names folded across scripts, the same similarity, rarity weights, birth year, sex, place)
  over every record, without the index (``names/exhaustive.py``). The engine can only lose
  against it what its index does not gather; ``diagnosis`` says where each miss was lost.
- ``rapidfuzz_token_set``: the first, naive baseline: RapidFuzz token-set ratio over folded
  whole names plus a birth-year bonus.
- ``fts5_trigram``: a plain trigram search (SQLite FTS5 trigram over whole names).

Run: .venv/bin/python bench/tracing.py --records 1000000 [--queries 1000] [--baseline-queries 200]
(``--baseline-queries 0`` skips the slow baselines; ``--legacy-population`` uses the first
generator: 1,600 surnames, Шевченко one person in eleven, queries without a place.)
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir: str) -> None:
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ["HROMADA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def quality(ranked: list[list[int]], targets: list[set[int]]) -> dict[str, float]:
    r1 = r10 = rr = 0.0
    for ids, wanted in zip(ranked, targets, strict=True):
        for rank, rid in enumerate(ids[:10], start=1):
            if rid in wanted:
                r10 += 1
                r1 += rank == 1
                rr += 1 / rank
                break
    n = len(targets)
    if not n:
        return {}
    return {
        "recall_at_1": round(r1 / n, 4),
        "recall_at_10": round(r10 / n, 4),
        "mrr": round(rr / n, 4),
    }


def latency(times: list[float], cpu: list[float] | None = None) -> dict[str, float]:
    """Wall-clock percentiles, and the same in CPU time of this thread: the machine is
    shared, and CPU time does not count the waits for a core that other programs hold."""
    if not times:
        return {}
    result = {
        "p50_ms": round(1000 * statistics.median(times), 2),
        "p95_ms": round(1000 * percentile(times, 0.95), 2),
    }
    if cpu:
        result["p50_cpu_ms"] = round(1000 * statistics.median(cpu), 2)
        result["p95_cpu_ms"] = round(1000 * percentile(cpu, 0.95), 2)
    return result


def hit_chances(better: int, tied: int, wanted: int, k: int) -> float:
    """Chance that one of ``wanted`` records is in the first ``k`` when ``better`` records
    come first and ``tied`` others are in random order among them."""
    slots = k - better
    if slots <= 0:
        return 0.0
    if slots > tied:
        return 1.0
    return 1.0 - math.comb(tied, slots) / math.comb(tied + wanted, slots)


def reciprocal_rank(better: int, tied: int, wanted: int) -> float:
    """Expected 1/rank of the first wanted record, ties in random order."""
    total, none_yet = 0.0, 1.0
    for j in range(1, tied + 2):
        left = tied + wanted - (j - 1)
        first_here = none_yet * wanted / left
        total += first_here / (better + j)
        none_yet *= (left - wanted) / left if left > wanted else 0.0
        if none_yet <= 0:
            break
    return total


def diagnose(queries, ranked, targets):  # type: ignore[no-untyped-def]
    """Where the engine lost each query whose person it did not put in the first ten:
    ``spellings`` (no query token's spellings include the person's record's names: keys,
    the cap per token), ``postings`` (spelled, but not read: the postings budget or the
    birth-year window), ``rerank_cut`` (gathered but not among the ``RERANK`` best by the
    first score), ``outranked`` (re-ranked, and others scored higher)."""
    from django.db import connection

    from hromada.tracing.names import index

    stage: list[str] = []
    gathered = in_rerank = 0
    for q, ids, wanted in zip(queries, ranked, targets, strict=True):
        qtokens = index.query_tokens(q)
        found = [qt for qt in qtokens if qt.spellings]
        first = index.candidates(q, found) if found else {}
        top = set(sorted(first, key=lambda r: -first[r])[: index.RERANK])
        gathered += bool(wanted & set(first))
        in_rerank += bool(wanted & top)
        if wanted & set(ids):
            stage.append("found")
            continue
        if wanted & top:
            stage.append("outranked")
        elif wanted & set(first):
            stage.append("rerank_cut")
        else:
            with connection.cursor() as cursor:
                marks = ",".join(["%s"] * len(wanted))
                cursor.execute(
                    f"SELECT DISTINCT token_id FROM {index.T_POSTING} WHERE record_id IN ({marks})",  # noqa: S608
                    list(wanted),
                )
                theirs = {r[0] for r in cursor.fetchall()}
            spelled = any(s.token_id in theirs for qt in found for s in qt.spellings)
            stage.append("postings" if spelled else "spellings")
    n = len(queries)
    return {
        "target_gathered": round(gathered / n, 4),
        "target_in_rerank": round(in_rerank / n, 4),
        "missed_at_10_by_stage": dict(Counter(s for s in stage if s != "found")),
        "stage": stage,
    }


def answerable(people, queries, records, rates, places):  # type: ignore[no-untyped-def]
    """The expected recall@1, recall@10 and MRR of an oracle that reads every record's true
    name (see the module's docstring). ``records``: (record id, person, has patronymic,
    birth year or None, place); ``queries``: (person, Variant)."""
    from hromada.tracing.population import masculine

    def key(pid: int) -> tuple[str, int, str]:
        p = people[pid]
        return (p.sex, p.given_index, masculine(p.family))

    wanted_keys = {key(pid) for pid, _v in queries}
    buckets: dict[tuple[str, int, str], list[tuple[int, int, bool, int | None, str]]] = {}
    for rid, pid, has_patronymic, year, place in records:
        k = key(pid)
        if k in wanted_keys:
            buckets.setdefault(k, []).append((rid, pid, has_patronymic, year, place))
    span = 2021 - 1935 + 1
    stated = rates["year_exact"] + rates["year_off_by_one"]
    same_year = math.log(rates["year_exact"] / stated * span)
    next_year = math.log(rates["year_off_by_one"] / 2 / stated * span)
    elsewhere = rates.get("place_elsewhere", 0.0)
    same_place = math.log((1 - elsewhere) * len(places)) if elsewhere < 1 else 0.0
    other_place = math.log(max(elsewhere, 1e-9) / (1 - 1 / len(places)))
    patronymics: dict[str, int] = {}
    for p in people:
        patronymics[p.patronymic] = patronymics.get(p.patronymic, 0) + 1
    r1 = r10 = rr = 0.0
    many = []
    for pid, v in queries:
        target = people[pid]
        with_patronymic = "patronymic" in v.kinds
        scored = []
        for _rid, rpid, has_patronymic, year, place in buckets[key(pid)]:
            score = 0.0
            person = people[rpid]
            if with_patronymic and has_patronymic:
                if person.patronymic != target.patronymic:
                    continue
                score += math.log(len(people) / patronymics[person.patronymic])
            if v.birth_year and year:
                diff = abs(v.birth_year - year)
                if diff > 1:
                    continue
                score += same_year if diff == 0 else next_year
            if v.place_uk and place:
                # The query's town is the person's own, or (at the stated rate) another.
                score += same_place if place == v.place_uk else other_place
            scored.append((round(score, 9), rpid == pid))
        best_target = max(s for s, mine in scored if mine)
        better = sum(1 for s, mine in scored if s > best_target and not mine)
        tied = sum(1 for s, mine in scored if s == best_target and not mine)
        wanted = sum(1 for s, mine in scored if s == best_target and mine)
        r1 += hit_chances(better, tied, wanted, 1)
        r10 += hit_chances(better, tied, wanted, 10)
        rr += reciprocal_rank(better, tied, wanted)
        many.append(better + tied + wanted)
    n = len(queries)
    return {
        "recall_at_1": round(r1 / n, 4),
        "recall_at_10": round(r10 / n, 4),
        "mrr": round(rr / n, 4),
        "median_alike": statistics.median(many),
        "queries_with_over_10_alike": sum(1 for m in many if m > 10),
    }


def population_figures(people, *, legacy: bool) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """How skewed the names came out: the namesakes a search has to tell apart."""
    from hromada.tracing.population import masculine

    n = len(people)
    surnames = Counter(masculine(p.family) for p in people)
    men = [p for p in people if p.sex == "male"]
    women = [p for p in people if p.sex == "female"]
    top_man, top_woman = Counter(p.given for p in men), Counter(p.given for p in women)
    ((commonest, count),) = surnames.most_common(1)
    alike = Counter((p.sex, p.given, masculine(p.family), p.birth_year) for p in people)
    return {
        "generator": "legacy" if legacy else "life",
        "distinct_surnames": len(surnames),
        "commonest_surname": commonest,
        "commonest_surname_share": round(count / n, 4),
        "top_10_surnames_share": round(sum(c for _s, c in surnames.most_common(10)) / n, 4),
        "commonest_given_share_men": round(top_man.most_common(1)[0][1] / max(len(men), 1), 4),
        "commonest_given_share_women": round(
            top_woman.most_common(1)[0][1] / max(len(women), 1), 4
        ),
        # People with a namesake (the same given name and surname) born the same year.
        "share_with_a_namesake_of_their_year": round(
            sum(c for c in alike.values() if c > 1) / n, 4
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-queries", type=int, default=200)
    parser.add_argument("--link-sample", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--duplicates", type=float, default=0.03)
    parser.add_argument("--legacy-population", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hromada-bench-tracing-")
    setup_django(tmp)

    from django.db import connection
    from rapidfuzz import fuzz, process

    from hromada.tracing import exchange
    from hromada.tracing.names import exhaustive, index
    from hromada.tracing.names.phonetic import tokens
    from hromada.tracing.names.translit import transliterate
    from hromada.tracing.population import (
        LEGACY_RATES,
        PLACES,
        RATES,
        population,
        russian_letters,
        russian_patronymic,
        typo,
        variant,
    )

    rng = random.Random(args.seed)
    started = time.monotonic()
    n_people = int(args.records / (1 + args.duplicates))
    people = population(n_people, seed=args.seed, legacy=args.legacy_population)
    rates = LEGACY_RATES if args.legacy_population else RATES
    dup_people = rng.sample(range(n_people), args.records - n_people)

    # Records: most in Ukrainian as hospitals write them, some in Russian forms, some in
    # passport spelling; patronymic and birth year sometimes missing.
    rows: list[tuple[int, list[str]]] = []  # (person index, CSV row)

    def row(i: int, style: str) -> list[str]:
        p = people[i]
        given, family, patronymic = p.given, p.family, p.patronymic
        if style == "ru":
            given, family, patronymic = (
                p.forms[1],
                russian_letters(family),
                russian_patronymic(patronymic),
            )
        elif style == "latin":
            given, family, patronymic = transliterate(given), transliterate(family), ""
        elif style == "typo":
            family = typo(family, rng)
        if rng.random() < 0.3:
            patronymic = ""
        year = "" if rng.random() < 0.05 else str(p.birth_year)
        return [str(i), family, given, patronymic, p.sex, year, "displaced", p.place]

    for i in range(n_people):
        draw = rng.random()
        rows.append((i, row(i, "uk" if draw < 0.85 else "ru" if draw < 0.95 else "latin")))
    for i in dup_people:
        rows.append((i, row(i, rng.choice(["ru", "latin", "typo", "uk"]))))
    rng.shuffle(rows)
    csv_path = Path(tmp) / "records.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["source_ref", "family_name", "given_name", "patronymic", "sex",
                         "birth_year", "status", "last_seen_place"])  # fmt: skip
        writer.writerows(r for _i, r in rows)
    generated = time.monotonic() - started

    load_before = os.getloadavg()[0]
    t, c = time.monotonic(), time.process_time()
    result = exchange.import_file(csv_path, fmt="csv", source="shelter_registry")
    import_seconds = time.monotonic() - t
    import_cpu_seconds = time.process_time() - c
    assert result.created == len(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, source_ref, patronymic, birth_year, last_seen_place FROM tracing_personrecord"
        )
        truth = [(rid, int(ref), bool(pat), year, place)
                 for rid, ref, pat, year, place in cursor.fetchall()]  # fmt: skip
        person_of = {rid: pid for rid, pid, _p, _y, _pl in truth}
        cursor.execute("ANALYZE")
    records_of: dict[int, set[int]] = {}
    for rid, pid in person_of.items():
        records_of.setdefault(pid, set()).add(rid)

    # Queries: people written another way.
    qrng = random.Random(args.seed + 1)
    asked = qrng.sample(range(n_people), args.queries)
    queries = []
    for pid in asked:
        v = variant(people[pid], qrng, rates)
        sex = people[pid].sex if qrng.random() < 0.8 else ""
        queries.append((pid, v, sex))
    targets = [records_of[pid] for pid, _v, _s in queries]
    asked_queries = [index.Query(v.text, birth_year=v.birth_year, sex=sex, place=v.place)
                     for _pid, v, sex in queries]  # fmt: skip

    # What the queries allow: the oracle.
    bound = answerable(people, [(pid, v) for pid, v, _s in queries], truth, rates, PLACES)

    # Our engine.
    load_at_search = os.getloadavg()[0]
    ranked, times, cpu = [], [], []
    for q in asked_queries:
        t, c = time.monotonic(), time.thread_time()
        hits = index.search(q, limit=10)
        times.append(time.monotonic() - t)
        cpu.append(time.thread_time() - c)
        ranked.append([h.record_id for h in hits])
    engine = {**quality(ranked, targets), **latency(times, cpu)}
    diagnosis = diagnose(asked_queries, ranked, targets)

    bq = queries[: args.baseline_queries]
    n_bq = len(bq)
    engine_same = quality(ranked[:n_bq], targets[:n_bq])
    ceiling: dict[str, object] = {}
    brute: dict[str, object] = {}
    trigram: dict[str, object] = {}
    if bq:
        # Baseline 1, the ceiling: the engine's own ranking over every record, no index.
        t = time.monotonic()
        everything = exhaustive.load()
        load_seconds = time.monotonic() - t
        ranked_ce, times_ce, cpu_ce = [], [], []
        for q in asked_queries[:n_bq]:
            t, c = time.monotonic(), time.thread_time()
            ranked_ce.append(everything.rank(q, limit=10).record_ids)
            times_ce.append(time.monotonic() - t)
            cpu_ce.append(time.thread_time() - c)
        del everything
        lost = [
            i for i in range(n_bq)
            if set(ranked_ce[i]) & targets[i] and not set(ranked[i]) & targets[i]
        ]  # fmt: skip
        ceiling = {**quality(ranked_ce, targets[:n_bq]), **latency(times_ce, cpu_ce),
                   "load_seconds": round(load_seconds, 1),
                   "engine_misses_the_ceiling_finds": len(lost),
                   "engine_finds_the_ceiling_misses": sum(
                       1 for i in range(n_bq)
                       if set(ranked[i]) & targets[i] and not set(ranked_ce[i]) & targets[i]),
                   "lost_where": dict(Counter(diagnosis["stage"][i] for i in lost))}  # fmt: skip

        # Baseline 2: RapidFuzz token-set ratio over every record's whole name (folded to
        # one Latin spelling), re-ranked with the birth year: the first, naive brute force.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, given_name, family_name, patronymic, birth_year FROM tracing_personrecord"
            )
            all_rows = cursor.fetchall()
        ids = [r[0] for r in all_rows]
        names = [" ".join(tokens(f"{r[1]} {r[2]} {r[3]}")) for r in all_rows]
        years = [r[4] for r in all_rows]
        del all_rows
        ranked_bf, times_bf, cpu_bf = [], [], []
        for _pid, v, _sex in bq:
            t, c = time.monotonic(), time.thread_time()
            found = process.extract(" ".join(tokens(v.text)), names,
                                    scorer=fuzz.token_set_ratio, limit=200)  # fmt: skip
            scored = []
            for _name, score, pos in found:
                bonus = 0.0
                if v.birth_year and years[pos]:
                    bonus = {0: 15, 1: 8, 2: 3}.get(abs(v.birth_year - years[pos]), -10)
                scored.append((score + bonus, -pos, ids[pos]))
            scored.sort(reverse=True)
            times_bf.append(time.monotonic() - t)
            cpu_bf.append(time.thread_time() - c)
            ranked_bf.append([rid for _s, _p, rid in scored[:10]])
        brute = {**quality(ranked_bf, targets[:n_bq]), **latency(times_bf, cpu_bf)}

        # Baseline 3: plain trigram search over whole names (SQLite FTS5, trigram tokenizer).
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("CREATE VIRTUAL TABLE bench_names USING fts5(name, tokenize='trigram')")
            cursor.executemany(
                "INSERT INTO bench_names(rowid, name) VALUES (%s, %s)",
                list(zip(ids, names, strict=True)),
            )
        fts_build = time.monotonic() - t
        del names
        ranked_tg, times_tg, cpu_tg = [], [], []
        with connection.cursor() as cursor:
            for _pid, v, _sex in bq:
                text = " ".join(tokens(v.text))
                grams = sorted(
                    {text[i : i + 3] for i in range(len(text) - 2) if " " not in text[i : i + 3]}
                )
                t, c = time.monotonic(), time.thread_time()
                cursor.execute(
                    "SELECT rowid FROM bench_names WHERE bench_names MATCH %s ORDER BY rank LIMIT 10",
                    [" OR ".join(f'"{g}"' for g in grams)],
                )
                ranked_tg.append([r[0] for r in cursor.fetchall()])
                times_tg.append(time.monotonic() - t)
                cpu_tg.append(time.thread_time() - c)
        trigram = {**quality(ranked_tg, targets[:n_bq]), **latency(times_tg, cpu_tg),
                   "index_seconds": round(fts_build, 1)}  # fmt: skip

    # Linking: propose same-person pairs for a sample of records (half with a true partner),
    # and compare with the truth.
    from hromada.tracing.services import PROPOSE_AT

    lrng = random.Random(args.seed + 2)
    with_partner = [rid for rid, pid in person_of.items() if len(records_of[pid]) > 1]
    sample = lrng.sample(with_partner, min(args.link_sample // 2, len(with_partner)))
    sample += lrng.sample(list(person_of), args.link_sample - len(sample))
    wanted = set(sample)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, given_name, family_name, patronymic, birth_year, sex FROM tracing_personrecord"
        )
        sample_rows = {r[0]: r for r in cursor.fetchall() if r[0] in wanted}
    proposed = correct = 0
    true_pairs = sum(len(records_of[person_of[rid]]) - 1 for rid in sample)
    found_pairs = 0
    link_times = []
    for rid in sample:
        _id, given, family, patronymic, year, sex = sample_rows[rid]
        t = time.monotonic()
        hits = index.search(index.Query(f"{given} {family} {patronymic}", birth_year=year, sex=sex,
                                        exclude=frozenset({rid})), limit=5)  # fmt: skip
        link_times.append(time.monotonic() - t)
        for h in hits:
            if h.score >= PROPOSE_AT:
                proposed += 1
                same = person_of[h.record_id] == person_of[rid]
                correct += same
                found_pairs += same
    linking = {
        "sample": len(sample),
        "threshold": PROPOSE_AT,
        "link_precision": round(correct / proposed, 4) if proposed else None,
        "link_recall": round(found_pairs / true_pairs, 4) if true_pairs else None,
        "link_p95_ms": round(1000 * percentile(link_times, 0.95), 2),
    }

    report = {
        "records": len(rows),
        "people": n_people,
        "queries": len(queries),
        "seed": args.seed,
        "rates": rates,
        "population": population_figures(people, legacy=args.legacy_population),
        **engine,
        "import_seconds": round(import_seconds, 1),
        "import_cpu_seconds": round(import_cpu_seconds, 1),
        "load_average_at_import": round(load_before, 1),
        "load_average_at_search": round(load_at_search, 1),
        "load_average_at_end": round(os.getloadavg()[0], 1),
        "import_rows_per_second": round(len(rows) / import_seconds),
        "generate_seconds": round(generated, 1),
        "link_precision": linking["link_precision"],
        "link_recall": linking["link_recall"],
        "linking": linking,
        "answerable": bound,
        "diagnosis": {k: v for k, v in diagnosis.items() if k != "stage"},
        "baselines": {
            "queries": len(bq),
            "engine_on_these_queries": engine_same,
            "answerable_on_these_queries": answerable(
                people, [(pid, v) for pid, v, _s in bq], truth, rates, PLACES
            )
            if bq
            else {},
            "rapidfuzz_brute_force": ceiling,
            "rapidfuzz_token_set": brute,
            "fts5_trigram": trigram,
        },
        "targets": {"recall_at_10": 0.97, "recall_at_1": 0.85, "p95_ms": 50, "import_seconds": 120},
    }
    report["ok"] = bool(
        report["recall_at_10"] >= 0.97
        and report["recall_at_1"] >= 0.85
        and report["p95_ms"] < 50
        and report["import_seconds"] < 120
    )
    # On a machine shared with other work, judge time by CPU time as well.
    report["ok_by_cpu_time"] = bool(
        report["recall_at_10"] >= 0.97
        and report["recall_at_1"] >= 0.85
        and report["p95_cpu_ms"] < 50
        and report["import_cpu_seconds"] < 120
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

"""`c360 resolve` against plain Splink 5 on person files c360 did not generate (benchmarks/foreign_people.py).

Each data set is written once. Then, in the same run, each side runs in its own child process,
three times, alternating, and the median counts (seconds exclude interpreter start and imports, as
in every benchmark here): c360 `resolve_files` (model estimated on the input), and a
straightforward untuned Splink 5 setup on the raw file: standard comparisons for the same columns,
the prior from a deterministic rule (recall 0.7), u by random sampling, EM over two blocking rules
(on all records, not Splink 5's default 1% sample), clusters at the same 0.95 threshold. Both
sides' clusters are scored by one function against the truth the record ids carry. c360's blocking
recall comes from a second, untimed run that reuses the model the first one saved.
Targets (issue #12): c360 F1 >= plain Splink's on every data set, c360 time <= 2x Splink's.

    ./dev python benchmarks/bench_identity_foreign.py                                   # ~3k-record sets
    ./dev python benchmarks/bench_identity_foreign.py --people 50000 --link-people 25000  # ~100k dedupe
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from foreign_people import FEBRL_MAPPING, dedupe_file, entity_of, link_files, write_csv

from benchmarks.measured_child import run_measured

log = logging.getLogger("bench_identity_foreign")
THRESHOLD = 0.95
ID_MAPPING = ",id:ssn=soc_sec_id"


def _c360(files: list[Path], out: Path, with_id: bool, link: bool, truth: Path) -> dict:
    from identity.cli_commands import parse_mapping
    from identity.files import ResolveOptions, resolve_files

    started = time.perf_counter()
    result = resolve_files(
        files,
        parse_mapping(FEBRL_MAPPING + (ID_MAPPING if with_id else "")),
        out,
        options=ResolveOptions(threshold=THRESHOLD, link_only=link),
    )
    seconds = time.perf_counter() - started
    # scored apart from the timed run: blocking recall needs the truth, which a user does not have
    evaluated = resolve_files(
        files,
        parse_mapping(FEBRL_MAPPING + (ID_MAPPING if with_id else "")),
        out.with_name(out.name + "_evaluated"),
        options=ResolveOptions(threshold=THRESHOLD, link_only=link, truth=truth, model_path=Path(result["saved_to"])),
    )
    return {
        "clusters_csv": result["clusters_csv"],
        "model": result["model"],
        "seconds": seconds,
        "blocking_recall": evaluated["evaluation"]["blocking_recall"],
    }


def _plain_splink(files: list[Path], out: Path, with_id: bool, link: bool) -> dict:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    for number, path in enumerate(files):
        con.execute(f"CREATE TABLE file{number} AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    db_api = DuckDBAPI(con)
    tables = [db_api.register(f"file{number}") for number in range(len(files))]
    # address_2 (mostly blank) is left out, and the id is compared exactly rather than by edit distance:
    # otherwise EM drives a "differs" m to exactly 0, which Splink 5 rejects (ValueError)
    comparisons = [
        cl.NameComparison("given_name"),
        cl.NameComparison("surname"),
        cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1"),
        cl.JaroWinklerAtThresholds("suburb"),
        cl.LevenshteinAtThresholds("postcode", [1, 2]),
        cl.ExactMatch("state"),
        *([cl.ExactMatch("soc_sec_id")] if with_id else []),
    ]
    settings = SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        unique_id_column_name="rec_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("postcode"),
            *([block_on("soc_sec_id")] if with_id else []),
        ],
    )
    linker = Linker(tables, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    for rule in (block_on("date_of_birth"), block_on("given_name", "surname")):
        # all records: Splink 5's default 1% sample leaves EM almost no pairs on files this size
        linker.training.estimate_parameters_using_expectation_maximisation(rule, record_sample_proportion=1.0)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "clusters.csv"
    con.execute(f"COPY (SELECT rec_id AS record_id, cluster_id FROM {clusters.physical_name}) TO '{path}'")
    return {"clusters_csv": str(path), "seconds": time.perf_counter() - started}


def f1(clusters_csv: Path) -> dict:
    """Pairwise precision, recall and F1 of a clusters file against the truth in FEBRL ids."""
    with clusters_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_cluster: dict[str, list[str]] = {}
    by_entity: dict[str, list[str]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster_id"], []).append(row["record_id"])
        by_entity.setdefault(entity_of(row["record_id"]), []).append(row["record_id"])

    def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
        return {(a, b) for members in groups.values() for a in members for b in members if a < b}

    predicted, true = pairs(by_cluster), pairs(by_entity)
    correct = len(predicted & true)
    precision = correct / len(predicted) if predicted else 1.0
    recall = correct / len(true) if true else 1.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if correct else 0.0,
        "true_pairs": len(true),
    }


def _write_sets(workdir: Path, people: int, link_people: int, seed: int) -> list[dict]:
    rows = dedupe_file(people, seed)
    dedupe = write_csv(rows, workdir / f"dedupe_{people}.csv")
    left, right = link_files(link_people, seed + 1)
    files = [
        write_csv(left, workdir / f"link_{link_people}_a.csv"),
        write_csv(right, workdir / f"link_{link_people}_b.csv"),
    ]
    truth = workdir / "truth.csv"
    with truth.open("w") as handle:
        handle.write("record_id,entity_id\n")
        for row in rows + left + right:
            handle.write(f"{row['rec_id']},{entity_of(str(row['rec_id']))}\n")
    sets = []
    for with_id in (False, True):
        id_label = " + id" if with_id else ""
        sets.append(
            {
                "name": f"dedupe {len(rows)} records{id_label}",
                "files": [str(dedupe)],
                "link": False,
                "with_id": with_id,
                "truth": str(truth),
            }
        )
        sets.append(
            {
                "name": f"link {len(left)} + {len(right)}{id_label}",
                "files": [str(f) for f in files],
                "link": True,
                "with_id": with_id,
                "truth": str(truth),
            }
        )
    return sets


def run(workdir: Path, people: int, link_people: int, seed: int, repeat: int) -> list[dict]:
    """Each side `repeat` times, alternating, so both meet the same load; the median counts."""
    results = []
    for number, data_set in enumerate(_write_sets(workdir, people, link_people, seed)):
        row = {"data set": data_set["name"]}
        runs: dict[str, list[dict]] = {"splink": [], "c360": []}
        for _ in range(repeat):
            for side, measured in runs.items():
                spec = json.dumps({**data_set, "side": side, "out": str(workdir / f"out_{number}_{side}")})
                measured.append(run_measured([__file__, "--step", spec]))
        for side, measured in runs.items():
            row[side] = {
                **f1(Path(measured[0]["clusters_csv"])),
                "seconds": round(statistics.median(m["seconds"] for m in measured), 1),
                "wall": round(statistics.median(m["wall"] for m in measured), 1),
                "peak_mb": round(max(m["peak_mb"] for m in measured)),
                **{k: measured[0][k] for k in ("model", "blocking_recall") if k in measured[0]},
            }
        row["f1_ok"] = row["c360"]["f1"] >= row["splink"]["f1"]
        row["time_ratio"] = round(row["c360"]["seconds"] / row["splink"]["seconds"], 2)
        log.info("%s", json.dumps(row))
        results.append(row)
    return results


def _step(spec: dict) -> None:
    files = [Path(f) for f in spec["files"]]
    if spec["side"] == "c360":
        result = _c360(files, Path(spec["out"]), spec["with_id"], spec["link"], Path(spec["truth"]))
    else:
        result = _plain_splink(files, Path(spec["out"]), spec["with_id"], spec["link"])
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=2000, help="people in the dedupe file (~1.5x records)")
    parser.add_argument("--link-people", type=int, default=1500, help="records in each of the two link files")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workdir", default="/tmp/c360_bench_identity_foreign")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median time counts")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        logging.disable(logging.WARNING)
        _step(json.loads(args.step))
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = run(Path(args.workdir), args.people, args.link_people, args.seed, args.repeat)
    print(
        "| data set | plain Splink P / R / F1 | c360 P / R / F1 | plain Splink s (wall) | c360 s (wall) "
        "| ratio | c360 blocking recall |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in results:
        splink, c360 = row["splink"], row["c360"]
        print(
            f"| {row['data set']} | {splink['precision']} / {splink['recall']} / {splink['f1']} "
            f"| {c360['precision']} / {c360['recall']} / {c360['f1']} | {splink['seconds']} ({splink['wall']}) "
            f"| {c360['seconds']} ({c360['wall']}) | {row['time_ratio']} | {c360['blocking_recall']} |"
        )


if __name__ == "__main__":
    main()

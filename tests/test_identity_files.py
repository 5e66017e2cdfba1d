"""`c360 resolve` on person files c360 did not generate: foreign headers, dedupe and link."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from benchmarks.foreign_people import (
    FEBRL_MAPPING,
    dedupe_file,
    entity_of,
    transpose_digits,
    write_csv,
)
from c360.cli import main
from identity.cli_commands import parse_mapping
from identity.files import ResolveOptions, resolve_files


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_dedupe_a_file_with_foreign_headers(tmp_path: Path) -> None:
    people = tmp_path / "kunden.csv"
    people.write_text(
        "Kunden-Nr;Vollständiger Name;E-Mail-Adresse;Telefon;Geburtstag;PLZ\n"
        "K1;Ann Lee;ann.lee@example.com;(415) 555-0101;1980-01-02;94110\n"
        "K2;Lee, Ann; ANN.LEE@EXAMPLE.COM;;;\n"
        "K3;Anne Lee;anne@other.test;+1 415 555 0101;1980-01-02;94110\n"
        "K4;Bob Stone;bob@stone.test;617 555 0199;1970-05-05;02139\n",
        encoding="utf-8",
    )
    mapping = parse_mapping(
        "record_id=Kunden-Nr,full_name=Vollständiger Name,email=E-Mail-Adresse,"
        "phone=Telefon,dob=Geburtstag,postcode=PLZ"
    )

    result = resolve_files([people], mapping, tmp_path / "out")

    clusters = {row["record_id"]: row["cluster_id"] for row in _read(Path(result["clusters_csv"]))}
    assert set(clusters) == {"K1", "K2", "K3", "K4"}
    assert clusters["K1"] == clusters["K2"] == clusters["K3"] != clusters["K4"]
    pairs = _read(Path(result["pairs_csv"]))
    assert list(pairs[0]) == ["record_id_l", "record_id_r", "kind", "match_probability"]
    assert {"K1", "K3"} in [{p["record_id_l"], p["record_id_r"]} for p in pairs]


def test_link_two_files_reports_the_source_of_each_record(tmp_path: Path) -> None:
    left, right = tmp_path / "shop.csv", tmp_path / "newsletter.csv"
    left.write_text("id,first,last,mail,member\n1,Ann,Lee,ann@x.test,M-7\n2,Bob,Stone,bob@y.test,\n")
    right.write_text(
        "subscriber,given,family,address,member_no\ns1,Annie,Lee,annie@z.test,M-7\ns2,Cy,Twombly,cy@w.test,\n"
    )

    result = resolve_files(
        [left, right],
        [
            {"record_id": "id", "first_name": "first", "last_name": "last", "email": "mail", "extra_id": "member"},
            {
                "record_id": "subscriber",
                "first_name": "given",
                "last_name": "family",
                "email": "address",
                "extra_id": "member_no",
            },
        ],
        tmp_path / "out",
    )

    rows = _read(Path(result["clusters_csv"]))
    assert list(rows[0]) == ["record_id", "cluster_id", "source"]
    cluster = {(row["source"], row["record_id"]): row["cluster_id"] for row in rows}
    assert cluster[("shop", "1")] == cluster[("newsletter", "s1")]  # shared member number
    assert len(set(cluster.values())) == 3


def _foreign_file(tmp_path: Path, people: int = 450, seed: int = 5) -> tuple[Path, list[dict]]:
    """A FEBRL-style file from benchmarks/foreign_people.py (not c360's generator): no email, no
    phone, typos, OCR errors, swapped names, missing values, dates in four formats."""
    rows = dedupe_file(people, seed)
    return write_csv(rows, tmp_path / "febrl_style.csv"), rows


def _true_pairs(rows: list[dict]) -> set[frozenset[str]]:
    by_entity: dict[str, list[str]] = {}
    for row in rows:
        by_entity.setdefault(entity_of(str(row["rec_id"])), []).append(str(row["rec_id"]))
    return {frozenset((a, b)) for ids in by_entity.values() for a in ids for b in ids if a < b}


def _clustered_pairs(clusters_csv: Path) -> set[frozenset[str]]:
    members: dict[str, list[str]] = {}
    for row in _read(clusters_csv):
        members.setdefault(row["cluster_id"], []).append(row["record_id"])
    return {frozenset((a, b)) for ids in members.values() for a in ids for b in ids if a < b}


def test_a_foreign_file_without_email_or_phone_links_with_a_model_estimated_on_it(tmp_path: Path) -> None:
    path, rows = _foreign_file(tmp_path)

    result = resolve_files([path], parse_mapping(FEBRL_MAPPING), tmp_path / "out")

    assert result["model"] == "estimated on the input"
    true, found = _true_pairs(rows), _clustered_pairs(Path(result["clusters_csv"]))
    assert len(true) > 300
    assert len(true & found) / len(true) >= 0.9  # recall
    assert len(true & found) / len(found) >= 0.98  # precision
    saved = json.loads((tmp_path / "out" / "model.json").read_text())
    assert {c["output_column_name"] for c in saved["comparisons"]} == {
        "first_name",
        "last_name",
        "dob",
        "address",
    }  # mapped fields only: no email, phone; city, state in address


def test_a_file_too_small_to_train_on_uses_the_committed_model_and_says_why(tmp_path: Path) -> None:
    people = tmp_path / "few.csv"
    people.write_text("id,first,last\n1,Ann,Lee\n2,Ann,Lee\n")

    result = resolve_files([people], parse_mapping("record_id=id,first_name=first,last_name=last"), tmp_path / "out")

    assert result["model"].endswith("person_model.json")
    assert result["why"].startswith("2 records are too few")


def test_several_ids_with_typos_link_records_whose_names_disagree(tmp_path: Path) -> None:
    rows = dedupe_file(400, seed=9)
    rng = random.Random(9)
    renamed: set[frozenset[str]] = set()
    originals = {entity_of(str(r["rec_id"])): r for r in rows if str(r["rec_id"]).endswith("-org")}
    for row in rows:
        entity = entity_of(str(row["rec_id"]))
        row["member_no"] = f"M-{int(entity) * 7919 % 1000000:06d}"
        if "-dup-" in str(row["rec_id"]) and len(renamed) < 40:
            # another name, no birth date, both ids copied with a typo: only the ids and the address tell
            row["given_name"], row["surname"], row["date_of_birth"] = "xavier", "quintero", ""
            row["soc_sec_id"] = transpose_digits(rng, str(originals[entity]["soc_sec_id"]))
            row["member_no"] = row["member_no"][:-1] + str((int(row["member_no"][-1]) + 1) % 10)
            renamed.add(frozenset((str(row["rec_id"]), str(originals[entity]["rec_id"]))))
    path = tmp_path / "with_ids.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0].keys()])
        writer.writeheader()
        writer.writerows(rows)

    with_ids = resolve_files(
        [path], parse_mapping(FEBRL_MAPPING + ",id:ssn=soc_sec_id,id:member=member_no"), tmp_path / "out"
    )
    without_ids = resolve_files([path], parse_mapping(FEBRL_MAPPING), tmp_path / "without")

    found = _clustered_pairs(Path(with_ids["clusters_csv"]))
    assert len(renamed & found) >= 0.75 * len(renamed)
    assert len(renamed & _clustered_pairs(Path(without_ids["clusters_csv"]))) <= 0.25 * len(renamed)
    saved = json.loads((tmp_path / "out" / "model.json").read_text())
    id_levels = {
        c["output_column_name"]: [lv["label_for_charts"] for lv in c["comparison_levels"]]
        for c in saved["comparisons"]
        if c["output_column_name"].startswith("id_")
    }
    assert set(id_levels) == {"id_ssn", "id_member"}
    assert any("Damerau-Levenshtein" in label for label in id_levels["id_ssn"])


def test_pairs_csv_holds_every_edge_so_its_components_are_the_clusters(tmp_path: Path) -> None:
    path, _ = _foreign_file(tmp_path, people=150, seed=6)
    mapping = parse_mapping(FEBRL_MAPPING + ",id:ssn=soc_sec_id")

    # too few records to estimate on: the committed model, which compares no ids, so equal ids are edges too
    result = resolve_files([path], mapping, tmp_path / "out")

    assert result["why"].endswith("too few to estimate a model on (fewer than 500)")
    pairs = _read(Path(result["pairs_csv"]))
    assert {p["kind"] for p in pairs} == {"id:ssn", "splink"}
    assert all(p["match_probability"] == "" for p in pairs if p["kind"] == "id:ssn")
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for pair in pairs:
        parent[root(pair["record_id_l"])] = root(pair["record_id_r"])
    components: dict[str, set[str]] = {}
    for node in list(parent):
        components.setdefault(root(node), set()).add(node)
    clusters: dict[str, set[str]] = {}
    for row in _read(Path(result["clusters_csv"])):
        clusters.setdefault(row["cluster_id"], set()).add(row["record_id"])
    assert sorted(map(sorted, components.values())) == sorted(sorted(c) for c in clusters.values() if len(c) > 1)


def test_dates_are_read_per_file_and_unreadable_values_are_counted(tmp_path: Path) -> None:
    left, right = tmp_path / "eu.csv", tmp_path / "us.csv"
    left.write_text("id,name,born\n1,Ann Lee,13.04.1980\n2,Bob Stone,19700505\n3,Cy Twombly,soon\n")
    right.write_text("id,name,born\na,Ann Lee,04/13/1980\nb,Bob Stone,05/05/1970\n")

    result = resolve_files([left, right], parse_mapping("record_id=id,full_name=name,dob=born"), tmp_path / "out")

    report = {(r["file"], r["field"]): r for r in _read(Path(result["normalisation_report_csv"]))}
    assert (report[("eu", "dob")]["values"], report[("eu", "dob")]["not_normalised"]) == ("3", "1")
    assert report[("us", "dob")]["not_normalised"] == "0"
    assert "read as MM/DD/YYYY" in report[("us", "dob")]["note"]
    assert "fit both orders" not in report[("us", "dob")]["note"]  # 05/05/1970 reads the same either way


def test_a_forced_date_format_counts_every_other_writing_as_unreadable(tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,name,born\n1,Ann Lee,03/04/2001\n2,Bob Stone,2001-04-03\n")

    result = resolve_files(
        [people],
        parse_mapping("record_id=id,full_name=name,dob=born"),
        tmp_path / "out",
        options=ResolveOptions(date_format="MM/DD/YYYY"),
    )

    dob = next(r for r in result["normalisation"] if r["field"] == "dob")
    assert (dob["values"], dob["not_normalised"], dob["note"]) == (2, 1, "read as MM/DD/YYYY (forced)")


def test_link_only_and_one_to_one_keep_edges_between_files(tmp_path: Path) -> None:
    left, right = tmp_path / "a.csv", tmp_path / "b.csv"
    left.write_text("id,name,member\n1,Ann Lee,M1\n2,Ann Lee,M1\n3,Bob Stone,M2\n")
    right.write_text("id,name,member\nx,Ann Lee,M1\ny,Bob Stone,M2\n")
    mapping = parse_mapping("record_id=id,full_name=name,id:member=member")

    linked = resolve_files([left, right], mapping, tmp_path / "link", options=ResolveOptions(link_only=True))
    one = resolve_files([left, right], mapping, tmp_path / "one", options=ResolveOptions(one_to_one=True))

    link_pairs = _read(Path(linked["pairs_csv"]))
    assert all(p["source_l"] != p["source_r"] for p in link_pairs)
    one_pairs = {(p["record_id_l"], p["record_id_r"]) for p in _read(Path(one["pairs_csv"]))}
    assert ("3", "y") in one_pairs and len(one_pairs) == 2  # x partners one of the two Anns, not both
    assert len([p for p in one_pairs if p[1] == "x"]) == 1


def test_a_higher_threshold_keeps_fewer_scored_edges(tmp_path: Path) -> None:
    path, _ = _foreign_file(tmp_path, people=300, seed=8)
    mapping = parse_mapping(FEBRL_MAPPING)

    loose = resolve_files([path], mapping, tmp_path / "loose", options=ResolveOptions(threshold=0.5))
    strict = resolve_files([path], mapping, tmp_path / "strict", options=ResolveOptions(threshold=0.999999))

    assert (loose["threshold"], strict["threshold"]) == (0.5, 0.999999)
    assert strict["edges"]["splink"] < loose["edges"]["splink"]


def test_a_mapping_naming_a_missing_header_fails_in_one_line_listing_the_headers(tmp_path, capsys) -> None:
    people = tmp_path / "people.csv"
    people.write_text("Kunden-Nr,Vorname\nK1,Ann\n")

    code = main(
        ["resolve", str(people), "--mapping", "record_id=Kunden-Nr,first_name=Vornam", "--out", str(tmp_path / "out")]
    )

    err = capsys.readouterr().err
    assert code == 2
    assert (
        err == f"c360 resolve: {people}: no column for first_name=Vornam; the file's headers are: Kunden-Nr, Vorname\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.csv"], "missing.csv: no such file"),
        (["--date-format", "YYYY/MM/DD"], "unknown date format 'YYYY/MM/DD'"),
        (["--threshold", "1.5"], "--threshold must be a probability in (0, 1]"),
    ],
)
def test_other_user_mistakes_are_one_line_and_exit_2(tmp_path, capsys, args, message) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,first\n1,Ann\n")
    inputs = [str(tmp_path / args[0])] if args[0].endswith(".csv") else [str(people), *args]

    code = main(["resolve", *inputs, "--mapping", "record_id=id,first_name=first", "--out", str(tmp_path / "out")])

    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err


def test_a_model_saved_by_an_earlier_run_scores_a_new_file(tmp_path: Path) -> None:
    path, _ = _foreign_file(tmp_path, people=300, seed=7)
    mapping = parse_mapping(FEBRL_MAPPING)
    first = resolve_files([path], mapping, tmp_path / "first")

    again = resolve_files(
        [path], mapping, tmp_path / "again", options=ResolveOptions(model_path=Path(first["saved_to"]))
    )

    assert (again["model"], again["why"]) == (first["saved_to"], "given with --model")
    assert _read(Path(again["clusters_csv"])) == _read(Path(first["clusters_csv"]))


def test_each_run_prints_per_field_how_many_values_could_not_be_normalised(tmp_path, capsys) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,name,born,tel\n1,Ann Lee,19800102,415 555 0101\n2,Bob Stone,next spring,12\n")

    code = main(
        [
            "resolve",
            str(people),
            "--mapping",
            "record_id=id,full_name=name,dob=born,phone=tel",
            "--out",
            str(tmp_path / "out"),
        ]
    )

    err = capsys.readouterr().err
    assert code == 0
    assert "people.dob: 2 values, 1 could not be normalised" in err
    assert "people.phone: 2 values, 1 could not be normalised" in err
    assert "model: " in err and "too few to estimate" in err
    assert (tmp_path / "out" / "normalisation_report.csv").is_file()

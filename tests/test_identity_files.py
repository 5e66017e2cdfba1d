"""`c360 resolve` on person files c360 did not generate: foreign headers, dedupe and link."""
from __future__ import annotations

import csv
from pathlib import Path

from identity.cli_commands import parse_mapping
from identity.files import resolve_files


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
        encoding="utf-8")
    mapping = parse_mapping("record_id=Kunden-Nr,full_name=Vollständiger Name,email=E-Mail-Adresse,"
                            "phone=Telefon,dob=Geburtstag,postcode=PLZ")

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
    right.write_text("subscriber,given,family,address,member_no\n"
                     "s1,Annie,Lee,annie@z.test,M-7\ns2,Cy,Twombly,cy@w.test,\n")

    result = resolve_files([left, right], [
        {"record_id": "id", "first_name": "first", "last_name": "last", "email": "mail", "extra_id": "member"},
        {"record_id": "subscriber", "first_name": "given", "last_name": "family", "email": "address",
         "extra_id": "member_no"},
    ], tmp_path / "out")

    rows = _read(Path(result["clusters_csv"]))
    assert list(rows[0]) == ["record_id", "cluster_id", "source"]
    cluster = {(row["source"], row["record_id"]): row["cluster_id"] for row in rows}
    assert cluster[("shop", "1")] == cluster[("newsletter", "s1")]  # shared member number
    assert len(set(cluster.values())) == 3

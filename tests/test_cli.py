"""The `c360` command as an analyst uses it: real files in, real files out."""

from __future__ import annotations

import csv
import json

from c360.cli import main


def test_resolve_dedupes_a_file_with_foreign_headers(tmp_path, capsys):
    people = tmp_path / "kunden.csv"
    people.write_text(
        "Kunden-Nr,Name,E-Mail,Telefon\n"
        "1,Anna Müller,anna.mueller@example.de,+1 415 555 0100\n"
        "2,Anna Mueller, ANNA.MUELLER@example.de ,(415) 555-0100\n"
        "3,Bernd Beispiel,bernd@example.org,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "resolve",
                str(people),
                "--out",
                str(out),
                "--mapping",
                "record_id=Kunden-Nr,full_name=Name,email=E-Mail,phone=Telefon",
            ]
        )
        == 0
    )
    with (out / "clusters.csv").open(newline="") as f:
        cluster_of = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(f)}
    assert cluster_of["1"] == cluster_of["2"] != cluster_of["3"]
    assert json.loads(capsys.readouterr().out)["clusters_csv"] == str(out / "clusters.csv")


def test_resolve_rejects_an_unknown_mapping_field_in_one_line(tmp_path, capsys):
    people = tmp_path / "p.csv"
    people.write_text("id,name\n1,A\n")
    assert main(["resolve", str(people), "--out", str(tmp_path), "--mapping", "record_id=id,nickname=name"]) == 2
    err = capsys.readouterr().err
    assert "nickname=name" in err and err.count("\n") == 1

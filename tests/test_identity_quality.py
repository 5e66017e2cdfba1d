"""Quality and id persistence on the bundled sample, through the real ingestion pipeline."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from c360.settings import SAMPLE_DIR, SAMPLE_TRUTH, Settings
from identity.evaluate import evaluate
from identity.resolve import run_identity


@pytest.mark.scale
def test_bundled_sample_resolves_precisely_and_reruns_keep_ids(tmp_path: Path) -> None:
    from ingestion.pipelines import run_ingestion

    settings = Settings(
        warehouse=tmp_path / "wh.duckdb", landing=SAMPLE_DIR, exports=tmp_path / "exports", reports=tmp_path / "reports"
    )
    run_ingestion(settings)
    first = run_identity(settings)
    quality = evaluate(settings, SAMPLE_TRUTH)
    assert quality["evaluated_records"] == quality["truth_records"] == first["records"]
    assert quality["pairwise_precision"] >= 0.99
    assert quality["pairwise_recall"] >= 0.85  # the rest share only a name, or nothing at all
    with duckdb.connect(str(settings.warehouse)) as con:
        before = con.execute("SELECT * FROM identity.customer_map ORDER BY ALL").fetchall()
    second = run_identity(settings)
    with duckdb.connect(str(settings.warehouse)) as con:
        after = con.execute("SELECT * FROM identity.customer_map ORDER BY ALL").fetchall()
    assert after == before and second["records_reassigned"] == 0

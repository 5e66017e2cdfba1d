"""`c360 report`: a self-contained HTML page that renders offline in a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from c360.cli import main
from c360.report import write_report
from tests.headless_chromium import chromium

MARTS = """
create schema marts; create schema identity;
create table marts.fct_segment_sizes_daily as select * from (values
    ('vip', date '2026-03-01', 10), ('vip', date '2026-03-02', 12), ('news', date '2026-03-01', 40),
    ('news', date '2026-03-02', 35)) t(segment, day, members);
create table marts.fct_funnel_steps as select * from (values
    ('shop', 1, 'viewed', 'overall', 'all', 200, null, 1.0), ('shop', 2, 'added', 'overall', 'all', 80, 0.4, 0.4),
    ('shop', 3, 'ordered', 'overall', 'all', 20, 0.25, 0.1), ('shop', 1, 'viewed', 'segment', 'vip', 5, null, 1.0))
    t(funnel, step_number, step_name, breakdown, breakdown_value, customers, conversion_from_previous_step,
      conversion_from_first_step);
create table marts.fct_retention_cohorts as select * from (values
    ('first_seen', 'month', date '2026-01-01', 0, 1.0), ('first_seen', 'month', date '2026-01-01', 1, 0.5),
    ('first_seen', 'month', date '2026-02-01', 0, 1.0), ('first_purchase', 'month', date '2026-01-01', 0, 1.0))
    t(cohort_basis, grain, cohort_period, period_number, activity_retention);
create table marts.fct_attribution as select * from (values
    ('o1', 300.0, 'Paid Search', 1.0, 0.0, 0.5, 0.5, 0.4), ('o1', 300.0, 'Email', 0.0, 1.0, 0.5, 0.5, 0.6),
    ('o2', 50.0, '(none)', 1.0, 1.0, 1.0, 1.0, 1.0))
    t(conversion_id, revenue, channel, first_touch_credit, last_touch_credit, linear_credit, position_based_credit,
      time_decay_credit);
create table marts.fct_segment_split_lift as select * from (values
    ('vip', 'treatment', false, 90, 18, 0.2, 0.1), ('vip', 'holdout', true, 10, 1, 0.1, 0.0))
    t(segment, split_group, is_holdout, members, converted_members, conversion_rate, lift);
create table identity.customer_map as select * from (values
    ('crm_contact', '1', 'c1'), ('email_recipient', 'r1', 'c1'), ('email_recipient', 'r2', 'c2'))
    t(source, source_record_id, customer_id);
"""

# every request that is not to a file fails: the page must need none
OFFLINE = ["--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    warehouse = tmp_path / "c360.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(MARTS)
    return write_report(warehouse, tmp_path / "report.html")


def test_the_report_loads_no_script_stylesheet_or_image_from_anywhere(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "<script" not in html


def test_the_report_charts_every_measurement_with_its_figures(report: Path) -> None:
    html = report.read_text()
    assert "80 (40%)" in html and "20 (10%)" in html  # funnel steps and their share of entrants
    assert "50% of 2" in html  # email_recipient: r1's customer also has a CRM record, r2's does not
    assert "Paid Search, first_touch: 300" in html and "Email, time_decay: 180" in html  # 0.6 x 300
    assert "+10.0%" in html  # treatment lift over the holdout


def test_the_report_renders_offline_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    driver = chromium(tmp_path / "chromium", "--window-size=1000,2400", *OFFLINE)
    try:
        driver.get(report.as_uri())
        charts = driver.execute_script("return document.querySelectorAll('svg.chart').length")
        marks = driver.execute_script("return document.querySelectorAll('svg.chart .mark').length")
        heights = driver.execute_script(
            "return [...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().height)"
        )
        requests = driver.execute_script("return performance.getEntriesByType('resource').length")
        screenshot = tmp_path / "report.png"
        assert driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
    assert charts == 5  # segment sizes, one funnel, cohort heatmap, attribution, identity match rates
    assert marks == 2 + 3 + 3 + 3 * 5 + 2  # lines, funnel bars, cohort cells, channel x model bars, sources
    assert all(h > 50 for h in heights)
    assert requests == 0
    assert screenshot.stat().st_size > 10_000


def test_report_without_a_warehouse_is_one_line_and_exit_code_2(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("C360_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    assert main(["report", "--out", str(tmp_path / "r.html")]) == 2
    assert capsys.readouterr().err.strip().endswith("run `c360 run` first")


def test_the_report_charts_the_sample_pipelines_warehouse(sample_run, tmp_path: Path) -> None:
    """On the bundled sample (built end to end by the real pipeline) every section has data."""
    html = write_report(sample_run.warehouse, tmp_path / "report.html").read_text()
    sections = {section.split("</h2>")[0]: section for section in html.split("<h2>")[1:]}
    for heading in [
        "Segment sizes over time",
        "Funnels",
        "Cohort retention",
        "Attribution by channel and model",
        "Identity match rates",
    ]:
        assert '<svg class="chart"' in sections[heading], heading
    assert sections["Funnels"].count('<svg class="chart"') == 2  # browse_to_order, email_to_order

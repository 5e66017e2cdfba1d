"""Adding a person-bearing source is its registry entry, its mapping file and its staging models.

The proof copies the project, adds a fifth person-bearing source to the copy — a Freshdesk help
desk — as exactly those files, checks that nothing else in the copy differs from this checkout, and
runs the copy's own `c360 run` and `c360 forget`: the requesters are ingested, resolved, in the
golden record and erasable. The ticket file has the fields of Freshdesk's Tickets API with the
requester embedded (`GET /api/v2/tickets?include=requester`, https://developers.freshdesk.com/api/#tickets):
`id`, `requester_id`, `requester.name`, `requester.email`, `requester.phone`, `subject`, `status`
(2 open, 3 pending, 4 resolved, 5 closed), `created_at`, `updated_at` (ISO 8601, UTC).
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from c360.settings import PROJECT_ROOT
from tests.test_support_source import CONTACTS, EVENTS  # a CRM contact and a web page view

COPIED = (
    ".dlt/config.toml",
    "activation",
    "c360",
    "c360_generator",
    "config",
    "dagster_defs",
    "dbt_project",
    "enrichment",
    "identity",
    "ingestion",
    "privacy",
    "profiles",
    "registry",
)
NOT_COPIED = shutil.ignore_patterns("target", "logs", "__pycache__", "*.duckdb*", ".user.yml")

REGISTRY_ENTRY = """\
# A help desk (Freshdesk Tickets API exports): each ticket's requester is a person.
raw_schema: raw_helpdesk
landing_required: false
ingestion: ingestion.registered:mapped_source
mapping: freshdesk
tables: {tickets: ticket_id}
entities:
  tickets:
    primary_key: ticket_id
    updated_at: updated_at
    fields:
      - {name: ticket_id, kind: id, required: true}
      - {name: requester_id, kind: id, required: true}
      - {name: requester_name}
      - {name: email, kind: email}
      - {name: phone}
      - {name: subject}
      - {name: status}
      - {name: created_at, kind: timestamp, happened: true}
      - {name: updated_at, kind: timestamp, required: true, happened: true}

person_records:
  - source: helpdesk_requester
    table: tickets
    record_id: requester_id
    id_columns: [requester_id]
    emails: [email_normalized]
    phones: [phone]
    model: stg_helpdesk__requester_records
"""
MAPPING = """\
# Freshdesk Tickets API (https://developers.freshdesk.com/api/#tickets), requester included.
entities:
  tickets:
    files: ["*tickets*.csv"]
    timestamp_formats: ["%Y-%m-%dT%H:%M:%SZ"]
    columns:
      ticket_id: id
      requester_id: requester_id
      requester_name: requester.name
      email: requester.email
      phone: requester.phone
      subject: subject
      status: status
      created_at: created_at
      updated_at: updated_at
"""
STAGING_YAML = """\
version: 2

sources:
  - name: raw_helpdesk
    schema: raw_helpdesk
    tables:
      - name: tickets
        config:
          meta: {dagster: {asset_key: [raw_helpdesk, tickets]}}

models:
  - name: stg_helpdesk__tickets
    description: One row per help-desk ticket, its latest version.
  - name: stg_helpdesk__requester_records
    description: Each help-desk requester as a person record.
    columns:
      - name: source_record_id
        data_tests: [not_null, unique]
"""
TICKETS_MODEL = """\
select
    {{ clean_text('ticket_id') }} as ticket_id,
    {{ clean_text('requester_id') }} as requester_id,
    nullif(split_part(requester_name, ' ', 1), '') as first_name,
    nullif(trim(substr(requester_name, length(split_part(requester_name, ' ', 1)) + 1)), '') as last_name,
    {{ clean_text('email') }} as email,
    lower({{ clean_text('email_normalized') }}) as email_normalized,
    {{ clean_text('phone') }} as phone,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at
from {{ source('raw_helpdesk', 'tickets') }}
qualify row_number() over (partition by ticket_id order by updated_at desc nulls last) = 1
"""
# the support desk's requester records (staging/support/), renamed: a person-record model is this small
REQUESTERS_MODEL = (
    (PROJECT_ROOT / "dbt_project/models/staging/support/stg_support__requester_records.sql")
    .read_text()
    .replace("support_requester", "helpdesk_requester")
    .replace("stg_support__tickets", "stg_helpdesk__tickets")
)
ADDED = {
    "config/registry/helpdesk.yml": REGISTRY_ENTRY,
    "config/sources/freshdesk.yml": MAPPING,
    "dbt_project/models/staging/helpdesk/_helpdesk.yml": STAGING_YAML,
    "dbt_project/models/staging/helpdesk/stg_helpdesk__tickets.sql": TICKETS_MODEL,
    "dbt_project/models/staging/helpdesk/stg_helpdesk__requester_records.sql": REQUESTERS_MODEL,
}

TICKETS = """id,requester_id,requester.name,requester.email,requester.phone,subject,status,created_at,updated_at
7001,880001,Ada Lovelace,ada@analytical.test,,Refund,4,2026-02-01T10:00:00Z,2026-02-02T11:00:00Z
7002,880002,Grace Hopper,grace@navy.test,+1 202 555 0147,Compiler crash,2,2026-02-03T08:00:00Z,2026-02-03T09:00:00Z
"""


def _copy_with_a_fifth_source(root: Path) -> Path:
    project = root / "project"
    for name in COPIED:
        source, target = PROJECT_ROOT / name, project / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=NOT_COPIED)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    for path, text in ADDED.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(text)
    return project


def _differences(copy: Path) -> set[str]:
    """Files of the copy that are not byte for byte this checkout's."""
    return {
        path.relative_to(copy).as_posix()
        for path in copy.rglob("*")
        if path.is_file()
        and not (
            (PROJECT_ROOT / path.relative_to(copy)).is_file()
            and filecmp.cmp(path, PROJECT_ROOT / path.relative_to(copy), shallow=False)
        )
    }


def _c360(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """The copy's own c360 (its code first on the path), as `./dev c360 ...` runs it."""
    result = subprocess.run(
        [sys.executable, "-m", "c360.cli", *args], cwd=project, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def fifth_source_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], set[str]]:
    root = tmp_path_factory.mktemp("fifth_source")
    project = _copy_with_a_fifth_source(root)
    differences = _differences(project)  # before dbt and Python write their work files into the copy
    landing = root / "landing"
    for folder, name, text in (
        ("crm", "contacts.csv", CONTACTS),
        ("web", "events-2026-02-01.jsonl", EVENTS),
        ("email", None, None),
        ("helpdesk", "tickets.csv", TICKETS),
    ):
        (landing / folder).mkdir(parents=True)
        if name:
            (landing / folder / name).write_text(text)
    warehouse = root / "wh" / "c360.duckdb"
    env = {
        **os.environ,
        "PYTHONPATH": str(project),
        "C360_WAREHOUSE": str(warehouse),
        "C360_LANDING": str(landing),
        "C360_EXPORTS": str(root / "exports"),
        "C360_REPORTS": str(root / "reports"),
    }
    _c360(project, env, "run")
    return project, warehouse, env, differences


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_fifth_source_is_only_its_registry_entry_mapping_and_staging_models(fifth_source_run) -> None:
    assert fifth_source_run[3] == set(ADDED)


def test_fifth_source_requesters_are_ingested_and_resolved(fifth_source_run) -> None:
    warehouse = fifth_source_run[1]
    assert _rows(warehouse, "select source_file, rows_read, rows_loaded from raw_helpdesk.load_report") == [
        ("tickets.csv", 2, 2)
    ]
    customers = dict(
        _rows(warehouse, "select source || ':' || source_record_id, customer_id from identity.customer_map")
    )
    assert customers["helpdesk_requester:880001"] == customers["crm_contact:101"]  # Ada, by her email
    assert customers["helpdesk_requester:880002"] != customers["crm_contact:101"]


def test_fifth_source_requesters_are_in_the_golden_record(fifth_source_run) -> None:
    warehouse = fifth_source_run[1]
    grace = _rows(
        warehouse,
        """select d.first_name, d.last_name, d.email, d.phone from marts.dim_customers as d
           join identity.customer_map as m using (customer_id)
           where m.source = 'helpdesk_requester' and m.source_record_id = '880002'""",
    )
    assert grace == [("Grace", "Hopper", "grace@navy.test", "+12025550147")]
    assert _rows(
        warehouse,
        "select identifier_type, identifier_value from marts.customer_identifiers"
        " where source = 'helpdesk_requester' order by all",
    ) == [
        ("email", "ada@analytical.test"),
        ("email", "grace@navy.test"),
        ("helpdesk_requester", "880001"),
        ("helpdesk_requester", "880002"),
        ("phone", "+12025550147"),
    ]


def test_fifth_source_requesters_are_erasable(fifth_source_run) -> None:
    project, warehouse, env, _ = fifth_source_run
    _c360(project, env, "forget", "--email", "grace@navy.test")
    assert _rows(warehouse, "select count(*) from raw_helpdesk.tickets where requester_id = '880002'") == [(0,)]
    assert _rows(warehouse, "select count(*) from identity.customer_map where source_record_id = '880002'") == [(0,)]
    assert _rows(warehouse, "select count(*) from raw_helpdesk.tickets where requester_id = '880001'") == [(1,)]

"""A HubSpot landing folder as users really fill it: vendor file names, subfolders, archives,
Excel saves in other encodings, XLSX, colliding headers, implausible values and broken files.

One folder holds one file per case and is loaded once; each test checks its own file. Every
file ends up in raw_crm.load_report and every data row of every file is accounted for.

Shapes: HubSpot exports a view or list as CSV, XLS or XLSX, named
`hubspot-crm-exports-<view>-<date>` and zipped when several files are produced (HubSpot CRM
Exports API guide, http://legacydocs.hubspot.com guides/api/crm/exports); headers are property
labels (https://knowledge.hubspot.com/articles/kcs_article/contacts/set-up-your-import-file).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zipfile

import openpyxl
import pytest

from c360.settings import Settings
from ingestion.entities import CRM_ENTITIES
from ingestion.landing import Landing
from ingestion.mapping import load_mapping
from ingestion.pipelines import run_ingestion
from tests.test_ingestion_helpers import (
    CONTACT_HEADER,
    contact,
    csv_text,
    encodings,
    quarantine,
    query,
    report,
    settings_for,
)

UTC = dt.UTC
COMPANY_HEADER = [
    "Record ID",
    "Company name",
    "Company Domain Name",
    "Industry",
    "Number of Employees",
    "City",
    "Country/Region",
    "Create Date",
    "Last Modified Date",
    "Archived",
]
DEAL_HEADER = [
    "Record ID",
    "Deal Name",
    "Deal Stage",
    "Pipeline",
    "Amount",
    "Close Date",
    "Deal owner",
    "Associated Contact ID",
    "Associated Company ID",
    "Create Date",
    "Last Modified Date",
    "Archived",
]
# data rows written per file (header, footer and blank lines excluded): what the load report must account for
ROWS: dict[str, int] = {}


def write(folder, name: str, data: bytes, rows: int) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    ROWS[name] = rows


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict]:
    settings = settings_for(tmp_path_factory.mktemp("landing"))
    crm = settings.landing / "crm"
    write(
        crm,
        "2026-09/hubspot-crm-exports-all-contacts-2026-09-28.csv",
        csv_text([contact("101", email="ann@x.test"), contact("102", email="bo@x.test")]).encode(),
        2,
    )
    company = dict(
        zip(
            COMPANY_HEADER,
            [
                "201",
                "Acme",
                "acme.test",
                "Retail",
                "40",
                "Lyon",
                "France",
                "2025-01-01 00:00:00",
                "2026-09-01 10:00:00",
                "false",
            ],
        )
    )
    write(
        crm,
        "hubspot-crm-exports-all-companies-2026-09-28.csv.gz",
        gzip.compress(csv_text([company], COMPANY_HEADER).encode()),
        1,
    )
    deal = dict(
        zip(
            DEAL_HEADER,
            [
                "301",
                "Big deal",
                "closedwon",
                "default",
                "1200.50",
                "2026-10-30 00:00:00",
                "7",
                "101",
                "201",
                "2026-08-01 00:00:00",
                "2026-09-02 00:00:00",
                "false",
            ],
        )
    )
    archive = crm / "hubspot-crm-exports-all-deals-2026-09-28.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hubspot-crm-exports-all-deals-2026-09-28.csv", csv_text([deal], DEAL_HEADER))
    ROWS["hubspot-crm-exports-all-deals-2026-09-28.zip/hubspot-crm-exports-all-deals-2026-09-28.csv"] = 1
    write(crm, "README.txt", b"exported by Ann on Monday\n", 0)
    write(crm, "2026-09/Contacts (1).pdf", b"%PDF-1.4\n", 0)

    write(crm, "contacts_bom.csv", b"\xef\xbb\xbf" + csv_text([contact("111", **{"First Name": "Émile"})]).encode(), 1)
    unicode_text = csv_text([contact("121", **{"First Name": "Łucja"}), contact("122")]).replace(",", "\t")
    write(crm, "contacts_unicode.txt", unicode_text.replace("\n", "\r\n").encode("utf-16"), 2)
    write(
        crm,
        "contacts_cp1252.csv",
        csv_text([contact("131", **{"First Name": "Renée", "Job Title": "“VIP” – €"})]).encode("cp1252"),
        1,
    )
    stray = (
        csv_text([contact("141", **{"First Name": "Zoë"}), contact("142", **{"First Name": "Jos_"}), contact("143")])
        .encode()
        .replace(b"Jos_", b"Jos\xe9")
    )
    write(crm, "contacts_stray_byte.csv", stray, 3)

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CONTACT_HEADER)
    row = contact("151", email="xl@x.test")
    sheet.append(
        [
            151 if h == "Record ID" else dt.datetime(2026, 9, 3, 8, 30) if h == "Last Modified Date" else row[h] or None
            for h in CONTACT_HEADER
        ]
    )
    sheet.append([152, "Surplus", *[None] * (len(CONTACT_HEADER) - 2), "a value without a header"])
    sheet.append([None] * len(CONTACT_HEADER))  # Excel's trailing empty row
    workbook.save(crm / "contacts_2026.xlsx")
    ROWS["contacts_2026.xlsx"] = 2
    write(crm, "contacts_damaged.xlsx", b"PK\x03\x04 not really a workbook", 0)

    colliding = [*CONTACT_HEADER, "Lead Status", "Lead status", "lead_status", "email_normalized"]
    write(
        crm,
        "contacts_colliding.csv",
        csv_text(
            [
                contact(
                    "161",
                    **{
                        "Lead Status": "New",
                        "Lead status": "Open",
                        "lead_status": "in progress",
                        "email_normalized": "x",
                    },
                )
            ],
            colliding,
        ).encode(),
        1,
    )
    write(
        crm,
        "contacts_implausible.csv",
        csv_text(
            [
                contact("171", modified="2099-01-01 00:00:00"),
                contact("172", **{"Date of birth": "1850-02-03"}),
                contact("173", **{"Date of birth": "2999-01-01"}),
                contact("174"),
            ]
        ).encode(),
        4,
    )
    nested = [
        {
            "id": 181,
            "properties": {
                "Record ID": 181,
                "Last Modified Date": "2026-01-01T00:00:00Z",
                "Notes": "[" * 100_000 + "]" * 100_000,
            },
        }
    ]
    write(crm, "contacts_nested.json", json.dumps(nested).replace('"[[', "[[").replace(']]"', "]]").encode(), 0)
    write(
        crm,
        "contacts_repeated_header.csv",
        csv_text([contact("191"), contact("192")], [*CONTACT_HEADER, "Email"]).encode(),
        2,
    )
    return settings, run_ingestion(settings, ["crm"])["crm"]


def test_every_file_in_the_folder_is_in_the_load_report_and_every_row_is_accounted_for(landed):
    settings, summary = landed
    entries = report(settings, "crm")  # asserts read = loaded + quarantined + suppressed + failed per file
    assert set(entries) == set(ROWS)
    assert {name: entry["read"] for name, entry in entries.items()} == ROWS
    assert (
        summary["rows_read"]
        == sum(ROWS.values())
        == (summary["rows_loaded"] + summary["rows_quarantined"] + summary["rows_suppressed"] + summary["rows_failed"])
    )


def test_files_no_pattern_claims_are_reported_unmatched_and_flagged(landed):
    settings, summary = landed
    assert sorted(summary["unmatched_files"]) == ["2026-09/Contacts (1).pdf", "README.txt"]
    entry = report(settings, "crm")["README.txt"]
    assert (entry["status"], entry["read"]) == ("unmatched", 0)
    assert entry["error"].startswith("README.txt: matches no file pattern of this source")
    assert query(settings, "SELECT entity FROM raw_crm.load_report WHERE status = 'unmatched'") == [(None,), (None,)]


def test_vendor_default_names_in_subfolders_gzip_and_zip_archives_load(landed):
    settings, _ = landed
    assert query(
        settings, "SELECT contact_id, _source_file FROM raw_crm.contacts WHERE contact_id IN ('101', '102') ORDER BY 1"
    ) == [
        ("101", "2026-09/hubspot-crm-exports-all-contacts-2026-09-28.csv"),
        ("102", "2026-09/hubspot-crm-exports-all-contacts-2026-09-28.csv"),
    ]
    assert query(settings, "SELECT company_id, name, employees FROM raw_crm.companies") == [("201", "Acme", 40)]
    assert query(settings, "SELECT deal_id, amount, contact_id, _source_file FROM raw_crm.deals") == [
        (
            "301",
            1200.5,
            "101",
            "hubspot-crm-exports-all-deals-2026-09-28.zip/hubspot-crm-exports-all-deals-2026-09-28.csv",
        )
    ]


def test_bom_utf16_tab_separated_and_windows_1252_exports_load_with_their_accents(landed):
    settings, _ = landed
    names = dict(
        query(
            settings,
            "SELECT contact_id, first_name FROM raw_crm.contacts WHERE contact_id IN ('111', '121', '122', '131')",
        )
    )
    assert names == {"111": "Émile", "121": "Łucja", "122": "Ann", "131": "Renée"}
    assert query(settings, "SELECT job_title FROM raw_crm.contacts WHERE contact_id = '131'") == [("“VIP” – €",)]
    assert {k: v for k, v in encodings(settings, "crm").items() if k.startswith("contacts_") and v} == {
        "contacts_bom.csv": "utf-8",
        "contacts_unicode.txt": "utf-16",
        "contacts_cp1252.csv": "cp1252",
        "contacts_stray_byte.csv": "utf-8",
        "contacts_colliding.csv": "utf-8",
        "contacts_implausible.csv": "utf-8",
        "contacts_repeated_header.csv": "utf-8",
        "contacts_nested.json": "utf-8",
    }


def test_a_stray_undecodable_byte_quarantines_its_line_only(landed):
    settings, _ = landed
    entry = report(settings, "crm")["contacts_stray_byte.csv"]
    assert (entry["status"], entry["loaded"], entry["quarantined"]) == ("partial", 2, 1)
    [(line, raw, reason)] = quarantine(settings, "crm", "contacts_stray_byte.csv")
    assert (line, reason) == (3, "undecodable byte 0xe9 at position 8 (file read as utf-8)")
    assert raw.startswith("142,Jos\\xe9,Lee,")
    assert query(settings, "SELECT first_name FROM raw_crm.contacts WHERE contact_id = '141'") == [("Zoë",)]


def test_xlsx_exports_load_and_a_damaged_workbook_fails_alone(landed):
    settings, _ = landed
    assert query(
        settings,
        "SELECT contact_id, email_normalized, updated_at, _source_line FROM raw_crm.contacts"
        " WHERE _source_file = 'contacts_2026.xlsx'",
    ) == [("151", "xl@x.test", dt.datetime(2026, 9, 3, 8, 30, tzinfo=UTC), 2)]
    [(line, raw, reason)] = quarantine(settings, "crm", "contacts_2026.xlsx")
    assert (line, reason) == (3, "expected 17 columns, found a value beyond them")
    assert raw.startswith("152,Surplus,") and raw.endswith(",a value without a header")
    assert report(settings, "crm")["contacts_2026.xlsx"]["skipped"] == 1
    damaged = report(settings, "crm")["contacts_damaged.xlsx"]
    assert damaged["status"] == "failed"
    assert damaged["error"].startswith("contacts_damaged.xlsx: not a readable .xlsx workbook")


def test_headers_colliding_after_normalisation_are_renamed_and_reported(landed):
    settings, _ = landed
    assert query(
        settings,
        "SELECT lead_status, lead_status_2, lead_status_3, export_email_normalized, email_normalized"
        " FROM raw_crm.contacts WHERE contact_id = '161'",
    ) == [("New", "Open", "in progress", "x", None)]
    assert report(settings, "crm")["contacts_colliding.csv"]["renamed_columns"] == (
        "Lead status -> lead_status_2; lead_status -> lead_status_3; email_normalized -> export_email_normalized"
    )


def test_future_timestamps_and_impossible_birth_dates_are_quarantined_with_a_reason(landed):
    settings, _ = landed
    reasons = [
        (line, reason.split(" (")[0]) for line, _, reason in quarantine(settings, "crm", "contacts_implausible.csv")
    ]
    assert reasons == [
        (2, "implausible future timestamp in column 'Last Modified Date'"),
        (3, "implausible birth date in column 'Date of birth'"),
        (4, "implausible birth date in column 'Date of birth'"),
    ]
    assert query(
        settings, "SELECT contact_id FROM raw_crm.contacts WHERE _source_file = 'contacts_implausible.csv'"
    ) == [("174",)]


def test_an_exception_while_reading_one_file_fails_that_file_only(landed):
    """A pathologically nested JSON value raises RecursionError: the file fails with the reason, the rest load."""
    settings, summary = landed
    entry = report(settings, "crm")["contacts_nested.json"]
    assert entry["status"] == "failed"
    assert entry["error"].startswith("contacts_nested.json: could not be read (RecursionError: maximum recursion depth")
    assert sorted(summary["failed_files"]) == [
        "contacts_damaged.xlsx",
        "contacts_nested.json",
        "contacts_repeated_header.csv",
    ]
    assert summary["rows_loaded"] == 13


def test_a_file_refused_as_a_whole_counts_its_rows_as_failed(landed):
    settings, _ = landed
    entry = report(settings, "crm")["contacts_repeated_header.csv"]
    assert (entry["status"], entry["read"], entry["failed"]) == ("failed", 2, 2)
    assert "header repeats column(s) ['Email']" in entry["error"]


def test_a_file_two_entities_could_claim_goes_to_the_first_and_history_objects_to_none(tmp_path):
    """Salesforce's Data Export ships ContactHistory.csv beside Contact.csv
    (https://help.salesforce.com/s/articleView?id=sf.admin_exportdata.htm): patterns keep them apart,
    and a name two entities' patterns match is loaded by the first only."""
    for name in ("Contact.csv", "ContactHistory.csv", "contacts_and_deals.csv", "sub/Account_2026.csv.gz"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    salesforce = load_mapping("salesforce", CRM_ENTITIES)
    claims = {
        table: [*salesforce.files(table), *(["*deals*.csv"] if table == "deals" else [])]
        for table in salesforce.entities
    }
    claimed = Landing(tmp_path, claims).files()
    assert {owner: sorted(f.name for f in files) for owner, files in claimed.items() if files} == {
        "contacts": ["Contact.csv", "contacts_and_deals.csv"],
        "companies": ["sub/Account_2026.csv.gz"],
        None: ["ContactHistory.csv"],
    }


def test_a_stray_copy_of_a_loaded_file_is_unmatched_without_hiding_the_loaded_files_report(tmp_path):
    settings = settings_for(tmp_path)
    crm = settings.landing / "crm"
    (crm / "contacts.csv").write_text(csv_text([contact("1"), contact("2")]))
    (crm / "contacts.csv.bak").write_text(csv_text([contact("1"), contact("2")]))
    summary = run_ingestion(settings, ["crm"])["crm"]
    assert summary["unmatched_files"] == ["contacts.csv.bak"]
    entries = report(settings, "crm")
    assert (entries["contacts.csv"]["status"], entries["contacts.csv"]["loaded"]) == ("loaded", 2)
    assert entries["contacts.csv.bak"]["status"] == "unmatched"
    assert run_ingestion(settings, ["crm"])["crm"]["files"] == []  # reported once, warned every run

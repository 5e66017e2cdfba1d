"""c360's own asset checks, beside the dbt tests that dagster-dbt turns into checks.

Each check reads the warehouse read-only and reports counts, never personal data.
"""
from collections.abc import Iterable

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    multi_asset_check,
)

from c360.settings import Settings
from c360.warehouse_lock import exclusive_warehouse
from dagster_defs.identity_assets import CUSTOMER_MAP
from identity.config import load_identity_config

SEGMENT_MEMBERSHIP = AssetKey(["marts", "segment_membership"])

PERSON_BEARING_RECORDS_SQL = """
    select 'crm_contact' as source, contact_id as source_record_id from raw_crm.contacts
    union select 'web_anonymous_id', anonymous_id from raw_web.events where anonymous_id is not null
    union select 'web_user_id', user_id from raw_web.events where user_id is not null
    union select 'email_recipient', recipient_id from raw_email.activity where recipient_id is not null
"""


def _query(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    # Even a read-only connection fails while another process writes, so readers queue too.
    with exclusive_warehouse(settings.warehouse), duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def load_accounting_checks(settings: Settings, raw_tables: Iterable[AssetKey]) -> AssetsDefinition:
    """Every landed file is fully accounted for: rows read = rows loaded + rows quarantined + rows
    suppressed (rows of erased people, dropped at ingestion; null in reports written before erasure existed)
    + rows failed (rows of a file that failed as a whole; null in reports written before)."""
    specs = {
        key: AssetCheckSpec("load_accounting", asset=key,
                            description="Per file: rows read = rows loaded + rows quarantined + rows suppressed"
                                        " + rows failed.")
        for key in raw_tables
    }

    @multi_asset_check(specs=list(specs.values()), name="raw_load_accounting", can_subset=True)
    def _check(context: AssetCheckExecutionContext):
        # A per-source job selects only its own tables' checks.
        for key in (spec.asset_key for spec in specs.values() if spec.key in context.selected_asset_check_keys):
            schema, table = key.path
            files, read, loaded, quarantined, suppressed, unbalanced, failed, unmatched = _query(settings, f"""
                select count(*) filter (where entity = ?), coalesce(sum(rows_read) filter (where entity = ?), 0),
                       coalesce(sum(rows_loaded) filter (where entity = ?), 0),
                       coalesce(sum(rows_quarantined) filter (where entity = ?), 0),
                       coalesce(sum(rows_suppressed) filter (where entity = ?), 0),
                       count(*) filter (where entity = ? and rows_read <> rows_loaded + rows_quarantined
                                                          + coalesce(rows_suppressed, 0) + coalesce(rows_failed, 0)),
                       count(*) filter (where entity = ? and status = 'failed'),
                       count(*) filter (where status = 'unmatched')
                from "{schema}".load_report""", [table] * 7)[0]
            yield AssetCheckResult(
                asset_key=key, check_name="load_accounting", passed=unbalanced == 0,
                metadata={"files": files, "rows_read": read, "rows_loaded": loaded,
                          "rows_quarantined": quarantined, "rows_suppressed": suppressed,
                          "unbalanced_files": unbalanced,
                          "failed_files": failed,
                          # files in this source's landing folder that no pattern claims (ingestion reports them)
                          "unmatched_files_in_folder": unmatched},
            )

    return _check


def identity_checks(settings: Settings) -> AssetsDefinition:
    max_size = load_identity_config().max_cluster_size

    @multi_asset_check(
        specs=[
            AssetCheckSpec("every_record_has_a_customer", asset=CUSTOMER_MAP,
                           description="No person-bearing raw record is missing from the customer map."),
            AssetCheckSpec("no_oversized_customer", asset=CUSTOMER_MAP,
                           description=f"No customer gathers more than {max_size} source records "
                                       "(config/identity.yml max_cluster_size)."),
        ],
        name="identity_sanity",
    )
    def _check(context: AssetCheckExecutionContext):
        unmapped = _query(settings, f"""
            select count(*) from ({PERSON_BEARING_RECORDS_SQL}) r
            anti join identity.customer_map m using (source, source_record_id)""")[0][0]
        yield AssetCheckResult(check_name="every_record_has_a_customer", asset_key=CUSTOMER_MAP,
                               passed=unmapped == 0, metadata={"unmapped_records": unmapped})
        largest, oversized = _query(settings, """
            select coalesce(max(n), 0), count(*) filter (where n > ?)
            from (select count(*) n from identity.customer_map group by customer_id)""", [max_size])[0]
        yield AssetCheckResult(check_name="no_oversized_customer", asset_key=CUSTOMER_MAP,
                               passed=oversized == 0,
                               metadata={"largest_customer_records": largest, "oversized_customers": oversized})

    return _check

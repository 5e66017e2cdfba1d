"""c360's own asset checks, beside the dbt tests that dagster-dbt turns into checks.

Each check reads the warehouse read-only through the `engine` resource (DuckDB or Spark, so the
SQL is what both accept) and reports counts, never personal data.
"""

from collections.abc import Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetsDefinition,
    Failure,
    multi_asset_check,
)

from c360.engine import existing_tables
from c360.pipeline_config import load_pipeline_config
from c360.settings import Settings
from dagster_defs.engine_resource import EngineResource
from dagster_defs.identity_assets import CUSTOMER_MAP
from identity.config import load_identity_config
from ingestion.landing import still_landed
from registry import person_records

SEGMENT_MEMBERSHIP = AssetKey(["marts", "segment_membership"])


def person_bearing_records_sql(existing_tables: set[str]) -> str:
    """(source, source_record_id) of every registered person record in the raw tables that exist."""
    parts = [
        f"select '{record.source}' as source, cast({record.record_id} as string) as source_record_id"
        f" from {record.table} where {record.record_id} is not null"
        for record in person_records()
        if record.table in existing_tables
    ]
    return (
        " union ".join(parts)
        or "select cast(null as string) as source, cast(null as string) as source_record_id where false"
    )


def _query(engine: EngineResource, sql: str, params: list | None = None) -> list[tuple]:
    # On DuckDB even a read-only connection fails while another process writes, so readers queue too.
    with engine.connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def load_accounting_checks(settings: Settings, raw_tables: Iterable[AssetKey]) -> AssetsDefinition:
    """Every landed file is fully accounted for: rows read = rows loaded + rows quarantined + rows
    suppressed (rows of erased people, dropped at ingestion) + rows failed (rows of a file that failed
    as a whole) + rows already read (log lines an earlier file delivered); the last three are null in
    reports written before they existed. And no file failed to load.

    A failed file fails the check; with `on_file_error: fail` (config/pipeline.yml) it also fails the
    run, after every other file and stage has run, and the failure names the files. Retrying cannot
    help a file that is unreadable as it is, so that failure is never retried.
    """
    specs = {
        key: AssetCheckSpec(
            "load_accounting",
            asset=key,
            description="Per file: rows read = rows loaded + rows quarantined + rows suppressed"
            " + rows failed + rows already read, and no file failed to load.",
        )
        for key in raw_tables
    }

    @multi_asset_check(specs=list(specs.values()), name="raw_load_accounting", can_subset=True)
    def _check(context: AssetCheckExecutionContext, engine: EngineResource):
        on_file_error = load_pipeline_config().on_file_error
        failed_files: list[str] = []
        # A per-source job selects only its own tables' checks.
        for key in (spec.asset_key for spec in specs.values() if spec.key in context.selected_asset_check_keys):
            schema, table = key.path
            files, read, loaded, quarantined, suppressed, rows_failed, already_read, unbalanced, unmatched = _query(
                engine,
                f"""
                select count(*) filter (where entity = ?), coalesce(sum(rows_read) filter (where entity = ?), 0),
                       coalesce(sum(rows_loaded) filter (where entity = ?), 0),
                       coalesce(sum(rows_quarantined) filter (where entity = ?), 0),
                       coalesce(sum(rows_suppressed) filter (where entity = ?), 0),
                       coalesce(sum(rows_failed) filter (where entity = ?), 0),
                       coalesce(sum(rows_already_read) filter (where entity = ?), 0),
                       count(*) filter (where entity = ? and rows_read <> rows_loaded + rows_quarantined
                                                          + coalesce(rows_suppressed, 0) + coalesce(rows_failed, 0)
                                                          + coalesce(rows_already_read, 0)),
                       count(*) filter (where status = 'unmatched')
                from {schema}.load_report""",
                [table] * 8,
            )[0]
            failed_names = _files_still_failing(engine, settings, schema, table)
            failed = len(failed_names)
            failed_files += [f"{schema}.{table}: {name}" for name in failed_names]
            yield AssetCheckResult(
                asset_key=key,
                check_name="load_accounting",
                passed=unbalanced == 0 and failed == 0,
                severity=AssetCheckSeverity.WARN
                if unbalanced == 0 and on_file_error == "warn"
                else AssetCheckSeverity.ERROR,
                metadata={
                    "files": files,
                    "rows_read": read,
                    "rows_loaded": loaded,
                    "rows_quarantined": quarantined,
                    "rows_suppressed": suppressed,
                    "rows_failed": rows_failed,
                    "rows_already_read": already_read,
                    "unbalanced_files": unbalanced,
                    "failed_files": failed,
                    # files in this source's landing folder that no pattern claims (ingestion reports them)
                    "unmatched_files_in_folder": unmatched,
                },
            )
        if failed_files and on_file_error == "fail":
            raise Failure(
                description=f"{len(failed_files)} file(s) failed to load (see raw_*.load_report.error): "
                + "; ".join(failed_files)
                + ". Fix or remove them, or set on_file_error: warn "
                "in config/pipeline.yml.",
                allow_retries=False,
            )

    return _check


def _files_still_failing(engine: EngineResource, settings: Settings, schema: str, table: str) -> list[str]:
    """Files whose latest load failed and that are still in the landing folder.

    A failed file is not re-read until it (or its mapping) changes, so it keeps failing the check on
    every run until someone fixes or removes it; a fixed file loads under its new content hash.
    """
    landing = settings.landing / schema.removeprefix("raw_")
    latest = _query(
        engine,
        f"""
        select source_file from (
            select source_file, status,
                   row_number() over (partition by source_file order by _dlt_load_id desc) as recency
            from {schema}.load_report where entity = ?
        ) as reports
        where recency = 1 and status = 'failed'
        order by source_file""",
        [table],
    )
    return [name for (name,) in latest if still_landed(landing, name)]


def identity_checks(settings: Settings) -> AssetsDefinition:
    max_size = load_identity_config().max_cluster_size

    @multi_asset_check(
        specs=[
            AssetCheckSpec(
                "every_record_has_a_customer",
                asset=CUSTOMER_MAP,
                description="No person-bearing raw record is missing from the customer map.",
            ),
            AssetCheckSpec(
                "no_oversized_customer",
                asset=CUSTOMER_MAP,
                description=f"No customer gathers more than {max_size} source records "
                "(config/identity.yml max_cluster_size).",
            ),
        ],
        name="identity_sanity",
    )
    def _check(context: AssetCheckExecutionContext, engine: EngineResource):
        with engine.connect(read_only=True) as con:
            tables = existing_tables(con)
        unmapped = _query(
            engine,
            f"""
            select count(*) from ({person_bearing_records_sql(tables)}) as records
            where not exists (
                select 1 from identity.customer_map as customers
                where customers.source = records.source and customers.source_record_id = records.source_record_id
            )""",
        )[0][0]
        yield AssetCheckResult(
            check_name="every_record_has_a_customer",
            asset_key=CUSTOMER_MAP,
            passed=unmapped == 0,
            metadata={"unmapped_records": unmapped},
        )
        largest, oversized = _query(
            engine,
            """
            select coalesce(max(n), 0), count(*) filter (where n > ?)
            from (select count(*) as n from identity.customer_map group by customer_id) as sizes""",
            [max_size],
        )[0]
        yield AssetCheckResult(
            check_name="no_oversized_customer",
            asset_key=CUSTOMER_MAP,
            passed=oversized == 0,
            metadata={"largest_customer_records": largest, "oversized_customers": oversized},
        )

    return _check

"""The Splink person model: comparisons and blocking rules shared by training and prediction."""
from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.splink_dataframe import SplinkDataFrame

logger = logging.getLogger(__name__)

SPLINK_SCHEMA = "identity_splink"  # Splink's scratch tables; dropped after every run


def _first_name_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
            # nickname or canonical form in common, e.g. bill / william
            cll.ArrayIntersectLevel("first_name_variants", min_intersection=1),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.JaroWinklerLevel("first_name", 0.8),
            cll.ElseLevel(),
        ],
    )


# m of "differs" for values a person changes over the years a CRM keeps records. Fixed, not
# estimated: EM learns them from training data, and where nobody moved or married it drives
# them to ~0, a veto on every true pair with an old address or a maiden name.
MOVED_HOUSE_M = 0.1  # 8-12% of US residents move each year
CHANGED_SURNAME_M = 0.02  # marriage or divorce between two records of one person


def _differs(m_probability: float) -> cll.ElseLevel:
    return cll.ElseLevel().configure(m_probability=m_probability, fix_m_probability=True)


def _last_name_comparison() -> cl.CustomComparison:
    """Splink's NameComparison levels, with a fixed m for a surname that differs outright."""
    return cl.CustomComparison(
        output_column_name="last_name",
        comparison_levels=[
            cll.NullLevel("last_name"),
            cll.ExactMatchLevel("last_name", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("last_name", 0.92),
            cll.JaroWinklerLevel("last_name", 0.88),
            cll.JaroWinklerLevel("last_name", 0.7),
            _differs(CHANGED_SURNAME_M),
        ],
    )


def _address_comparison() -> cl.CustomComparison:
    """Street and postcode as one comparison: they move together, so separate comparisons
    would count one shared address twice. City alone is too coarse to count as an address."""
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(street_l IS NULL OR street_r IS NULL) AND (postcode_l IS NULL OR postcode_r IS NULL)",
                label_for_charts="address missing",
            ).configure(is_null_level=True),
            cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postcode")).configure(m_probability=0.85),
            cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("postcode")).configure(
                m_probability=0.02),
            cll.ExactMatchLevel("postcode").configure(m_probability=0.03),
            _differs(MOVED_HOUSE_M),
        ],
    )


def _email_comparison() -> cl.CustomComparison:
    """Exact or not: a near-identical address (jsmith@ vs jsmith2@) is as often another person,
    and a username repeats the name, which is compared already."""
    return cl.CustomComparison(
        output_column_name="email",
        comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email", term_frequency_adjustments=True),
            cll.ElseLevel(),
        ],
    )


def _dob_comparison() -> cl.DateOfBirthComparison:
    # Starting m values matter (here and for the address): near-miss levels are rare among
    # matches, so EM may never observe them and Splink would fall back to generic defaults.
    return cl.DateOfBirthComparison("dob", input_is_string=False).configure(
        m_probabilities=[0.95, 0.02, 0.01, 0.01, 0.005, 0.005])


def person_settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _first_name_comparison(),
            _last_name_comparison(),
            _email_comparison(),
            cl.ExactMatch("phone"),
            _dob_comparison(),
            _address_comparison(),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("email"),
            block_on("phone"),
            block_on("last_name", "dob"),
            block_on("first_name", "last_name"),
            block_on("postcode", "dob"),
            block_on("substr(first_name, 1, 1)", "street", "postcode"),
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source"],
    )


def splink_api(con: duckdb.DuckDBPyConnection) -> DuckDBAPI:
    """A Splink API on its own cursor so its `SET schema` never leaks into our connection."""
    return DuckDBAPI(con.cursor(), output_schema=SPLINK_SCHEMA)


def register_table(db_api: DuckDBAPI, table: str, alias: str) -> SplinkDataFrame:
    """Expose a schema-qualified table to Splink under a unique bare name.

    Splink looks columns up by bare table name in information_schema, so a qualified name
    (or a bare name repeated in two schemas) would lose or double its columns.
    """
    bare = f"c360_{alias}"
    db_api.duckdb_con.execute(f"CREATE OR REPLACE VIEW {SPLINK_SCHEMA}.{bare} AS SELECT * FROM {table}")
    return db_api.register(bare, table_name=alias)


def load_linker(records: SplinkDataFrame, model_path: Path) -> Linker:
    """The saved model; predictions pass warning_mode="never" because the levels EM cannot
    observe keep the deliberate starting m values set in this module."""
    if not model_path.exists():
        raise FileNotFoundError(f"no trained identity model at {model_path}; run `c360 identity train`")
    return Linker(records, str(model_path), log_level=logging.WARNING)


def drop_splink_scratch(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP SCHEMA IF EXISTS {SPLINK_SCHEMA} CASCADE")

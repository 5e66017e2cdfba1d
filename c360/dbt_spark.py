"""dbt Python models on Spark in this process.

dbt-spark submits Python models to Databricks only (`job_cluster`, `all_purpose_cluster`); with
the `session` method the Spark session is right here, so the compiled model (dbt-spark's own
`py_write_table`: the model, then `saveAsTable`) runs against it like dbt-duckdb runs Python
models on its connection. `use_session_python_models` adds that submission method and makes it
the default; dbt-spark's materializations stay as they are.
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.base.impl import PythonJobHelper
from dbt.adapters.spark.impl import SparkAdapter


class SessionPythonJobHelper(PythonJobHelper):
    """Runs a compiled Python model on this process's active SparkSession."""

    def __init__(self, parsed_model: dict, credentials: Any) -> None:
        self.parsed_model = parsed_model

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        # dbt runs models on worker threads, where no session is active: the process's one is found
        # like dbt-spark's own cursor finds it
        session = SparkSession.builder.getOrCreate()
        name = self.parsed_model.get("unique_id", "python model")
        exec(compile(compiled_code, name, "exec"), {"spark": session, "__name__": name})  # noqa: S102


def use_session_python_models() -> None:
    """Python models submitted with method `session` (the default) run on the active session."""
    if getattr(SparkAdapter, "_c360_session_python", False):
        return
    original = SparkAdapter.python_submission_helpers.fget
    helpers = property(lambda adapter: {**original(adapter), "session": SessionPythonJobHelper})
    SparkAdapter.python_submission_helpers = helpers
    SparkAdapter.default_python_submission_method = property(lambda adapter: "session")
    SparkAdapter._c360_session_python = True

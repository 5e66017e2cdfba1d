"""Ingestion stage: dlt sources that land CRM, web and email-tool exports in DuckDB raw schemas.

`ingestion.sources` holds the dlt sources (all per-file logic lives inside their resources so a
bare `pipeline.run(source)` is a complete load); `ingestion.pipelines` builds pipelines from
`c360.settings.Settings` and runs them for the CLI and benchmarks.
"""

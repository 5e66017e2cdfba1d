{#- Raw timestamps arrive as timestamptz, naive timestamps or ISO strings depending on the loader;
    every model works in naive UTC so date arithmetic never depends on the reader's time zone.
    The conversion is a plain cast under the session time zone UTC (profiles.yml `settings`),
    because DuckDB pushes filters on casts into the table scan, which timezone() would prevent:
    that is what keeps the daily incremental run from touching the whole event history. -#}
{% macro utc_timestamp(column) -%}{{ adapter.dispatch('utc_timestamp')(column) }}{%- endmacro %}
{% macro default__utc_timestamp(column) -%}
    cast(cast({{ column }} as timestamptz) as timestamp)
{%- endmacro %}
{#- Spark's timestamp is an instant shown in the session time zone (UTC, c360.engine): a string with
    an offset and an instant both cast to it directly. -#}
{% macro spark__utc_timestamp(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{#- Keeps a record's latest version (a `qualify` condition): exports repeat a record each time it
    changes, and staging keeps one row per cleaned key, the latest by its version timestamp, with
    tiebreakers (SQL order terms) making the choice deterministic between equal timestamps. -#}
{% macro latest_version(key, version_column, tiebreakers=none) -%}
    row_number() over (
        partition by {{ clean_text(key) }}
        order by {{ utc_timestamp(version_column) }} desc nulls last{% if tiebreakers %}, {{ tiebreakers }}{% endif %}
    ) = 1
{%- endmacro %}

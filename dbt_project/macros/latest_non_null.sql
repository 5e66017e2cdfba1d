{#- The most recent non-null value of a column by a time column, inside an aggregation: profiles
    keep the latest thing a source asserted, and a later null never erases an earlier value. -#}
{% macro latest_non_null(column, time_column, condition=none) -%}
    {{ value_at_max(column, time_column, column ~ ' is not null' ~ (' and ' ~ condition if condition else '')) }}
{%- endmacro %}

{#- The most recent non-null value of a column by a time column, inside an aggregation: profiles
    keep the latest thing a source asserted, and a later null never erases an earlier value. -#}
{% macro latest_non_null(column, time_column, condition=none) -%}
    arg_max({{ column }}, {{ time_column }}) filter (where {{ column }} is not null{% if condition %} and {{ condition }}{% endif %})
{%- endmacro %}

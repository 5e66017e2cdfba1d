{#- Blank strings from CSV exports mean "no value"; treating them as null keeps survivorship
    and coalesce logic from picking an empty string over a real value. -#}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as varchar)), '')
{%- endmacro %}

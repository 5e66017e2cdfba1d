{#- A raw column added to the loaders after a warehouse was first built exists only once a file
    carrying it is loaded again; until then it reads as a typed null instead of failing the build. -#}
{% macro optional_column(relation, column, data_type) -%}
    {%- set present = execute and column in (adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -%}
    {%- if present -%}
        cast({{ adapter.quote(column) }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- Models land in exactly the schema they configure (`marts`, not `main_marts`), so analysts,
    activation and Dagster address stable names in every environment. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

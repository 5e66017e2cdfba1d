{#- A column some exports carry and others do not (an order id on deals, a region on contacts):
    the cleaned text when the source table has it, else a typed null, so staging builds either way. -#}
{% macro optional_column(relation, column_name) -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower == column_name | lower -%}
            {%- do present.append(column.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present -%}{{ clean_text(adapter.quote(present[0])) }}{%- else -%}null::varchar{%- endif -%}
{%- endmacro %}

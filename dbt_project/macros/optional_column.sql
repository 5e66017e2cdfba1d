{#- A column some exports carry and others do not (an order id on deals, a region on contacts, an opt-out
    flag), or that the loaders added after a warehouse was first built: the column when the source table
    has it (text cleaned like every staged string), else a typed null, so staging builds either way. -#}
{% macro optional_column(relation, column_name, data_type='string') -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.name | lower == column_name | lower -%}
            {%- do present.append(column.name) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if present and data_type == 'string' -%}{{ clean_text(adapter.quote(present[0])) }}
    {%- elif present -%}cast({{ adapter.quote(present[0]) }} as {{ data_type }})
    {%- else -%}cast(null as {{ data_type }}){%- endif -%}
{%- endmacro %}

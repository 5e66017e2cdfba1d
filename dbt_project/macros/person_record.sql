{#- The one shape of a person record (config/registry/: every person source has one model in it):
    what identity matches on and what the golden record (int_source_records) keeps. A model names
    the columns its source asserts, each a SQL expression; the rest are typed nulls, so every
    person-record model has every column, in this order and of this type. Stored as a table: the
    model aggregates its source's whole history, and identity and int_source_records both read it. -#}
{% macro person_record(source, columns) -%}
    {{- config(materialized='table') -}}
    {%- set shape = person_record_shape() -%}
    {%- for column in columns if column not in shape -%}
        {{ exceptions.raise_compiler_error("person_record(" ~ source ~ "): '" ~ column ~ "' is not a person-record column; expected one of " ~ shape | join(', ')) }}
    {%- endfor -%}
    '{{ source }}' as source,
    {%- for column, type in shape.items() %}
    cast({{ columns.get(column, 'null') }} as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- Every person-record column but `source`, with its type. -#}
{% macro person_record_shape() -%}
    {%- set shape = {} -%}
    {%- for column in ['source_record_id', 'first_name', 'last_name', 'email', 'phone', 'company_name'] + ['street', 'city', 'postcode', 'region', 'country'] -%}
        {%- do shape.update({column: 'string'}) -%}
    {%- endfor -%}
    {%- do shape.update({'date_of_birth': 'date', 'emails': type_string_list()}) -%}
    {%- for column in ['observed_at', 'first_seen', 'last_seen'] -%}
        {%- do shape.update({column: 'timestamp'}) -%}
    {%- endfor -%}
    {{ return(shape) }}
{%- endmacro %}

{#- The columns of every person record, in order (int_source_records unions them by these names). -#}
{% macro person_record_columns() -%}
    {{ return(['source'] + person_record_shape().keys() | list) }}
{%- endmacro %}

{#- One row per address a person record asserts (its `emails` and its `email`), as `<alias>.email`. -#}
{% macro join_asserted_emails(records, alias) -%}
    {{ unnest_join(list_append_value('coalesce(' ~ records ~ '.emails, ' ~ empty_string_list() ~ ')', records ~ '.email'), alias, 'email') }}
{%- endmacro %}

{#- The person sources of the registry (config/registry/), in its order: the `person_record_models`
    var, which c360 passes to every dbt run (registry.dbt_vars). -#}
{% macro person_sources() -%}
    {{ return(var('person_record_models') | list) }}
{%- endmacro %}

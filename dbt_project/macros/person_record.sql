{#- The one shape of a person record (config/registry/: every person source has one model in it):
    what identity matches on and what the golden record (int_source_records) keeps. A model names
    the columns its source asserts, each a SQL expression; the rest are typed nulls, so every
    person-record model has every column, in this order and of this type. -#}
{% macro person_record(source, columns) -%}
    {%- set shape = {
        'source_record_id': 'varchar',
        'first_name': 'varchar',
        'last_name': 'varchar',
        'email': 'varchar',
        'phone': 'varchar',
        'company_name': 'varchar',
        'street': 'varchar',
        'city': 'varchar',
        'postcode': 'varchar',
        'region': 'varchar',
        'country': 'varchar',
        'date_of_birth': 'date',
        'emails': 'varchar[]',
        'observed_at': 'timestamp',
        'first_seen': 'timestamp',
        'last_seen': 'timestamp',
    } -%}
    {%- for column in columns if column not in shape -%}
        {{ exceptions.raise_compiler_error("person_record(" ~ source ~ "): '" ~ column ~ "' is not a person-record column; expected one of " ~ shape | join(', ')) }}
    {%- endfor -%}
    '{{ source }}' as source,
    {%- for column, type in shape.items() %}
    cast({{ columns.get(column, 'null') }} as {{ type }}) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The person sources of the registry (config/registry/), in its order: the `person_record_models`
    var, which c360 passes to every dbt run (registry.dbt_vars). -#}
{% macro person_sources() -%}
    {{ return(var('person_record_models') | list) }}
{%- endmacro %}

{#- Customer-level incremental models rebuild only the customers int_changed_customers lists
    (new activity, changed attributes, records moved by identity, removed customers): a pre-hook
    deletes those customers' rows, the model's select produces their rows afresh, and dbt appends
    them. On a full refresh (or the first build) the hook does nothing and the select covers
    everyone. See docs/architecture.md, "Incremental customer-level models". -#}

{#- Pre-hook: forget every changed customer's rows before their new rows are appended. -#}
{% macro delete_changed_customers() -%}
    {%- if is_incremental() -%}
    {%- set changed = ref('int_changed_customers') -%}
    delete from {{ this }} where customer_id in (select customer_id from {{ changed }})
    {%- endif -%}
{%- endmacro %}

{#- A filter keeping the changed customers' rows (always true on a full build). -#}
{% macro is_changed_customer(column='customer_id') -%}
    {#- ref when parsing too (never incremental), so the dependency is recorded; not in unit tests -#}
    {%- if not execute or is_incremental() -%}{%- set changed = ref('int_changed_customers') -%}{%- endif -%}
    {%- if is_incremental() -%}
    {{ column }} in (select customer_id from {{ changed }})
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- A filter keeping the web rows (sessions, events) of a changed customer's devices or users, so
    the identity joins run on those rows only; the customer they resolve to is filtered after. -#}
{% macro is_changed_customers_web_row(anonymous_id='anonymous_id', user_id='user_id') -%}
    {%- if not execute or is_incremental() -%}
    {%- set changed, customer_map = ref('int_changed_customers'), ref('stg_identity__customer_map') -%}
    {%- endif -%}
    {%- if is_incremental() -%}
    (
        {{ anonymous_id }} in (
            select source_record_id from {{ changed }}
            inner join {{ customer_map }} using (customer_id)
            where source = 'web_anonymous_id'
        )
        or {{ user_id }} in (
            select source_record_id from {{ changed }}
            inner join {{ customer_map }} using (customer_id)
            where source = 'web_user_id'
        )
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- The config every such model shares: `{{ config(**changed_customers_config()) }}`. Spark's
    Parquet tables cannot delete rows: there the models are rebuilt whole (macros/cross_engine.sql,
    keyed_incremental_config). -#}
{% macro changed_customers_config() -%}{{ return(adapter.dispatch('changed_customers_config')()) }}{%- endmacro %}
{% macro spark__changed_customers_config() -%}{{ return(spark__keyed_incremental_config(none)) }}{%- endmacro %}
{% macro default__changed_customers_config() -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'pre_hook': '{{ delete_changed_customers() }}',
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

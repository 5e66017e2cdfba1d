{#- Every person-bearing source record with the attributes it asserts and when it was observed,
    before identity: the union of the registered person-record models (`person_record_models` var,
    from config/registry/), the same models identity resolves, all in one shape (macros/person_record.sql).
    Customer ids are joined in int_customer_records, so re-resolution never leaves a stale id here.
    A table rebuilt each run from the person-record tables (each rebuilt each run from its source's
    whole history, before identity), so it aggregates nothing again. -#}
{%- for model in var('person_record_models').values() %}
{%- if not loop.first %}
union all
{%- endif %}
select {{ person_record_columns() | join(', ') }} from {{ ref(model) }}
{%- endfor %}

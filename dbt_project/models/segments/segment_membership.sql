-- Current members of every segment and since when (as_of of the run that first saw them in it,
-- carried over from the previous build; a full refresh restarts every `since` at as_of). The
-- previous build is read from a copy on Spark (macros/cross_engine.sql, previous_build).
{{ config(pre_hook='{{ keep_previous_build() }}') }}
{% set previous = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none %}
with members as (
    select distinct
        customer_id,
        segment
    from {{ ref('int_segment_members') }}
),

reference as (
    select {{ as_of() }} as as_of
)

select
    m.customer_id,
    m.segment,
    {% if previous is not none and not flags.FULL_REFRESH -%}
    coalesce(p.since, r.as_of) as since
    {%- else -%}
    r.as_of as since
    {%- endif %}
from members as m
cross join reference as r
{% if previous is not none and not flags.FULL_REFRESH -%}
left join {{ previous_build() }} as p using (customer_id, segment)
{%- endif %}

{{ config(**keyed_incremental_config('message_id')) }}
{#- One row per email message (recipient x campaign) and what happened to it. Incremental runs
    recompute only messages with activity newer than the stored watermark, from the earliest
    activity of those messages, so late opens of old campaigns are folded in exactly. Customer ids
    are joined downstream (int_email_engagement) so identity changes never leave stale ids here. -#}
{%- set bounds = none -%}
{%- if is_incremental() and execute -%}
    {%- set watermark = run_query("select cast(max(last_activity_at) as string) from " ~ this).rows[0][0] -%}
    {%- if watermark is not none -%}
        {#- Literal bounds (not subqueries) so the time filter is pushed into the activity scan. -#}
        {%- set since = run_query(
            "select cast(least(min(m.first_activity_at), min(a.occurred_at)) as string) from "
            ~ ref('stg_email__activity') ~ " as a left join " ~ this ~ " as m using (recipient_id, campaign_id)"
            ~ " where a.occurred_at > timestamp '" ~ watermark ~ "'"
        ).rows[0][0] -%}
        {%- set bounds = [watermark, since] -%}
    {%- endif -%}
{%- endif %}

with

{% if bounds is not none -%}
candidate_activity as (
    select * from {{ ref('stg_email__activity') }}
    {% if bounds[1] is none -%}
    where false
    {%- else -%}
    where occurred_at >= timestamp '{{ bounds[1] }}'
    {%- endif %}
),

touched_messages as (
    select distinct recipient_id, campaign_id
    from candidate_activity
    where occurred_at > timestamp '{{ bounds[0] }}'
),

activity as (
    select a.*
    from candidate_activity as a
    inner join touched_messages as t
        on a.recipient_id = t.recipient_id and a.campaign_id is not distinct from t.campaign_id
),
{%- else -%}
activity as (
    select * from {{ ref('stg_email__activity') }}
),
{%- endif %}

messages as (
    select
        recipient_id,
        campaign_id,
        min(occurred_at) filter (where action = 'sent') as sent_at,
        min(occurred_at) filter (where action = 'open') as first_opened_at,
        min(occurred_at) filter (where action = 'click') as first_clicked_at,
        count(*) filter (where action = 'open') as opens,
        count(*) filter (where action = 'click') as clicks,
        coalesce(bool_or(action = 'bounce'), false) as bounced,
        coalesce(bool_or(action = 'bounce' and bounce_type = 'hard'), false) as hard_bounced,
        coalesce(bool_or(action = 'unsubscribe'), false) as unsubscribed,
        coalesce(bool_or(action = 'spam'), false) as reported_spam,
        min(occurred_at) as first_activity_at,
        max(occurred_at) as last_activity_at,
        max(occurred_at) filter (where action in ('open', 'click')) as last_engaged_at,
        {{ latest_non_null('email', 'occurred_at') }} as email,
        {{ latest_non_null('first_name', 'occurred_at') }} as first_name,
        {{ latest_non_null('last_name', 'occurred_at') }} as last_name
    from activity
    group by recipient_id, campaign_id
)

select
    md5(recipient_id || '|' || coalesce(campaign_id, '')) as message_id,
    *
from messages

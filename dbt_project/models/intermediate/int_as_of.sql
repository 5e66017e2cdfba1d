-- The reference timestamp for relative windows when the `as_of` var is not set: the latest
-- event anywhere in the data, so reruns on the same input give identical tables.
select
    greatest(
        (select max(session_end) from {{ ref('int_web_sessions') }}),
        (select max(last_activity_at) from {{ ref('int_email_messages') }}),
        (select max(occurred_at) from {{ ref('stg_crm__activities') }}),
        (select max(updated_at) from {{ ref('stg_crm__contacts') }})
    ) as as_of

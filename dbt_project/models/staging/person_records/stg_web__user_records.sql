-- Each logged-in web user as a person record. Identify traits are the only person attributes a
-- web identity carries: the latest wins, while every address it identified with counts for
-- exact-email stitching and the golden record's identifiers. Its first and last activity are
-- those of the sessions it was logged in to.
with logged_in as (
    select
        user_id,
        min(session_start) as first_session_start,
        max(session_end) as last_session_end
    from {{ ref('int_web_sessions') }}
    where user_id is not null
    group by user_id
)

select
    {{ person_record('web_user_id', {
        'source_record_id': 'event.user_id',
        'first_name': latest_non_null('event.traits_first_name', 'event.event_at'),
        'last_name': latest_non_null('event.traits_last_name', 'event.event_at'),
        'email': latest_non_null('event.traits_email', 'event.event_at'),
        'phone': latest_non_null('event.traits_phone', 'event.event_at'),
        'emails': sorted_distinct_list('event.traits_email'),
        'observed_at': "max(event.event_at) filter (where event.event_type = 'identify')",
        'first_seen': 'any_value(logged_in.first_session_start)',
        'last_seen': 'any_value(logged_in.last_session_end)',
    }) }}
from {{ ref('stg_web__events') }} as event
left join logged_in using (user_id)
where event.user_id is not null
group by event.user_id

-- Each logged-in web user as a person record, from the sessions they were logged in to: identify
-- traits are the only person attributes a web identity carries. The latest wins, while every
-- address it identified with counts for exact-email stitching and the golden record's identifiers.
select
    {{ person_record('web_user_id', {
        'source_record_id': 'user_id',
        'first_name': latest_non_null('traits_first_name', 'identified_at'),
        'last_name': latest_non_null('traits_last_name', 'identified_at'),
        'email': latest_non_null('traits_email', 'identified_at'),
        'phone': latest_non_null('traits_phone', 'identified_at'),
        'emails': 'list_sort(list_distinct(list(traits_email) filter (where traits_email is not null)))',
        'observed_at': 'max(identified_at)',
        'first_seen': 'min(session_start)',
        'last_seen': 'max(session_end)',
    }) }}
from {{ ref('int_web_sessions') }}
where user_id is not null
group by user_id

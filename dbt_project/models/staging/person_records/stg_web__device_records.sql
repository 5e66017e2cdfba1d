-- Each browser (anonymous id) as a person record. A device keeps only the traits identified before
-- login; after login they belong to the user id, which the device is linked to deterministically.
select
    {{ person_record('web_anonymous_id', {
        'source_record_id': 'anonymous_id',
        'first_name': latest_non_null('traits_first_name', 'event_at', 'user_id is null'),
        'last_name': latest_non_null('traits_last_name', 'event_at', 'user_id is null'),
        'email': latest_non_null('traits_email', 'event_at', 'user_id is null'),
        'phone': latest_non_null('traits_phone', 'event_at', 'user_id is null'),
        'emails': sorted_distinct_list('traits_email', 'user_id is null'),
        'observed_at': "max(event_at) filter (where event_type = 'identify' and user_id is null)",
        'first_seen': 'min(event_at)',
        'last_seen': 'max(event_at)',
    }) }}
from {{ ref('stg_web__events') }}
where anonymous_id is not null
group by anonymous_id

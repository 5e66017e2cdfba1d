-- Each email-tool recipient (one address's id in the tool) as a person record, from the messages
-- sent to it: an address is "observed" when its owner last engaged with it, not when we last
-- mailed it.
select
    {{ person_record('email_recipient', {
        'source_record_id': 'recipient_id',
        'first_name': latest_non_null('first_name', 'last_activity_at'),
        'last_name': latest_non_null('last_name', 'last_activity_at'),
        'email': latest_non_null('email', 'last_activity_at'),
        'emails': 'list_sort(list_distinct(list(email) filter (where email is not null)))',
        'observed_at': 'coalesce(max(last_engaged_at), max(last_activity_at))',
        'first_seen': 'min(first_activity_at)',
        'last_seen': 'max(last_activity_at)',
    }) }}
from {{ ref('int_email_messages') }}
where recipient_id is not null
group by recipient_id

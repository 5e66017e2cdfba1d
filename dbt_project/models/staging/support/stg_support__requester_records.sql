-- Each support-desk requester as a person record: the name, address and phone of their latest
-- ticket, and every address they wrote from.
select
    {{ person_record('support_requester', {
        'source_record_id': 'requester_id',
        'first_name': latest_non_null('first_name', 'updated_at'),
        'last_name': latest_non_null('last_name', 'updated_at'),
        'email': latest_non_null('email', 'updated_at'),
        'phone': latest_non_null('phone', 'updated_at'),
        'emails': sorted_distinct_list('email_normalized'),
        'observed_at': 'max(updated_at)',
        'first_seen': 'min(created_at)',
        'last_seen': 'max(updated_at)',
    }) }}
from {{ ref('stg_support__tickets') }}
where requester_id is not null
group by requester_id

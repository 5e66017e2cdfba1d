-- Each email-tool recipient (one address's id in the tool) as a person record: an address is
-- "observed" when its owner last engaged with it (opened or clicked), not when we last mailed it.
select
    {{ person_record('email_recipient', {
        'source_record_id': 'recipient_id',
        'first_name': latest_non_null('first_name', 'occurred_at'),
        'last_name': latest_non_null('last_name', 'occurred_at'),
        'email': latest_non_null('email', 'occurred_at'),
        'emails': sorted_distinct_list('email'),
        'observed_at': "coalesce(max(occurred_at) filter (where action in ('open', 'click')), max(occurred_at))",
        'first_seen': 'min(occurred_at)',
        'last_seen': 'max(occurred_at)',
    }) }}
from {{ ref('stg_email__activity') }}
where recipient_id is not null
group by recipient_id

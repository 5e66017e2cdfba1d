-- Each email tool's subscriber (Mailchimp audience member, Klaviyo profile) as a person record:
-- one per tool and address, as the tool holds it now.
select
    {{ person_record('email_subscriber', {
        'source_record_id': 'subscriber_key',
        'first_name': 'first_name',
        'last_name': 'last_name',
        'email': 'email',
        'phone': 'phone',
        'company_name': 'company_name',
        'street': 'coalesce(street, address)',
        'city': 'city',
        'postcode': 'postal_code',
        'region': 'region',
        'country': 'country',
        'observed_at': 'coalesce(last_changed_at, consent_at, opted_in_at)',
        'first_seen': 'coalesce(opted_in_at, consent_at, last_changed_at)',
        'last_seen': 'greatest(last_changed_at, last_activity_at, consent_at, opted_in_at)',
    }) }}
from {{ ref('stg_email__audience') }}
where subscriber_key is not null

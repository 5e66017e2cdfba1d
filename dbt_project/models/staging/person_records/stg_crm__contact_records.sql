-- Each CRM contact (its latest version) as a person record: the contact's details, every address
-- it holds, and its first and last activity (its creation, and its latest change or activity).
with activity as (
    select
        contact_id,
        max(occurred_at) as last_activity_at
    from {{ ref('stg_crm__activities') }}
    where not is_archived
    group by contact_id
)

select
    {{ person_record('crm_contact', {
        'source_record_id': 'contact.contact_id',
        'first_name': 'contact.first_name',
        'last_name': 'contact.last_name',
        'email': 'contact.email',
        'phone': 'contact.phone',
        'company_name': 'contact.company_name',
        'street': 'contact.street',
        'city': 'contact.city',
        'postcode': 'contact.postal_code',
        'region': 'contact.region',
        'country': 'contact.country',
        'date_of_birth': 'contact.date_of_birth',
        'emails': sorted_distinct_with('contact.additional_emails', 'contact.email'),
        'observed_at': 'contact.updated_at',
        'first_seen': 'contact.created_at',
        'last_seen': 'greatest(contact.updated_at, activity.last_activity_at)',
    }) }}
from {{ ref('stg_crm__contacts') }} as contact
left join activity using (contact_id)
where contact.contact_id is not null

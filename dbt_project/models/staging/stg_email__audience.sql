-- One row per subscriber per email tool (Mailchimp audience, Klaviyo profiles), with the tool's
-- current status. Consent is read from the status alone: only `subscribed` may receive marketing
-- email; `unsubscribed` and `cleaned` (Mailchimp's hard-bounced addresses) withdrew it.
with renamed as (
    select
        {{ clean_text('subscriber_key') }} as subscriber_key,
        lower({{ clean_text('tool') }}) as tool,
        {{ clean_text('subscriber_id') }} as subscriber_id,
        {{ clean_text('email') }} as email,
        lower({{ clean_text('email_normalized') }}) as email_normalized,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('phone') }} as phone,
        {{ clean_text('address') }} as address,
        {{ clean_text('street') }} as street,
        {{ clean_text('city') }} as city,
        {{ clean_text('region') }} as region,
        {{ clean_text('postal_code') }} as postal_code,
        {{ clean_text('country') }} as country,
        {{ clean_text('company') }} as company_name,
        lower({{ clean_text('status') }}) as status,
        cast(member_rating as integer) as member_rating,
        {{ utc_timestamp('opted_in_at') }} as opted_in_at,
        {{ utc_timestamp('consent_at') }} as consent_at,
        {{ utc_timestamp('last_changed_at') }} as last_changed_at,
        {{ utc_timestamp('last_activity_at') }} as last_activity_at,
        {{ utc_timestamp('unsubscribed_at') }} as unsubscribed_at,
        {{ clean_text('unsubscribe_reason') }} as unsubscribe_reason,
        {{ utc_timestamp('cleaned_at') }} as cleaned_at
    from {{ source('raw_email', 'audience') }}
)

select
    *,
    status = 'subscribed' as has_email_consent,
    status = 'unsubscribed' as is_unsubscribed,
    status = 'cleaned' as is_cleaned
from renamed

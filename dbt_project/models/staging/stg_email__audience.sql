-- One row per subscriber per email tool (Mailchimp audience, Klaviyo profiles), with the tool's
-- current status. Consent is read from the status alone: only `subscribed` may receive marketing
-- email; `unsubscribed` and `cleaned` (Mailchimp's hard-bounced addresses) withdrew it.
with renamed as (
    select
        {{ clean_text('subscriber_key') }} as subscriber_key,
        {{ lower_text('tool') }} as tool,
        {{ clean_text('subscriber_id') }} as subscriber_id,
        {{ email_columns() }},
        {{ clean_text_columns(['first_name', 'last_name', 'phone', 'address', 'street', 'city', 'region']) }},
        {{ clean_text_columns(['postal_code', 'country']) }},
        {{ clean_text('company') }} as company_name,
        {{ lower_text('status') }} as status,
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

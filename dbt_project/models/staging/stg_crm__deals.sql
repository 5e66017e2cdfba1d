-- One row per CRM deal: its latest version, with won/lost flags derived from the stage.
select
    {{ clean_text_columns(['deal_id', 'deal_name']) }},
    {{ lower_text('stage') }} as deal_stage,
    {{ clean_text('pipeline') }} as pipeline,
    try_cast(amount as decimal(18, 2)) as amount,
    try_cast(close_date as date) as close_date,
    {{ clean_text_columns(['owner', 'contact_id', 'company_id']) }},
    {{ optional_column(source('raw_crm', 'deals'), var('crm_deal_order_id_column')) }} as order_id,
    {{ lower_text('stage') }} in {{ sql_list(var('won_deal_stages')) }} as is_won,
    {{ lower_text('stage') }} in {{ sql_list(var('lost_deal_stages')) }} as is_lost,
    {{ lower_text('stage') }} not in {{ sql_list(var('won_deal_stages') + var('lost_deal_stages')) }} as is_open,
    {{ utc_timestamp('created_at') }} as created_at,
    {{ utc_timestamp('updated_at') }} as updated_at,
    coalesce(cast(is_archived as boolean), false) as is_archived
from {{ source('raw_crm', 'deals') }}
qualify {{ latest_version('deal_id', 'updated_at', 'stage') }}

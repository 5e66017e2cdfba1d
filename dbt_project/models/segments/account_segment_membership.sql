-- Current members of every account segment: one row per account (dim_accounts.company_id) and
-- segment.
select distinct
    account_id,
    segment
from {{ ref('int_account_segment_members') }}

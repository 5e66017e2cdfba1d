-- The customers whose rows the incremental customer-level models rebuild: every customer with a
-- fingerprint (int_customer_fingerprints) that differs from the last complete build's
-- (int_customer_build_state) in either direction, so both the old and the new customer of a record
-- identity moved are listed, and a customer who no longer exists too (their rows are deleted and
-- none come back). A changed email campaign counts for everyone who got it. `enrichment_changed`
-- says whether the customer's enrichment inputs changed, or any CRM company (enrichment matches work
-- addresses to companies), which is when the enrichment looks them up again. Without a stored
-- state, or on a full refresh, every customer is listed, enrichment included.
{%- set state = adapter.get_relation(
    database=this.database, schema=this.schema, identifier='int_customer_build_state'
) %}
with current_state as (
    select * from {{ ref('int_customer_fingerprints') }}
),

previous_state as (
    {%- if state is none or flags.FULL_REFRESH %}
    select * from current_state
    where false
    {%- else %}
    select * from {{ state }}
    {%- endif %}
),

changes as (
    (
        select * from current_state
        except
        select * from previous_state
    )
    union all
    (
        select * from previous_state
        except
        select * from current_state
    )
),

changed as (
    select
        customer_id,
        source = 'enrichment_inputs' as enrichment_changed
    from changes
    where customer_id is not null
    union all
    select
        customer_id,
        true as enrichment_changed
    from current_state
    where
        customer_id is not null and exists (
            select 1 from changes
            where source = 'crm_company'
        )
    union all
    select
        customer_id,
        false as enrichment_changed
    from {{ ref('int_email_engagement') }}
    where
        customer_id is not null
        and campaign_id in (
            select source_record_id from changes
            where source = 'email_campaign'
        )
)

select
    customer_id,
    bool_or(enrichment_changed) as enrichment_changed
from changed
group by customer_id

-- Purchases per customer from every order source (fct_orders: won CRM deals and web orders,
-- one row per order).
select
    customer_id,
    count(*) as orders,
    count(*) filter (where source = 'web_event') as web_orders,
    coalesce(sum(revenue), 0) as revenue,
    min(ordered_at) as first_purchase_at,
    max(ordered_at) as last_purchase_at
from {{ ref('fct_orders') }}
where customer_id is not null
group by customer_id

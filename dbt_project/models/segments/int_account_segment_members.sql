{{ config(schema='intermediate') }}
-- Which accounts match each account segment (`of: accounts` in segments.yml, conditions over
-- dim_accounts columns) right now; the `segment_definitions` var replaces the definitions when set.
-- depends_on: {{ ref('customer_traits') }}
{% if execute %}
{{ compile_segments(
    var('segment_definitions', none) or model.config.meta.get('segments'),
    ref('customer_traits'), ref('dim_accounts'), 'accounts'
) }}
{% else %}
select company_id as account_id, '' as segment from {{ ref('dim_accounts') }}
{% endif %}

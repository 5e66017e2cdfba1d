{{ config(schema='intermediate') }}
-- Who matches each analyst-defined segment right now, by their own traits, their account's
-- (dim_accounts) and what they did (int_customer_events). Definitions: meta.segments in
-- segments.yml; the `segment_definitions` var replaces them when set (dbt unit tests, what-ifs).
-- depends_on: {{ ref('dim_accounts') }} {{ ref('int_customer_events') }} {{ ref('int_as_of') }}
{% if execute %}
{{ compile_segments(
    var('segment_definitions', none) or model.config.meta.get('segments'),
    ref('customer_traits'), ref('dim_accounts'), 'customers', ref('int_customer_events')
) }}
{% else %}
select customer_id, '' as segment from {{ ref('customer_traits') }}
{% endif %}

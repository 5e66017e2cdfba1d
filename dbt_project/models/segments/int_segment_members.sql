{{ config(schema='intermediate') }}
-- Who matches each analyst-defined segment right now, by their own traits and their account's
-- (dim_accounts). Definitions: meta.segments in segments.yml; the `segment_definitions` var
-- replaces them when set (dbt unit tests, ad-hoc what-ifs).
-- depends_on: {{ ref('dim_accounts') }}
{% if execute %}
{{ compile_segments(var('segment_definitions', none) or model.config.meta.get('segments'), ref('customer_traits'), ref('dim_accounts')) }}
{% else %}
select customer_id, '' as segment from {{ ref('customer_traits') }}
{% endif %}

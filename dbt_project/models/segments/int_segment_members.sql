{{ config(schema='intermediate') }}
-- Who matches each analyst-defined segment right now. Definitions: meta.segments in segments.yml;
-- the `segment_definitions` var replaces them when set (dbt unit tests, ad-hoc what-ifs).
{% if execute %}
{{ compile_segments(var('segment_definitions', none) or model.config.meta.get('segments'), ref('customer_traits')) }}
{% else %}
select customer_id, '' as segment from {{ ref('customer_traits') }}
{% endif %}

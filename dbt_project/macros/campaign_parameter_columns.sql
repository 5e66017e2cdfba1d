{#- The campaign parameters a web hit carries (UTM tags and Mailchimp's mc_eid), cleaned: tracked
    events and server logs stage the same set, which sessions and attribution read. -#}
{% macro campaign_parameter_columns() -%}
    {{ clean_text_columns(['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'mc_eid']) }}
{%- endmacro %}

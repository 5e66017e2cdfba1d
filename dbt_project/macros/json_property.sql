{#- The first of several JSON properties that is present, as text: event specs name the same
    figure differently (Segment's `revenue` or `total`), and the vars list the names to try. -#}
{% macro json_property(json_column, names) -%}
    {%- set names = [names] if names is string else names -%}
    coalesce({% for name in names %}nullif(trim({{ json_text(json_column, name) }}), ''){% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

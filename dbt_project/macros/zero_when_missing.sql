{#- Counts and amounts from a per-domain model, 0 for a customer or account that has no row there
    (no sessions, no email, no deals): a left join's null means "none", not "unknown". -#}
{% macro zero_when_missing(relation, columns) -%}
    {%- for column in columns -%}
        coalesce({{ relation }}.{{ column }}, 0) as {{ column }}{% if not loop.last %},
    {% endif %}
    {%- endfor -%}
{%- endmacro %}

{#- Blank strings from CSV exports mean "no value"; treating them as null keeps survivorship
    and coalesce logic from picking an empty string over a real value. -#}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as string)), '')
{%- endmacro %}

{#- Codes and statuses compared in lower case (`Subscribed` and `subscribed` are one status). -#}
{% macro lower_text(column) -%}
    lower({{ clean_text(column) }})
{%- endmacro %}

{#- Text columns staged under their own names, cleaned: staging models list the columns they keep
    instead of repeating `clean_text(x) as x` once a column. -#}
{% macro clean_text_columns(columns) -%}
    {%- for column in columns -%}
        {{ clean_text(column) }} as {{ column }}{% if not loop.last %},
    {% endif %}
    {%- endfor -%}
{%- endmacro %}

{#- An email address as the source wrote it and its normalised form (lower case, for matching),
    named with the source's prefix (`traits_` on Segment identify calls). -#}
{% macro email_columns(prefix='') -%}
    {{ clean_text(prefix ~ 'email') }} as {{ prefix }}email,
    {{ lower_text(prefix ~ 'email_normalized') }} as {{ prefix }}email_normalized
{%- endmacro %}

{#- The reference timestamp for relative windows: the `as_of` var when given, else the latest
    event in the data (int_as_of). Never now(), so reruns on the same input are identical. -#}
{% macro as_of() -%}
    {%- if var('as_of') is not none -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        (select as_of from {{ ref('int_as_of') }})
    {%- endif -%}
{%- endmacro %}

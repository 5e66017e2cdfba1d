{#- A website or domain as a bare host name (`https://www.Acme.com/about` -> `acme.com`), so a
    CRM company's domain and the part after @ in a work email compare equal. -#}
{% macro web_domain(column) -%}
    nullif(split_part(regexp_replace(lower(trim(cast({{ column }} as string))), '^([a-z]+://)?(www[.])?', ''), '/', 1), '')
{%- endmacro %}

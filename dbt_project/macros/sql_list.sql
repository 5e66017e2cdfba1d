{#- A Jinja list of strings as a SQL tuple literal, for lists configured in vars. -#}
{% macro sql_list(values) -%}
    ({% for v in values %}'{{ v | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- Fails for values outside `values` plus the sources of the `golden_record_models` var: the
    person-record sources registered after the built-in ones (config/registry/) are accepted
    wherever a source name (or a record-id identifier type, which is the source name) may appear. -#}
{% test accepted_person_source(model, column_name, values) %}
{%- set accepted = values + (var('golden_record_models', {}) | list) %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
where {{ column_name }} not in ({% for value in accepted %}'{{ value }}'{{ ", " if not loop.last }}{% endfor %})
group by {{ column_name }}
{% endtest %}

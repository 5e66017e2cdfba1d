{#- Fails for values outside `values` plus the person sources of the registry (`person_record_models`
    var): wherever a source name (or a record-id identifier type, which is the source name) may
    appear, every registered person source is accepted. -#}
{% test accepted_person_source(model, column_name, values=[]) %}
{%- set accepted = values + person_sources() %}
select {{ column_name }}, count(*) as occurrences
from {{ model }}
where {{ column_name }} not in ({% for value in accepted %}'{{ value }}'{{ ", " if not loop.last }}{% endfor %})
group by {{ column_name }}
{% endtest %}

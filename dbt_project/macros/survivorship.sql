{#- Survivorship rules live in the `survivorship` var (dbt_project.yml) so data owners change which
    source wins an attribute without touching SQL. These macros turn the rules into SQL and fail
    the build with the attribute and field at fault when a rule is malformed. The person sources
    are the registry's (person_sources(), macros/person_record.sql), so a newly registered source
    takes part in every rule that does not exclude it, without editing a rule. -#}

{% macro survivorship_rules() -%}
    {%- set rules = var('survivorship') -%}
    {%- set known_sources = person_sources() -%}
    {%- set known_attributes = ['first_name', 'last_name', 'email', 'phone', 'company_name', 'address', 'date_of_birth'] -%}
    {%- for attribute, rule in rules.items() -%}
        {%- if attribute not in known_attributes -%}
            {{ exceptions.raise_compiler_error("survivorship: unknown attribute '" ~ attribute ~ "'; expected one of " ~ known_attributes | join(', ')) }}
        {%- endif -%}
        {%- if rule.rule not in ['priority', 'most_recent'] -%}
            {{ exceptions.raise_compiler_error("survivorship." ~ attribute ~ ": unknown rule '" ~ rule.rule ~ "'; expected priority or most_recent") }}
        {%- endif -%}
        {%- if rule.get('others', 'last') not in ['last', 'never'] -%}
            {{ exceptions.raise_compiler_error("survivorship." ~ attribute ~ ".others: unknown value '" ~ rule.others ~ "'; expected last or never") }}
        {%- endif -%}
        {%- for source in rule.get('sources', []) -%}
            {%- if source not in known_sources -%}
                {{ exceptions.raise_compiler_error("survivorship." ~ attribute ~ ".sources: unknown source '" ~ source ~ "'; expected one of " ~ known_sources | join(', ')) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{#- The sources of a rule, best first: a priority rule's listed sources, then (unless `others:
    never`) the other person sources in registry order; a most_recent rule's listed sources, or
    every person source. -#}
{% macro survivorship_sources(rule) -%}
    {%- set listed = rule.get('sources', []) -%}
    {%- if rule.rule == 'most_recent' and not listed -%}
        {{ return(person_sources()) }}
    {%- elif rule.rule == 'priority' and rule.get('others', 'last') == 'last' -%}
        {{ return(listed + (person_sources() | reject('in', listed) | list)) }}
    {%- endif -%}
    {{ return(listed) }}
{%- endmacro %}

{#- Rank of a (attribute, source) pair: lower wins; a source outside the rule's sources never wins. -#}
{% macro survivorship_rank(attribute_column, source_column) -%}
    case {{ attribute_column }}
    {%- for attribute, rule in survivorship_rules().items() %}
        when '{{ attribute }}' then case {{ source_column }}
        {%- for source in survivorship_sources(rule) %}
            when '{{ source }}' then {{ loop.index if rule.rule == 'priority' else 1 }}
        {%- endfor %}
        end
    {%- endfor %}
    end
{%- endmacro %}

{#- Survivorship rules live in the `survivorship` var (dbt_project.yml) so data owners change which
    source wins an attribute without touching SQL. These macros turn the rules into SQL and fail
    the build with the attribute and field at fault when a rule is malformed. -#}

{% macro survivorship_rules() -%}
    {%- set rules = var('survivorship') -%}
    {%- set known_sources = ['crm_contact', 'web_anonymous_id', 'web_user_id', 'email_recipient', 'email_subscriber'] + (var('golden_record_models', {}) | list) -%}
    {%- set known_attributes = ['first_name', 'last_name', 'email', 'phone', 'company_name', 'address', 'date_of_birth'] -%}
    {%- for attribute, rule in rules.items() -%}
        {%- if attribute not in known_attributes -%}
            {{ exceptions.raise_compiler_error("survivorship: unknown attribute '" ~ attribute ~ "'; expected one of " ~ known_attributes | join(', ')) }}
        {%- endif -%}
        {%- if rule.rule not in ['priority', 'most_recent'] -%}
            {{ exceptions.raise_compiler_error("survivorship." ~ attribute ~ ": unknown rule '" ~ rule.rule ~ "'; expected priority or most_recent") }}
        {%- endif -%}
        {%- for source in rule.sources -%}
            {%- if source not in known_sources -%}
                {{ exceptions.raise_compiler_error("survivorship." ~ attribute ~ ".sources: unknown source '" ~ source ~ "'; expected one of " ~ known_sources | join(', ')) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{#- Rank of a (attribute, source) pair: lower wins; sources not listed for an attribute never win. -#}
{% macro survivorship_rank(attribute_column, source_column) -%}
    case {{ attribute_column }}
    {%- for attribute, rule in survivorship_rules().items() %}
        when '{{ attribute }}' then case {{ source_column }}
        {%- for source in rule.sources %}
            when '{{ source }}' then {{ loop.index if rule.rule == 'priority' else 1 }}
        {%- endfor %}
        end
    {%- endfor %}
    end
{%- endmacro %}

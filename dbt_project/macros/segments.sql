{#- Audiences are declared by analysts in models/segments/segments.yml (meta.segments of
    int_segment_members) as conditions over customer_traits columns. These macros validate each
    definition against the customer_traits contract and compile it to SQL, so a typo fails the
    build with the segment and field named instead of silently producing an empty audience. -#}


{#- Trait names are the columns declared in a contract: for customer segments those of
    customer_traits plus those of dim_accounts as `account.<column>` (the customer's account, via
    account_id); for account segments (`of: accounts`) those of dim_accounts. dbt unit tests get no
    graph; there the names come from the fixtures' columns, i.e. validation is skipped. -#}
{% macro segment_trait_names(level) -%}
    {%- if graph.nodes is not defined -%}{{ return(none) }}{%- endif -%}
    {%- set traits = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'customer_traits' and level == 'customers' -%}
        {%- do traits.extend(node.columns.keys() | list) -%}
    {%- endfor -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'dim_accounts' -%}
        {%- for column in node.columns.keys() -%}
            {%- do traits.append(('account.' if level == 'customers' else '') ~ column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(traits) }}
{%- endmacro %}

{#- The SQL column a trait names: `account.<column>` or, in account segments, any trait is a
    dim_accounts column; otherwise a customer_traits column. -#}
{% macro segment_trait_column(trait, level) -%}
    {%- if trait.startswith('account.') -%}account.{{ adapter.quote(trait[8:]) }}
    {%- elif level == 'accounts' -%}account.{{ adapter.quote(trait) }}
    {%- else -%}traits.{{ adapter.quote(trait) }}
    {%- endif -%}
{%- endmacro %}

{% macro segment_fail(segment_name, message) -%}
    {{ exceptions.raise_compiler_error("Invalid segment definition '" ~ segment_name ~ "' (models/segments/segments.yml): " ~ message) }}
{%- endmacro %}

{% macro segment_literal(segment_name, value) -%}
    {%- if value is sameas true or value is sameas false -%}{{ 'true' if value else 'false' }}
    {%- elif value is number -%}{{ value }}
    {%- elif value is string -%}'{{ value | replace("'", "''") }}'
    {%- else -%}{{ segment_fail(segment_name, "field 'value' must be a number, boolean or string, got " ~ value) }}
    {%- endif -%}
{%- endmacro %}

{% macro segment_condition_sql(segment_name, condition, position, traits, level) -%}
    {%- set operators = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'is_null', 'not_null'] -%}
    {%- set where = 'condition ' ~ position ~ ': ' -%}
    {%- if condition is not mapping -%}
        {{ segment_fail(segment_name, where ~ "must be a mapping with fields trait, op, value") }}
    {%- endif -%}
    {%- for field in condition.keys() if field not in ['trait', 'op', 'value'] -%}
        {{ segment_fail(segment_name, where ~ "unknown field '" ~ field ~ "' (expected trait, op, value)") }}
    {%- endfor -%}
    {%- if traits is not none and condition.trait not in traits -%}
        {{ segment_fail(segment_name, where ~ "field 'trait' names unknown trait '" ~ condition.trait ~ "'; known traits: " ~ traits | join(', ')) }}
    {%- endif -%}
    {%- if condition.op not in operators -%}
        {{ segment_fail(segment_name, where ~ "field 'op' is '" ~ condition.op ~ "'; expected one of " ~ operators | join(', ')) }}
    {%- endif -%}
    {%- set column = segment_trait_column(condition.trait, level) -%}
    {%- if condition.op in ['is_null', 'not_null'] -%}
        {%- if 'value' in condition -%}{{ segment_fail(segment_name, where ~ "field 'value' is not allowed with op " ~ condition.op) }}{%- endif -%}
        {{ column }} is {{ 'not ' if condition.op == 'not_null' else '' }}null
    {%- elif condition.op in ['in', 'not_in'] -%}
        {%- if condition.value is string or condition.value is not iterable or condition.value | length == 0 -%}
            {{ segment_fail(segment_name, where ~ "field 'value' must be a non-empty list for op " ~ condition.op) }}
        {%- endif -%}
        {{ column }} {{ 'not in' if condition.op == 'not_in' else 'in' }} ({% for v in condition.value %}{{ segment_literal(segment_name, v) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- else -%}
        {%- if 'value' not in condition or condition.value is none -%}
            {{ segment_fail(segment_name, where ~ "field 'value' is required for op " ~ condition.op) }}
        {%- endif -%}
        {{ column }} {{ condition.op }} {{ segment_literal(segment_name, condition.value) }}
    {%- endif -%}
{%- endmacro %}

{#- One `select <customer_id | account_id>, segment` per definition of the level (customers or
    accounts, field `of`), unioned; null traits never match (nor do account traits of a customer
    without an account). Every definition is validated whichever level compiles. -#}
{% macro compile_segments(segments, traits_relation, accounts_relation, level='customers') -%}
    {%- set seen = [] -%}
    {%- set compiled = [] -%}
    {%- if segments is none or segments | length == 0 -%}
        {{ exceptions.raise_compiler_error("No segments defined: add at least one under meta.segments in models/segments/segments.yml") }}
    {%- endif -%}
    {%- for segment in segments -%}
        {%- set name = segment.name if segment is mapping else none -%}
        {%- if name is not string or not modules.re.fullmatch('[a-z][a-z0-9_]*', name) -%}
            {{ segment_fail(name or ('#' ~ loop.index), "field 'name' must be lower_snake_case") }}
        {%- endif -%}
        {%- if name in seen -%}{{ segment_fail(name, "field 'name' is used by more than one segment") }}{%- endif -%}
        {%- do seen.append(name) -%}
        {%- for field in segment.keys() if field not in ['name', 'description', 'of', 'match', 'conditions'] -%}
            {{ segment_fail(name, "unknown field '" ~ field ~ "' (expected name, description, of, match, conditions)") }}
        {%- endfor -%}
        {%- if not segment.description -%}{{ segment_fail(name, "field 'description' is required") }}{%- endif -%}
        {%- set of = segment.get('of', 'customers') -%}
        {%- if of not in ['customers', 'accounts'] -%}{{ segment_fail(name, "field 'of' is '" ~ of ~ "'; expected customers or accounts") }}{%- endif -%}
        {%- set match = segment.get('match', 'all') -%}
        {%- if match not in ['all', 'any'] -%}{{ segment_fail(name, "field 'match' is '" ~ match ~ "'; expected all or any") }}{%- endif -%}
        {%- if segment.conditions is not iterable or segment.conditions is string or segment.conditions | length == 0 -%}
            {{ segment_fail(name, "field 'conditions' must be a non-empty list") }}
        {%- endif -%}
        {%- set traits = segment_trait_names(of) -%}
        {%- set conditions = [] -%}
        {%- for condition in segment.conditions -%}
            {%- do conditions.append('(' ~ segment_condition_sql(name, condition, loop.index, traits, of) ~ ')') -%}
        {%- endfor -%}
        {%- if of == level -%}{%- do compiled.append((name, conditions, match)) -%}{%- endif -%}
    {%- endfor -%}
    {%- for name, conditions, match in compiled %}
    {%- if level == 'customers' %}
    select traits.customer_id, '{{ name }}' as segment
    from {{ traits_relation }} as traits
    left join {{ accounts_relation }} as account on account.company_id = traits.account_id
    {%- else %}
    select account.company_id as account_id, '{{ name }}' as segment
    from {{ accounts_relation }} as account
    {%- endif %}
    where coalesce({{ conditions | join(' and ' if match == 'all' else ' or ') }}, false)
    {% if not loop.last %}union all{% endif %}
    {%- else %}
    select null::varchar as {{ 'customer_id' if level == 'customers' else 'account_id' }}, null::varchar as segment where false
    {%- endfor -%}
{%- endmacro %}

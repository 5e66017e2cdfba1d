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

{#- Funnel steps reuse the behavioural filters; their errors name the funnel (`funnel:<name>`). -#}
{% macro segment_fail(segment_name, message) -%}
    {%- if segment_name is string and segment_name.startswith('funnel:') -%}
        {{ exceptions.raise_compiler_error("Invalid funnel definition '" ~ segment_name[7:] ~ "' (dbt_project.yml, vars.funnels): " ~ message) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("Invalid segment definition '" ~ segment_name ~ "' (models/segments/segments.yml): " ~ message) }}
{%- endmacro %}

{% macro segment_literal(segment_name, value) -%}
    {%- if value is sameas true or value is sameas false -%}{{ 'true' if value else 'false' }}
    {%- elif value is number -%}{{ value }}
    {%- elif value is string -%}'{{ value | replace("'", "''") }}'
    {%- else -%}{{ segment_fail(segment_name, "field 'value' must be a number, boolean or string, got " ~ value) }}
    {%- endif -%}
{%- endmacro %}

{#- A condition is a trait condition {trait, op, value}, a behavioural one (a mapping with event,
    email, deal_stage or activity: segment_behaviour_sql) or a combination of conditions:
    {all: [...]}, {any: [...]} or {not: condition}. -#}
{% macro segment_condition_sql(segment_name, condition, position, traits, level, events_relation=none) -%}
    {%- set operators = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'is_null', 'not_null'] -%}
    {%- set where = 'condition ' ~ position ~ ': ' -%}
    {%- if condition is not mapping -%}
        {{ segment_fail(segment_name, where ~ "must be a mapping with fields trait, op, value (or event, email, deal_stage, activity, all, any, not)") }}
    {%- endif -%}
    {%- set combinators = ['all', 'any', 'not'] -%}
    {%- set behaviours = ['event', 'email', 'deal_stage', 'activity'] -%}
    {%- set kind = condition.keys() | select('in', combinators + behaviours) | list -%}
    {%- if kind | length > 1 -%}
        {{ segment_fail(segment_name, where ~ "fields " ~ kind | join(' and ') ~ " cannot be combined in one condition; nest them under all/any") }}
    {%- elif kind and kind[0] in combinators -%}
        {%- if condition | length > 1 -%}
            {{ segment_fail(segment_name, where ~ "field '" ~ kind[0] ~ "' must be the condition's only field") }}
        {%- endif -%}
        {%- if kind[0] == 'not' -%}
            not coalesce(({{ segment_condition_sql(segment_name, condition['not'], position ~ '.not', traits, level, events_relation) }}), false)
        {%- else -%}
            {%- set parts = condition[kind[0]] -%}
            {%- if parts is string or parts is not iterable or parts is mapping or parts | length == 0 -%}
                {{ segment_fail(segment_name, where ~ "field '" ~ kind[0] ~ "' must be a non-empty list of conditions") }}
            {%- endif -%}
            {%- set compiled = [] -%}
            {%- for part in parts -%}
                {%- do compiled.append('coalesce((' ~ segment_condition_sql(segment_name, part, position ~ '.' ~ kind[0] ~ '.' ~ loop.index, traits, level, events_relation) ~ '), false)') -%}
            {%- endfor -%}
            ({{ compiled | join(' and ' if kind[0] == 'all' else ' or ') }})
        {%- endif -%}
    {%- elif kind -%}
        {%- if level != 'customers' -%}
            {{ segment_fail(segment_name, where ~ "field '" ~ kind[0] ~ "': behavioural conditions apply to customer segments only") }}
        {%- endif -%}
        {{ segment_behaviour_sql(segment_name, condition, where, kind[0], events_relation) }}
    {%- else -%}
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
    {%- endif -%}
{%- endmacro %}

{#- The SQL filters on int_customer_events (alias `event`) selecting what a behavioural condition or
    funnel step names: its kind (event, email, deal_stage, activity), campaign and `where` filters. -#}
{% macro behaviour_event_filters(segment_name, condition, where, kind) -%}
    {%- set name = condition[kind] -%}
    {%- if name is not string or name | trim == '' -%}
        {{ segment_fail(segment_name, where ~ "field '" ~ kind ~ "' must be a non-empty string") }}
    {%- endif -%}
    {%- set email_actions = {'opened': 'open', 'clicked': 'click', 'sent': 'sent', 'bounced': 'bounce', 'unsubscribed': 'unsubscribe', 'reported_spam': 'spam'} -%}
    {%- if kind == 'email' and name not in email_actions -%}
        {{ segment_fail(segment_name, where ~ "field 'email' is '" ~ name ~ "'; expected one of " ~ email_actions.keys() | join(', ')) }}
    {%- endif -%}
    {%- if 'campaign' in condition and kind != 'email' -%}
        {{ segment_fail(segment_name, where ~ "field 'campaign' applies to email conditions only") }}
    {%- endif -%}
    {%- set filters = [] -%}
    {%- if kind == 'event' -%}
        {%- do filters.append("event.source = 'web' and event.event_name = " ~ segment_literal(segment_name, name)) -%}
    {%- elif kind == 'email' -%}
        {%- do filters.append("event.source = 'email' and event.event_name = '" ~ email_actions[name] ~ "'") -%}
        {%- if 'campaign' in condition -%}
            {%- set campaign = segment_literal(segment_name, condition.campaign | string) -%}
            {%- do filters.append("(" ~ json_text('event.properties', 'campaign_id') ~ " = " ~ campaign ~ " or " ~ json_text('event.properties', 'campaign_name') ~ " = " ~ campaign ~ ")") -%}
        {%- endif -%}
    {%- elif kind == 'deal_stage' -%}
        {%- do filters.append("event.source = 'crm_deal' and event.event_name = " ~ segment_literal(segment_name, name | lower)) -%}
    {%- else -%}
        {%- do filters.append("event.source = 'crm_activity' and event.event_name = " ~ segment_literal(segment_name, name | upper)) -%}
    {%- endif -%}
    {%- set property_ops = ['=', '!=', 'in', 'not_in', 'contains', '<', '<=', '>', '>='] -%}
    {%- set property_filters = condition.get('where', []) -%}
    {%- if property_filters is mapping or property_filters is string or property_filters is not iterable -%}
        {{ segment_fail(segment_name, where ~ "field 'where' must be a list of {property, op, value}") }}
    {%- endif -%}
    {%- for filter in property_filters -%}
        {%- set at = where ~ "where " ~ loop.index ~ ": " -%}
        {%- if filter is not mapping or filter.property is not string or 'value' not in filter -%}
            {{ segment_fail(segment_name, at ~ "must be a mapping with fields property, op, value") }}
        {%- endif -%}
        {%- for field in filter.keys() if field not in ['property', 'op', 'value'] -%}
            {{ segment_fail(segment_name, at ~ "unknown field '" ~ field ~ "' (expected property, op, value)") }}
        {%- endfor -%}
        {%- set op = filter.get('op', '=') -%}
        {%- if op not in property_ops -%}
            {{ segment_fail(segment_name, at ~ "field 'op' is '" ~ op ~ "'; expected one of " ~ property_ops | join(', ')) }}
        {%- endif -%}
        {%- set text = json_text('event.properties', filter.property | replace("'", "''") | replace('"', '')) -%}
        {%- if op in ['in', 'not_in'] -%}
            {%- if filter.value is string or filter.value is not iterable or filter.value | length == 0 -%}
                {{ segment_fail(segment_name, at ~ "field 'value' must be a non-empty list for op " ~ op) }}
            {%- endif -%}
            {%- set values = [] -%}{%- for v in filter.value -%}{%- do values.append(segment_literal(segment_name, v | string)) -%}{%- endfor -%}
            {%- do filters.append(text ~ (' not in (' if op == 'not_in' else ' in (') ~ values | join(', ') ~ ')') -%}
        {%- elif op == 'contains' -%}
            {%- do filters.append("contains(" ~ text ~ ", " ~ segment_literal(segment_name, filter.value | string) ~ ")") -%}
        {%- elif op in ['<', '<=', '>', '>='] -%}
            {%- if filter.value is not number or filter.value is sameas true or filter.value is sameas false -%}
                {{ segment_fail(segment_name, at ~ "field 'value' must be a number for op " ~ op) }}
            {%- endif -%}
            {%- do filters.append("try_cast(" ~ text ~ " as double) " ~ op ~ " " ~ filter.value) -%}
        {%- else -%}
            {%- set value = filter.value | string | lower if filter.value is sameas true or filter.value is sameas false else filter.value | string -%}
            {%- do filters.append(text ~ " " ~ op ~ " " ~ segment_literal(segment_name, value)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(filters) }}
{%- endmacro %}

{#- A behavioural condition counts the customer's rows in int_customer_events and compares the
    count. What: `event: <web track event name | page>`, `email: opened | clicked | sent | bounced
    | unsubscribed | reported_spam` (optionally `campaign: <campaign id or name>`), `deal_stage:
    <stage>` (a deal currently in it) or `activity: <CRM activity type>`. Property filters:
    `where: [{property, op, value}]` with op =, !=, in, not_in, contains, <, <=, >, >= (numeric).
    How many: `at_least | at_most | exactly: N` or `never: true` (default at_least 1). When:
    `within_days: D` (up to as_of) or `between: [start, end]` (dates, end exclusive). -#}
{% macro segment_behaviour_sql(segment_name, condition, where, kind, events_relation) -%}
    {%- set fields = [kind, 'campaign', 'where', 'at_least', 'at_most', 'exactly', 'never', 'within_days', 'between'] -%}
    {%- for field in condition.keys() if field not in fields -%}
        {{ segment_fail(segment_name, where ~ "unknown field '" ~ field ~ "' (expected " ~ fields | join(', ') ~ ")") }}
    {%- endfor -%}
    {#- account models validate customer segments without compiling them: no events (nor as_of) there -#}
    {%- set reference = as_of() if events_relation is not none else 'null' -%}
    {%- set events_relation = events_relation or 'int_customer_events' -%}
    {%- set filters = ["event.customer_id = traits.customer_id"] + behaviour_event_filters(segment_name, condition, where, kind) -%}
    {%- if 'within_days' in condition and 'between' in condition -%}
        {{ segment_fail(segment_name, where ~ "fields 'within_days' and 'between' cannot both be given") }}
    {%- elif 'within_days' in condition -%}
        {%- set days = condition.within_days -%}
        {%- if days is not integer or days is sameas true or days <= 0 -%}
            {{ segment_fail(segment_name, where ~ "field 'within_days' must be a positive whole number of days") }}
        {%- endif -%}
        {%- do filters.append("event.occurred_at > " ~ reference ~ " - interval " ~ days ~ " day and event.occurred_at <= " ~ reference) -%}
    {%- elif 'between' in condition -%}
        {%- set bounds = condition.between -%}
        {%- if bounds is string or bounds is not iterable or bounds | length != 2 -%}
            {{ segment_fail(segment_name, where ~ "field 'between' must be two dates [start, end]") }}
        {%- endif -%}
        {%- for bound in bounds -%}
            {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', bound | string) -%}
                {{ segment_fail(segment_name, where ~ "field 'between' has '" ~ bound ~ "'; expected a date YYYY-MM-DD") }}
            {%- endif -%}
        {%- endfor -%}
        {%- do filters.append("event.occurred_at >= date '" ~ bounds[0] ~ "' and event.occurred_at < date '" ~ bounds[1] ~ "'") -%}
    {%- endif -%}
    {%- set counts = condition.keys() | select('in', ['at_least', 'at_most', 'exactly', 'never']) | list -%}
    {%- if counts | length > 1 -%}
        {{ segment_fail(segment_name, where ~ "fields " ~ counts | join(' and ') ~ " cannot both be given; use one of at_least, at_most, exactly, never") }}
    {%- endif -%}
    {%- set count_field = counts[0] if counts else 'at_least' -%}
    {%- if count_field == 'never' -%}
        {%- if condition.never is not sameas true -%}
            {{ segment_fail(segment_name, where ~ "field 'never' must be true") }}
        {%- endif -%}
        {%- set comparison = '= 0' -%}
    {%- else -%}
        {%- set n = condition.get(count_field, 1) -%}
        {%- if n is not integer or n is sameas true or n < 0 -%}
            {{ segment_fail(segment_name, where ~ "field '" ~ count_field ~ "' must be a whole number of times") }}
        {%- endif -%}
        {%- set comparison = {'at_least': '>= ', 'at_most': '<= ', 'exactly': '= '}[count_field] ~ n -%}
    {%- endif -%}
    (select count(*) from {{ events_relation }} as event where {{ filters | join(' and ') }}) {{ comparison }}
{%- endmacro %}

{#- One `select <customer_id | account_id>, segment` per definition of the level (customers or
    accounts, field `of`), unioned; null traits never match (nor do account traits of a customer
    without an account). Every definition is validated whichever level compiles. -#}
{% macro compile_segments(segments, traits_relation, accounts_relation, level='customers', events_relation=none) -%}
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
        {%- for field in segment.keys() if field not in ['name', 'description', 'of', 'match', 'conditions', 'splits'] -%}
            {{ segment_fail(name, "unknown field '" ~ field ~ "' (expected name, description, of, match, conditions, splits)") }}
        {%- endfor -%}
        {%- do segment_split_groups(segment) -%}
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
            {%- do conditions.append('(' ~ segment_condition_sql(name, condition, loop.index, traits, of, events_relation) ~ ')') -%}
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
    select null::string as {{ 'customer_id' if level == 'customers' else 'account_id' }}, null::string as segment where false
    {%- endfor -%}
{%- endmacro %}


{#- A segment's split (`splits: {salt, groups: [{name, percent, holdout}]}`), validated: group
    names lower_snake_case and distinct, whole percentages summing to 100, at most one holdout.
    Returns [] for a segment without splits. -#}
{% macro segment_split_groups(segment) -%}
    {%- set splits = segment.get('splits') if segment is mapping else none -%}
    {%- if splits is none -%}{{ return([]) }}{%- endif -%}
    {%- set name = segment.name -%}
    {%- if splits is not mapping or splits.salt is not string or splits.salt == '' -%}
        {{ segment_fail(name, "field 'splits' must be a mapping with a non-empty salt and groups") }}
    {%- endif -%}
    {%- if segment.get('of', 'customers') != 'customers' -%}
        {{ segment_fail(name, "field 'splits' applies to customer segments only") }}
    {%- endif -%}
    {%- for field in splits.keys() if field not in ['salt', 'groups'] -%}
        {{ segment_fail(name, "splits: unknown field '" ~ field ~ "' (expected salt, groups)") }}
    {%- endfor -%}
    {%- set groups = splits.get('groups') -%}
    {%- if groups is string or groups is not iterable or groups is mapping or groups | length < 2 -%}
        {{ segment_fail(name, "splits: field 'groups' must list at least two groups") }}
    {%- endif -%}
    {%- set seen = [] -%}
    {%- set total = namespace(percent=0, holdouts=0) -%}
    {%- for group in groups -%}
        {%- set where = "splits: group " ~ loop.index ~ ": " -%}
        {%- if group is not mapping or group.name is not string or not modules.re.fullmatch('[a-z][a-z0-9_]*', group.name) or group.name in seen -%}
            {{ segment_fail(name, where ~ "field 'name' must be a distinct lower_snake_case name") }}
        {%- endif -%}
        {%- for field in group.keys() if field not in ['name', 'percent', 'holdout'] -%}
            {{ segment_fail(name, where ~ "unknown field '" ~ field ~ "' (expected name, percent, holdout)") }}
        {%- endfor -%}
        {%- if group.percent is not integer or group.percent is sameas true or group.percent <= 0 -%}
            {{ segment_fail(name, where ~ "field 'percent' must be a whole number above 0") }}
        {%- endif -%}
        {%- do seen.append(group.name) -%}
        {%- set total.percent = total.percent + group.percent -%}
        {%- set total.holdouts = total.holdouts + (1 if group.get('holdout') is sameas true else 0) -%}
    {%- endfor -%}
    {%- if total.percent != 100 -%}
        {{ segment_fail(name, "splits: the groups' percent add up to " ~ total.percent ~ ", not 100") }}
    {%- endif -%}
    {%- if total.holdouts > 1 -%}
        {{ segment_fail(name, "splits: at most one group can be the holdout") }}
    {%- endif -%}
    {{ return(groups) }}
{%- endmacro %}

{#- Members of split segments with their group: bucket 0-99 from the md5 of customer id and salt
    (stable across runs and engines), groups taking consecutive ranges in the order listed. -#}
{% macro compile_segment_splits(segments, membership_relation) -%}
    {%- set compiled = [] -%}
    {%- for segment in segments or [] -%}
        {%- set groups = segment_split_groups(segment) -%}
        {%- if groups -%}
            {%- set cases = [] -%}
            {%- set bound = namespace(upper=0) -%}
            {%- for group in groups -%}
                {%- set bound.upper = bound.upper + group.percent -%}
                {%- do cases.append("when bucket < " ~ bound.upper ~ " then '" ~ group.name ~ "'") -%}
            {%- endfor -%}
            {%- set holdout = groups | selectattr('holdout', 'sameas', true) | map(attribute='name') | list -%}
            {%- do compiled.append(
                "select customer_id, segment, split_group, "
                ~ ("split_group = '" ~ holdout[0] ~ "'" if holdout else "false") ~ " as is_holdout, since"
                ~ " from (select customer_id, segment, since, case " ~ cases | join(' ') ~ " end as split_group"
                ~ " from (select *, cast(" ~ md5_number_mod("customer_id || '|' || '" ~ segment.splits.salt | replace("'", "''") ~ "'", 100)
                ~ " as integer) as bucket from " ~ membership_relation ~ " where segment = '" ~ segment.name ~ "'))"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if compiled -%}
    {{ compiled | join('\nunion all\n') }}
    {%- else -%}
    select null::string as customer_id, null::string as segment, null::string as split_group, null::boolean as is_holdout, null::timestamp as since where false
    {%- endif -%}
{%- endmacro %}

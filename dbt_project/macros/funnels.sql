{#- Conversion funnels are declared in the `funnels` var (dbt_project.yml): validated here with the
    funnel, step and field named on error, and compiled to one CTE chain per funnel over
    int_customer_events. Steps select actions with the filters of behavioural segment conditions. -#}

{% macro validated_funnels() -%}
    {%- set funnels = var('funnels', []) -%}
    {%- set seen = [] -%}
    {%- for funnel in funnels -%}
        {%- set name = funnel.name if funnel is mapping else none -%}
        {%- if name is not string or not modules.re.fullmatch('[a-z][a-z0-9_]*', name) -%}
            {{ segment_fail('funnel:' ~ (name or '#' ~ loop.index), "field 'name' must be lower_snake_case") }}
        {%- endif -%}
        {%- if name in seen -%}{{ segment_fail('funnel:' ~ name, "field 'name' is used by more than one funnel") }}{%- endif -%}
        {%- do seen.append(name) -%}
        {%- for field in funnel.keys() if field not in ['name', 'description', 'window_days', 'steps'] -%}
            {{ segment_fail('funnel:' ~ name, "unknown field '" ~ field ~ "' (expected name, description, window_days, steps)") }}
        {%- endfor -%}
        {%- if funnel.window_days is not integer or funnel.window_days is sameas true or funnel.window_days <= 0 -%}
            {{ segment_fail('funnel:' ~ name, "field 'window_days' must be a positive whole number of days") }}
        {%- endif -%}
        {%- if funnel.steps is string or funnel.steps is not iterable or funnel.steps is mapping or funnel.steps | length < 2 -%}
            {{ segment_fail('funnel:' ~ name, "field 'steps' must be a list of at least two steps") }}
        {%- endif -%}
        {%- for step in funnel.steps -%}
            {%- set where = 'step ' ~ loop.index ~ ': ' -%}
            {%- set kind = step.keys() | select('in', ['event', 'email', 'deal_stage', 'activity']) | list if step is mapping else [] -%}
            {%- if kind | length != 1 or step.name is not string -%}
                {{ segment_fail('funnel:' ~ name, where ~ "needs a name and exactly one of event, email, deal_stage, activity") }}
            {%- endif -%}
            {%- for field in step.keys() if field not in ['name', kind[0], 'campaign', 'where'] -%}
                {{ segment_fail('funnel:' ~ name, where ~ "unknown field '" ~ field ~ "' (expected name, " ~ kind[0] ~ ", campaign, where)") }}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(funnels) }}
{%- endmacro %}

{#- The funnels' steps as rows (funnel, step_number, step_name), so steps nobody reached still show. -#}
{% macro funnel_step_rows() -%}
    {%- set rows = [] -%}
    {%- for funnel in validated_funnels() -%}
        {%- for step in funnel.steps -%}
            {%- do rows.append("('" ~ funnel.name ~ "', " ~ loop.index ~ ", '" ~ step.name | replace("'", "''") ~ "')") -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if rows -%}
    select * from (values {{ rows | join(', ') }}) as step(funnel, step_number, step_name)
    {%- else -%}
    select null::string as funnel, null::integer as step_number, null::string as step_name where false
    {%- endif -%}
{%- endmacro %}

{#- Per funnel and step, each customer's first qualifying action: step 1 their first ever, step k
    the first at or after step k-1 and within window_days of step 1. -#}
{% macro compile_funnels(events_relation) -%}
    {%- set funnels = validated_funnels() -%}
    {%- set selects = [] -%}
    {%- if funnels | length == 0 %}
    select null::string as funnel, null::integer as step_number, null::string as step_name,
        null::string as customer_id, null::timestamp as entered_at, null::timestamp as reached_at,
        null::timestamp as previous_reached_at
    where false
    {%- else %}
    with
    {%- for funnel in funnels %}
    {%- set funnel_index = loop.index %}
    {%- for step in funnel.steps %}
    {%- set kind = step.keys() | select('in', ['event', 'email', 'deal_stage', 'activity']) | list %}
    {%- set filters = behaviour_event_filters('funnel:' ~ funnel.name, step, 'step ' ~ loop.index ~ ': ', kind[0]) %}
    {%- set cte = 'funnel_' ~ funnel_index ~ '_step_' ~ loop.index %}
    {{ cte }} as (
        {%- if loop.first %}
        select event.customer_id, min(event.occurred_at) as entered_at, min(event.occurred_at) as reached_at,
            null::timestamp as previous_reached_at
        from {{ events_relation }} as event
        where {{ filters | join(' and ') }}
        group by event.customer_id
        {%- else %}
        select event.customer_id, previous.entered_at, min(event.occurred_at) as reached_at,
            previous.reached_at as previous_reached_at
        from {{ events_relation }} as event
        inner join funnel_{{ funnel_index }}_step_{{ loop.index - 1 }} as previous
            on previous.customer_id = event.customer_id
            and event.occurred_at >= previous.reached_at
            and event.occurred_at <= previous.entered_at + interval {{ funnel.window_days }} day
        where {{ filters | join(' and ') }}
        group by event.customer_id, previous.entered_at, previous.reached_at
        {%- endif %}
    ),
    {%- do selects.append("select '" ~ funnel.name ~ "' as funnel, " ~ loop.index ~ " as step_number, '" ~ step.name | replace("'", "''") ~ "' as step_name, * from " ~ cte) %}
    {%- endfor %}
    {%- endfor %}
    steps as (
        {{ selects | join('\n        union all\n        ') }}
    )
    select funnel, cast(step_number as integer) as step_number, step_name, customer_id, entered_at, reached_at, previous_reached_at
    from steps
    {%- endif %}
{%- endmacro %}

{#- Constructs that DuckDB and Apache Spark spell differently, one macro each (adapter.dispatch:
    `default__` is DuckDB's spelling, which the project was written in; `spark__` is Spark's).
    docs/engines.md lists every difference between the engines and how it is handled. -#}

{#- A list of strings as a column type: DuckDB `varchar[]`, Spark `array<string>`. -#}
{% macro type_string_list() -%}{{ return(adapter.dispatch('type_string_list')()) }}{%- endmacro %}
{% macro default__type_string_list() -%}{{ return('varchar[]') }}{%- endmacro %}
{% macro spark__type_string_list() -%}{{ return('array<string>') }}{%- endmacro %}

{#- The value at the row with the greatest / least `order_by` (DuckDB arg_max/arg_min). Spark's
    max_by/min_by keep a NULL value (and rows with a NULL order) where DuckDB skips them: Spark
    filters them out explicitly, or a later NULL would silently win. -#}
{% macro value_at_max(value, order_by, condition=none) -%}{{ adapter.dispatch('value_at_extreme')('max', value, order_by, condition) }}{%- endmacro %}
{% macro value_at_min(value, order_by, condition=none) -%}{{ adapter.dispatch('value_at_extreme')('min', value, order_by, condition) }}{%- endmacro %}
{% macro default__value_at_extreme(extreme, value, order_by, condition) -%}
    arg_{{ extreme }}({{ value }}, {{ order_by }}){% if condition %} filter (where {{ condition }}){% endif %}
{%- endmacro %}
{% macro spark__value_at_extreme(extreme, value, order_by, condition) -%}
    {{ extreme }}_by({{ value }}, {{ order_by }}) filter (
        where {{ value }} is not null and {{ order_by }} is not null{% if condition %} and {{ condition }}{% endif %}
    )
{%- endmacro %}

{#- Seconds since the epoch as a double, fractions kept (DuckDB epoch()); Spark's unix_timestamp
    truncates to whole seconds, so it counts microseconds instead. -#}
{% macro epoch_seconds(timestamp) -%}{{ adapter.dispatch('epoch_seconds')(timestamp) }}{%- endmacro %}
{% macro default__epoch_seconds(timestamp) -%}epoch({{ timestamp }}){%- endmacro %}
{% macro spark__epoch_seconds(timestamp) -%}cast(unix_micros({{ timestamp }}) as double) / 1000000{%- endmacro %}

{#- Seconds (a double) from one timestamp to a later one. -#}
{% macro seconds_between(start, end) -%}({{ epoch_seconds(end) }} - {{ epoch_seconds(start) }}){%- endmacro %}

{#- A double as a whole number: DuckDB's cast rounds half to even, Spark's cast truncates. -#}
{% macro rounded_bigint(number) -%}{{ adapter.dispatch('rounded_bigint')(number) }}{%- endmacro %}
{% macro default__rounded_bigint(number) -%}cast({{ number }} as bigint){%- endmacro %}
{% macro spark__rounded_bigint(number) -%}cast(bround({{ number }}) as bigint){%- endmacro %}

{#- A JSON property as text by its name (`$."name"` on DuckDB; Spark's get_json_object wants `$['name']`). -#}
{% macro json_text(json_column, name) -%}{{ adapter.dispatch('json_text')(json_column, name) }}{%- endmacro %}
{% macro default__json_text(json_column, name) -%}json_extract_string({{ json_column }}, '$."{{ name }}"'){%- endmacro %}
{% macro spark__json_text(json_column, name) -%}get_json_object({{ json_column }}, '$[''{{ name }}'']'){%- endmacro %}

{#- A JSON object as text from name/expression pairs, nulls kept as `null` (DuckDB json_object;
    Spark's to_json drops null fields unless told not to). -#}
{% macro json_object_text(pairs) -%}{{ adapter.dispatch('json_object_text')(pairs) }}{%- endmacro %}
{% macro default__json_object_text(pairs) -%}
    cast(json_object({% for name, expression in pairs.items() %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor %}) as varchar)
{%- endmacro %}
{% macro spark__json_object_text(pairs) -%}
    to_json(named_struct({% for name, expression in pairs.items() %}'{{ name }}', {{ expression }}{{ ', ' if not loop.last }}{% endfor %}), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- Does the text match the regular expression anywhere (DuckDB regexp_matches, Spark regexp_like). -#}
{% macro regexp_contains(text, pattern) -%}{{ adapter.dispatch('regexp_contains')(text, pattern) }}{%- endmacro %}
{% macro default__regexp_contains(text, pattern) -%}regexp_matches({{ text }}, {{ pattern }}){%- endmacro %}
{% macro spark__regexp_contains(text, pattern) -%}regexp_like({{ text }}, {{ pattern }}){%- endmacro %}

{#- Every column but some: DuckDB `* exclude (...)`, Spark `* except (...)`. -#}
{% macro star_except(columns, relation=none) -%}{{ adapter.dispatch('star_except')(columns, relation) }}{%- endmacro %}
{% macro default__star_except(columns, relation) -%}{{ relation ~ '.' if relation }}* exclude ({{ columns | join(', ') }}){%- endmacro %}
{% macro spark__star_except(columns, relation) -%}{{ relation ~ '.' if relation }}* except ({{ columns | join(', ') }}){%- endmacro %}

{#- The non-null values of a column aggregated into a sorted list of distinct values, NULL when
    there are none (DuckDB's list() of no rows; Spark's collect_list gives an empty array). -#}
{% macro sorted_distinct_list(column, condition=none) -%}{{ adapter.dispatch('sorted_distinct_list')(column, condition) }}{%- endmacro %}
{% macro default__sorted_distinct_list(column, condition) -%}
    list_sort(list_distinct(list({{ column }}) filter (where {{ column }} is not null{% if condition %} and {{ condition }}{% endif %})))
{%- endmacro %}
{% macro spark__sorted_distinct_list(column, condition) -%}
    {%- set values = 'collect_list(' ~ column ~ ') filter (where ' ~ column ~ ' is not null' ~ (' and ' ~ condition if condition else '') ~ ')' -%}
    if(size({{ values }}) = 0, null, array_sort(array_distinct({{ values }})))
{%- endmacro %}

{#- A list's elements that pass a condition on `x` after a transformation of `x` (DuckDB lambdas
    `lambda x: ...`, Spark `x -> ...`). -#}
{% macro list_transform_filter(list, transform, condition) -%}{{ adapter.dispatch('list_transform_filter')(list, transform, condition) }}{%- endmacro %}
{% macro default__list_transform_filter(list, transform, condition) -%}
    list_filter(list_transform({{ list }}, lambda x: {{ transform }}), lambda x: {{ condition }})
{%- endmacro %}
{% macro spark__list_transform_filter(list, transform, condition) -%}
    filter(transform({{ list }}, x -> {{ transform }}), x -> {{ condition }})
{%- endmacro %}

{#- Text split at a separator into a list (DuckDB string_split, Spark split: a regex, so quoted). -#}
{% macro split_text(text, separator) -%}{{ adapter.dispatch('split_text')(text, separator) }}{%- endmacro %}
{% macro default__split_text(text, separator) -%}string_split({{ text }}, '{{ separator }}'){%- endmacro %}
{% macro spark__split_text(text, separator) -%}split({{ text }}, '\\Q{{ separator }}\\E'){%- endmacro %}

{#- A list's distinct non-null elements with one more value, sorted (DuckDB list_* functions, Spark array_*). -#}
{% macro sorted_distinct_with(list, value) -%}{{ adapter.dispatch('sorted_distinct_with')(list, value) }}{%- endmacro %}
{% macro default__sorted_distinct_with(list, value) -%}
    list_sort(list_distinct(list_filter(list_prepend({{ value }}, {{ list }}), lambda e: e is not null)))
{%- endmacro %}
{% macro spark__sorted_distinct_with(list, value) -%}
    array_sort(array_distinct(filter(array_prepend({{ list }}, {{ value }}), e -> e is not null)))
{%- endmacro %}

{#- One row per element of a list, joined to its row (DuckDB `cross join unnest(...)`, Spark
    `cross join lateral explode`): `<from> {{ unnest_join(list, 'alias', 'column') }}`. -#}
{% macro unnest_join(list, alias, column) -%}{{ adapter.dispatch('unnest_join')(list, alias, column) }}{%- endmacro %}
{% macro default__unnest_join(list, alias, column) -%}cross join unnest({{ list }}) as {{ alias }} ({{ column }}){%- endmacro %}
{% macro spark__unnest_join(list, alias, column) -%}cross join lateral explode({{ list }}) as {{ alias }} ({{ column }}){%- endmacro %}

{#- A list with one more element at its end (DuckDB list_append, Spark array_append). -#}
{% macro list_append_value(list, value) -%}{{ adapter.dispatch('list_append_value')(list, value) }}{%- endmacro %}
{% macro default__list_append_value(list, value) -%}list_append({{ list }}, {{ value }}){%- endmacro %}
{% macro spark__list_append_value(list, value) -%}array_append({{ list }}, {{ value }}){%- endmacro %}

{#- An empty list literal typed as a list of strings (DuckDB `[]`; Spark's array() is of nulls). -#}
{% macro empty_string_list() -%}{{ adapter.dispatch('empty_string_list')() }}{%- endmacro %}
{% macro default__empty_string_list() -%}[]{%- endmacro %}
{% macro spark__empty_string_list() -%}cast(array() as array<string>){%- endmacro %}

{#- Texts joined in an order within an aggregation (DuckDB string_agg ... order by; Spark has no
    ordered aggregate, so the pairs are collected, sorted and joined). -#}
{% macro ordered_string_agg(value, separator, order_by) -%}{{ adapter.dispatch('ordered_string_agg')(value, separator, order_by) }}{%- endmacro %}
{% macro default__ordered_string_agg(value, separator, order_by) -%}string_agg({{ value }}, '{{ separator }}' order by {{ order_by }}){%- endmacro %}
{% macro spark__ordered_string_agg(value, separator, order_by) -%}
    array_join(transform(array_sort(collect_list(struct({{ order_by }} as sort_key, {{ value }} as item))), pair -> pair.item), '{{ separator }}')
{%- endmacro %}

{#- Every value of a window's rows as a sorted list of distinct values, joined with commas. -#}
{% macro window_sorted_distinct_text(column, window) -%}{{ adapter.dispatch('window_sorted_distinct_text')(column, window) }}{%- endmacro %}
{% macro default__window_sorted_distinct_text(column, window) -%}
    array_to_string(list_sort(list_distinct(list({{ column }}) over ({{ window }}))), ',')
{%- endmacro %}
{% macro spark__window_sorted_distinct_text(column, window) -%}
    array_join(array_sort(array_distinct(collect_list({{ column }}) over ({{ window }}))), ',')
{%- endmacro %}

{#- Whole days between two timestamps, as bigint on both engines (dbt.datediff gives Spark's int). -#}
{% macro days_between(start, end) -%}cast({{ dbt.datediff(start, end, 'day') }} as bigint){%- endmacro %}

{#- The type of a JSON document column: DuckDB's json; Spark has none and keeps the text. -#}
{% macro type_json() -%}{{ return(adapter.dispatch('type_json')()) }}{%- endmacro %}
{% macro default__type_json() -%}{{ return('json') }}{%- endmacro %}
{% macro spark__type_json() -%}{{ return('string') }}{%- endmacro %}

{#- The config of a model DuckDB keeps incrementally, replacing the rows of the keys it selects
    again (delete+insert). Spark's Parquet tables can neither delete nor merge rows (that needs
    Delta or Iceberg), and insert_overwrite without partitions would keep the new rows alone: on
    Spark such a model is rebuilt whole each run, which gives the same rows. -#}
{% macro keyed_incremental_config(unique_key) -%}{{ return(adapter.dispatch('keyed_incremental_config')(unique_key)) }}{%- endmacro %}
{% macro default__keyed_incremental_config(unique_key) -%}
    {{ return({'materialized': 'incremental', 'unique_key': unique_key, 'incremental_strategy': 'delete+insert', 'on_schema_change': 'fail'}) }}
{%- endmacro %}
{% macro spark__keyed_incremental_config(unique_key) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}

{#- The config of a history that only grows: DuckDB replaces a run's own rows by key (delete+insert),
    Spark appends to the Parquet table (insert into, which may read the table it appends to). -#}
{% macro history_incremental_config(unique_key) -%}{{ return(adapter.dispatch('history_incremental_config')(unique_key)) }}{%- endmacro %}
{% macro default__history_incremental_config(unique_key) -%}
    {{ return(default__keyed_incremental_config(unique_key)) }}
{%- endmacro %}
{% macro spark__history_incremental_config(unique_key) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'append', 'on_schema_change': 'fail'}) }}
{%- endmacro %}

{#- The rows a table held before this build replaces it. DuckDB replaces a table atomically, so a
    model may read itself; Spark drops a Parquet table before creating it again, so the pre-hook
    `keep_previous_build()` copies it aside first and the model reads the copy. -#}
{% macro previous_build() -%}{{ return(adapter.dispatch('previous_build')()) }}{%- endmacro %}
{% macro default__previous_build() -%}{{ return(this) }}{%- endmacro %}
{% macro spark__previous_build() -%}{{ return(this.incorporate(path={'identifier': this.identifier ~ '__previous_build'})) }}{%- endmacro %}
{% macro keep_previous_build() -%}{{ adapter.dispatch('keep_previous_build')() }}{%- endmacro %}
{% macro default__keep_previous_build() -%}{%- endmacro %}
{% macro spark__keep_previous_build() -%}
    {%- if adapter.get_relation(this.database, this.schema, this.identifier) is not none -%}
    {%- do run_query('drop table if exists ' ~ previous_build()) -%}
    create table {{ previous_build() }} using parquet as select * from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- dbt-spark applies NOT NULL constraints to Delta tables only and skips them silently on Parquet,
    which cannot hold them: here a contract's not_null constraints are checked on the table just
    built, and a violation fails the model with the column named, as DuckDB's constraint would. -#}
{% macro spark__persist_constraints(relation, model) -%}
    {%- if config.get('contract').enforced and config.get('file_format', 'delta') == 'delta' -%}
        {%- do alter_table_add_constraints(relation, model.constraints) -%}
        {%- do alter_column_set_constraints(relation, model.columns) -%}
    {%- elif config.get('contract').enforced -%}
        {%- for column in model.columns.values() if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
            {%- set nulls = run_query('select count(*) from ' ~ relation ~ ' where ' ~ adapter.quote(column.name) ~ ' is null').columns[0].values()[0] -%}
            {%- if nulls > 0 -%}
                {{ exceptions.raise_compiler_error(model.name ~ ': ' ~ nulls ~ ' rows violate the not_null constraint on ' ~ column.name) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- A row's fingerprint (md5 of its text), compared only with earlier fingerprints of the same
    engine (int_changed_customers). DuckDB casts the row struct to text; Spark has no such cast for
    a whole row and writes it as JSON, so the two engines' fingerprints differ in value. -#}
{% macro row_fingerprint(alias) -%}{{ adapter.dispatch('row_fingerprint')(alias) }}{%- endmacro %}
{% macro default__row_fingerprint(alias) -%}md5({{ alias }}::string){%- endmacro %}
{% macro spark__row_fingerprint(alias) -%}md5(to_json(struct({{ alias }}.*), map('ignoreNullFields', 'false'))){%- endmacro %}

{#- The fingerprint of a list of values (see row_fingerprint). -#}
{% macro values_fingerprint(values) -%}{{ adapter.dispatch('values_fingerprint')(values) }}{%- endmacro %}
{% macro default__values_fingerprint(values) -%}md5([{{ values | join(', ') }}]::string){%- endmacro %}
{% macro spark__values_fingerprint(values) -%}md5(to_json(array({{ values | join(', ') }}))){%- endmacro %}

{#- The md5 of a text read as a 128-bit number (DuckDB md5_number: little-endian), modulo a small
    number: Spark has no 128-bit integers, so the bytes of the hex digest are summed with their
    place values reduced by the modulus. Split buckets stay the same on both engines. -#}
{% macro md5_number_mod(text, modulus) -%}{{ adapter.dispatch('md5_number_mod')(text, modulus) }}{%- endmacro %}
{% macro default__md5_number_mod(text, modulus) -%}md5_number({{ text }}) % {{ modulus }}{%- endmacro %}
{% macro spark__md5_number_mod(text, modulus) -%}
    pmod({% for byte in range(16) %}cast(conv(substr(md5({{ text }}), {{ 2 * byte + 1 }}, 2), 16, 10) as bigint) * {{ (256 ** byte) % modulus }}{{ ' + ' if not loop.last }}{% endfor %}, {{ modulus }})
{%- endmacro %}

{#- A list literal of strings (DuckDB `['a', 'b']`, Spark `array('a', 'b')`). -#}
{% macro string_list_literal(values) -%}{{ adapter.dispatch('string_list_literal')(values) }}{%- endmacro %}
{% macro default__string_list_literal(values) -%}[{{ sql_list(values)[1:-1] }}]{%- endmacro %}
{% macro spark__string_list_literal(values) -%}array{{ sql_list(values) }}{%- endmacro %}

{#- One row per element of a list, in a select list (DuckDB unnest, Spark explode). -#}
{% macro unnest_list(list) -%}{{ adapter.dispatch('unnest_list')(list) }}{%- endmacro %}
{% macro default__unnest_list(list) -%}unnest({{ list }}){%- endmacro %}
{% macro spark__unnest_list(list) -%}explode({{ list }}){%- endmacro %}

{#- The entries (key, value structs) of a JSON object read as a map of booleans (DuckDB casts JSON
    to a map; Spark parses it with from_json). -#}
{% macro json_boolean_map_entries(json) -%}{{ adapter.dispatch('json_boolean_map_entries')(json) }}{%- endmacro %}
{% macro default__json_boolean_map_entries(json) -%}map_entries(cast({{ json }} as map(string, boolean))){%- endmacro %}
{% macro spark__json_boolean_map_entries(json) -%}map_entries(from_json({{ json }}, 'map<string,boolean>')){%- endmacro %}

{#- Whole integers first..last, one row each, in a select list (DuckDB range is end-exclusive,
    Spark's sequence inclusive). -#}
{% macro integer_series(first, last) -%}{{ adapter.dispatch('integer_series')(first, last) }}{%- endmacro %}
{% macro default__integer_series(first, last) -%}unnest(range({{ first }}, {{ last }} + 1)){%- endmacro %}
{% macro spark__integer_series(first, last) -%}explode(sequence(cast({{ first }} as bigint), cast({{ last }} as bigint))){%- endmacro %}

{#- Every day from first to last, one row each, as dates (DuckDB generate_series gives timestamps). -#}
{% macro day_series(first, last) -%}{{ adapter.dispatch('day_series')(first, last) }}{%- endmacro %}
{% macro default__day_series(first, last) -%}cast(unnest(generate_series({{ first }}, {{ last }}, interval 1 day)) as date){%- endmacro %}
{% macro spark__day_series(first, last) -%}explode(sequence(cast({{ first }} as date), cast({{ last }} as date), interval 1 day)){%- endmacro %}

{#- Whole weeks or months (a column naming the grain) between two period starts (DuckDB date_diff
    takes the part as a value; Spark counts days and months). -#}
{% macro periods_between(grain, start, end) -%}{{ adapter.dispatch('periods_between')(grain, start, end) }}{%- endmacro %}
{% macro default__periods_between(grain, start, end) -%}date_diff({{ grain }}, {{ start }}, {{ end }}){%- endmacro %}
{% macro spark__periods_between(grain, start, end) -%}
    case {{ grain }}
        when 'week' then cast(floor(datediff({{ end }}, {{ start }}) / 7) as bigint)
        when 'month' then cast(round(months_between(date_trunc('month', {{ end }}), date_trunc('month', {{ start }}))) as bigint)
    end
{%- endmacro %}

{#- A unit-test fixture's list value reaches safe_cast as a list, which renders as `['a', 'b']`:
    DuckDB's list literal, a syntax error on Spark, whose literal is `array('a', 'b')`. Everything
    else is cast as dbt-spark's own safe_cast does. -#}
{% macro spark__safe_cast(field, type) -%}
    {%- if field is iterable and field is not string and field is not mapping -%}
    cast(array({% for item in field %}{{ dbt.string_literal(dbt.escape_single_quotes(item)) }}{{ ', ' if not loop.last }}{% endfor %}) as {{ type }})
    {%- elif field is string and cast_from_string_unsupported_for(type) -%}
    cast({{ field.strip('"').strip("'") }} as {{ type }})
    {%- else -%}
    cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

-- One row per web-server request (nginx/Apache combined log line). A logged line never changes,
-- so its file and line are its key. `anonymous_id` is the analytics cookie the server logged
-- (Segment's ajs_anonymous_id and the like): it ties server hits to tracked devices.
select
    md5(_file_hash || ':' || cast(_source_line as string)) as request_id,
    {{ utc_timestamp('requested_at') }} as requested_at,
    {{ clean_text_columns(['ip', 'remote_user']) }},
    upper({{ clean_text('method') }}) as http_method,
    {{ clean_text('path') }} as page_path,
    {{ clean_text('query') }} as query_string,
    {{ clean_text('protocol') }} as protocol,
    cast(status as integer) as status_code,
    cast(bytes as bigint) as response_bytes,
    {{ clean_text_columns(['referrer', 'user_agent']) }},
    {{ campaign_parameter_columns() }},
    {{ clean_text('visitor_id') }} as anonymous_id,
    _source_file,
    _source_line
from {{ source('raw_web', 'access_log') }}

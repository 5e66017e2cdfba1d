{#- A web session's marketing channel from its first UTM medium and referrer, by the
    `attribution_channels` var (channel -> utm_medium values) with Organic Search, Referral and
    Direct as the fallbacks, so every session gets exactly one channel. -#}
{% macro attribution_channel(medium, referrer) -%}
    case
        {%- for channel, mediums in var('attribution_channels').items() %}
        when lower({{ medium }}) in {{ sql_list(mediums) }} then '{{ channel }}'
        {%- endfor %}
        when {{ medium }} is not null then 'Other'
        when {{ regexp_contains(web_domain(referrer), "'(^|[.])(" ~ var('attribution_search_engines') | join('|') ~ ")[.]'") }}
            then 'Organic Search'
        when {{ referrer }} is not null then 'Referral'
        else 'Direct'
    end
{%- endmacro %}

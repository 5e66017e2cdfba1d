-- Members of segments with `splits` (segments.yml) and the group each falls in, deterministically
-- from the md5 of customer id and the split's salt: the same customer stays in the same group on
-- every rebuild while the salt is unchanged. `since` is the date the customer entered the segment
-- (segment_membership), i.e. the day their group started; holdout members are never exported.
{% if execute %}
{{ compile_segment_splits(
    var('segment_definitions', none) or model.config.meta.get('segments'), ref('segment_membership')
) }}
{% else %}
select customer_id, segment, '' as split_group, false as is_holdout, since from {{ ref('segment_membership') }}
{% endif %}

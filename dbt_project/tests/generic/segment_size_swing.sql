{#- Warns when a segment's membership changed by more than `max_swing_pct` percent of its previous
    size in the latest build: a sudden swing usually means broken upstream data, not real behaviour.
    Returns one row per offending segment. New segments (previous size 0) never fail. -#}
{% test segment_size_swing(model, membership, max_swing_pct) %}
with latest_changes as (
    select segment,
           count(*) filter (where change = 'entered') as entered,
           count(*) filter (where change = 'left') as left_count
    from {{ model }}
    where changed_at = (select max(changed_at) from {{ model }})
    group by segment
),

sizes as (
    select segment, count(*) as members from {{ membership }} group by segment
)

select c.segment, coalesce(s.members, 0) - c.entered + c.left_count as previous_members,
       c.entered, c.left_count
from latest_changes as c
left join sizes as s using (segment)
where coalesce(s.members, 0) - c.entered + c.left_count > 0
  and (c.entered + c.left_count) * 100.0 / (coalesce(s.members, 0) - c.entered + c.left_count) > {{ max_swing_pct }}
{% endtest %}

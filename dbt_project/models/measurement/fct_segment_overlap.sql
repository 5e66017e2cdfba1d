-- How current segments overlap: one row per ordered pair of segments (a segment with itself
-- included), with both sizes, the members they share, the share of segment_a also in segment_b
-- and the Jaccard index.
with membership as (
    select
        customer_id,
        segment
    from {{ ref('segment_membership') }}
),

sizes as (
    select
        segment,
        count(*) as members
    from membership
    group by segment
),

shared as (
    select
        left_member.segment as segment_a,
        right_member.segment as segment_b,
        count(*) as shared_members
    from membership as left_member
    inner join membership as right_member using (customer_id)
    group by all
)

select
    size_a.segment as segment_a,
    size_b.segment as segment_b,
    cast(size_a.members as bigint) as members_a,
    cast(size_b.members as bigint) as members_b,
    cast(coalesce(shared.shared_members, 0) as bigint) as shared_members,
    cast(coalesce(shared.shared_members, 0) / size_a.members as double) as share_of_a_in_b,
    cast(
        coalesce(shared.shared_members, 0)
        / (size_a.members + size_b.members - coalesce(shared.shared_members, 0)) as double
    ) as jaccard
from sizes as size_a
cross join sizes as size_b
left join shared on shared.segment_a = size_a.segment and shared.segment_b = size_b.segment

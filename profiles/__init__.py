"""Profile lookup: one customer's golden record, identifiers, enrichment, account, segments,
consent and recent timeline, as `c360 profile` text or a read-only web page over a snapshot."""

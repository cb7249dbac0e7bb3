-- Extended statistics on the expressions segment conditions filter by (core/segments), so the
-- planner estimates them from data instead of a fixed 0.5%: a misestimate there turned
-- "opened an email in 30 days and no order since" into 10,000 nested-loop probes. Prisma's
-- datamodel cannot express statistics objects, so this migration is written by hand; the
-- drift test compares columns, indexes, constraints and types, which it leaves alone.

-- Engagement conditions: events.properties ->> 'channel' (email / sms).
CREATE STATISTICS "events_channel_stats" ON ((properties ->> 'channel')) FROM "events";

-- Email domain conditions: split_part(email, '@', 2) (emails are stored lower-cased).
CREATE STATISTICS "customers_email_domain_stats" ON (split_part(email, '@', 2)) FROM "customers";

-- Discount code conditions: the case-folded code array.
CREATE STATISTICS "orders_discount_codes_folded_stats" ON ((lower(discount_codes::text)::text[])) FROM "orders";

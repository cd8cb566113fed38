-- The time zone the account pages show dates in (issue 17 item 10): an IANA name such as
-- 'Europe/Berlin', checked against chrono-tz's database before it is stored. NULL: none chosen, the
-- browser's zone (the `assent_tz` cookie set by /static/tz.js) or else UTC is used.
ALTER TABLE users ADD COLUMN time_zone TEXT;

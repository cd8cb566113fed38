-- Failure and sign-up limits shared by every instance on one PostgreSQL database (with SQLite, one
-- process, the counters stay in memory and this table stays empty). One row per counted key, e.g.
-- `signin:account:ann@example.com`; a row whose window ended counts from zero again.
CREATE TABLE limit_counters (
    counter_key TEXT PRIMARY KEY NOT NULL,
    window_ends BIGINT NOT NULL,
    attempts    INTEGER NOT NULL
);
CREATE INDEX limit_counters_window_ends ON limit_counters(window_ends);

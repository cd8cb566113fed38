-- A consent form is decided once: the id of each decided pending consent, kept until the form
-- would have expired anyway (its sealed `shown_at` plus the form's lifetime).
CREATE TABLE decided_consents (
    id         TEXT PRIMARY KEY NOT NULL,          -- the pending consent's random id
    expires_at BIGINT NOT NULL
);
CREATE INDEX decided_consents_expires ON decided_consents(expires_at);

-- Assent schema. Times are Unix seconds (BIGINT, UTC); ids are random positive 63-bit integers made by
-- the application, so inserts never need RETURNING and both backends behave alike.

-- Facts about this installation, e.g. the check value that detects a wrong server key.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id                  BIGINT PRIMARY KEY NOT NULL,
    lid                 TEXT NOT NULL UNIQUE,      -- 16 lower-case hex digits, the same for every app
    email               TEXT NOT NULL UNIQUE,      -- stored lower-cased
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL,             -- argon2id PHC string
    created_at          BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           BIGINT PRIMARY KEY NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,             -- hex SHA-256 of the cookie's random token
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE applications (
    id                    BIGINT PRIMARY KEY NOT NULL,
    appid                 TEXT NOT NULL UNIQUE,    -- 16 upper-case hex digits; also the OAuth client_id
    name                  TEXT NOT NULL,
    secret_sealed         TEXT NOT NULL,           -- AES-256-GCM under the server key, base64(nonce||ct)
    old_secret_sealed     TEXT,                    -- rollover: still valid until old_secret_expires_at
    old_secret_expires_at BIGINT,
    privacy_url           TEXT,
    is_public             BOOLEAN NOT NULL DEFAULT FALSE, -- OAuth public client (PKCE required, no secret)
    created_at            BIGINT NOT NULL
);

CREATE TABLE app_return_urls (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,               -- 0 is the default return URL
    url            TEXT NOT NULL,
    PRIMARY KEY (application_id, position)
);

CREATE TABLE resource_providers (
    id           BIGINT PRIMARY KEY NOT NULL,
    rp_id        TEXT NOT NULL UNIQUE,             -- public identifier (HTTP Basic user name)
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,                    -- hex SHA-256 of a 256-bit random secret
    custom_types BOOLEAN NOT NULL DEFAULT FALSE,   -- owns <Type>.Read|Write|Full for unregistered types
    created_at   BIGINT NOT NULL
);

CREATE TABLE offers (
    id       BIGINT PRIMARY KEY NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES resource_providers(id) ON DELETE CASCADE,
    name     TEXT NOT NULL UNIQUE                  -- e.g. Contacts
);

CREATE TABLE offer_actions (
    offer_id    BIGINT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    action      TEXT NOT NULL,                     -- e.g. Read, Write, Full, View
    description TEXT NOT NULL,
    grantable   BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (offer_id, action)
);

-- One consent decision (or OAuth code exchange) starts a family; its refresh tokens rotate inside it.
CREATE TABLE token_families (
    id             BIGINT PRIMARY KEY NOT NULL,    -- the `gid` claim
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    protocol       TEXT NOT NULL,                  -- 'live' or 'oauth'
    resource       TEXT,                           -- the `in` value, when the consent is limited to one
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT NOT NULL,
    revoked_at     BIGINT,
    revoked_reason TEXT
);
CREATE INDEX token_families_user_app ON token_families(user_id, application_id);

CREATE TABLE grants (
    id             BIGINT PRIMARY KEY NOT NULL,
    family_id      BIGINT NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,
    user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    permission     TEXT NOT NULL,                  -- Offer.Action
    resource       TEXT,
    granted_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    revoked_at     BIGINT
);
CREATE INDEX grants_family ON grants(family_id);
CREATE INDEX grants_user_app ON grants(user_id, application_id);

CREATE TABLE refresh_tokens (
    id          BIGINT PRIMARY KEY NOT NULL,
    family_id   BIGINT NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,              -- hex SHA-256; the token itself is never stored
    generation  INTEGER NOT NULL,
    issued_at   BIGINT NOT NULL,
    consumed_at BIGINT                             -- set when rotated; presenting it again is reuse
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);

CREATE TABLE authorization_codes (
    id                    BIGINT PRIMARY KEY NOT NULL,
    code_hash             TEXT NOT NULL UNIQUE,
    application_id        BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id               BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri          TEXT NOT NULL,
    scope                 TEXT NOT NULL,           -- granted permissions with expiries, JSON
    code_challenge        TEXT,
    code_challenge_method TEXT,
    family_id             BIGINT,                  -- set at exchange, so a replay can revoke it
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    consumed_at           BIGINT
);

CREATE TABLE devices (
    id              BIGINT PRIMARY KEY NOT NULL,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    manufacturer_id TEXT NOT NULL,
    device_type     TEXT,
    created_at      BIGINT NOT NULL,
    UNIQUE (user_id, manufacturer_id)
);

CREATE TABLE device_tokens (
    id         BIGINT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,               -- hex SHA-256 of the UUID handed to the client
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id  BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX device_tokens_user ON device_tokens(user_id);

CREATE TABLE signing_keys (
    id             BIGINT PRIMARY KEY NOT NULL,
    kid            TEXT NOT NULL UNIQUE,
    public_key     TEXT NOT NULL,                  -- base64url of the 32-byte Ed25519 public key
    private_sealed TEXT NOT NULL,                  -- PKCS#8, sealed with the server key
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT                          -- set when a newer key becomes current
);

CREATE TABLE audit_events (
    id             BIGINT PRIMARY KEY NOT NULL,
    at             BIGINT NOT NULL,
    kind           TEXT NOT NULL,                  -- grant, refresh, revoke, reuse_detected, ...
    user_id        BIGINT REFERENCES users(id) ON DELETE CASCADE,
    application_id BIGINT REFERENCES applications(id) ON DELETE CASCADE,
    family_id      BIGINT,
    detail         TEXT NOT NULL                   -- human-readable, never a secret
);
CREATE INDEX audit_events_user_at ON audit_events(user_id, at);

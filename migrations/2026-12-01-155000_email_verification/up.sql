-- Verified email addresses (issue 15 item 6). `email_verified_at` is when the user opened a
-- verification (or password-reset) link sent to the address; NULL: not verified. Accounts made
-- before this migration were never verified and start as NULL.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;

-- Emailed links: `purpose` 'verify' (confirm the address) or 'reset' (choose a new password).
-- Only the SHA-256 of the link's random token is kept; a token is deleted when it is used (in
-- the transaction of its effect), and `email` is the address it was sent to (a verification
-- counts only while the account still has that address).
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX email_tokens_user_id ON email_tokens(user_id);
CREATE INDEX email_tokens_expires_at ON email_tokens(expires_at);

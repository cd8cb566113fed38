ALTER TABLE token_families DROP COLUMN requested_scope;
ALTER TABLE authorization_codes DROP COLUMN requested_scope;

-- What an OAuth authorization request asked for (space-separated), so that a refresh naming a
-- permission the user declined at consent answers with the granted subset, while a permission
-- never requested stays invalid_scope. NULL for Live families and for rows made before.
ALTER TABLE authorization_codes ADD COLUMN requested_scope TEXT;
ALTER TABLE token_families ADD COLUMN requested_scope TEXT;

-- Up Migration
-- When the account's email was proven by a login code sent to it. An email typed at
-- registration is unproven until then.
ALTER TABLE users ADD COLUMN email_verified_at bigint;

-- Down Migration
ALTER TABLE users DROP COLUMN email_verified_at;

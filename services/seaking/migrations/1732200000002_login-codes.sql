-- Up Migration
-- The current one-time login code of an email address: stored as an HMAC, single use,
-- with a limited number of attempts. Asking again replaces it.
CREATE TABLE login_codes (
  email      text PRIMARY KEY,
  code_hash  bytea NOT NULL,
  sent_at    bigint NOT NULL,
  expires_at bigint NOT NULL,
  attempts   integer NOT NULL DEFAULT 0,
  used_at    bigint
);

-- Down Migration
DROP TABLE login_codes;

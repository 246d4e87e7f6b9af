-- Up Migration
-- Old sessions, spent refresh tokens and login codes are pruned periodically: by time.
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX spent_refresh_tokens_spent ON spent_refresh_tokens (spent_at);
CREATE INDEX spent_refresh_tokens_session ON spent_refresh_tokens (session_id);
CREATE INDEX login_codes_expires ON login_codes (expires_at);

-- Down Migration
DROP INDEX sessions_expires, sessions_revoked, spent_refresh_tokens_spent, spent_refresh_tokens_session, login_codes_expires;

-- Up Migration
CREATE TABLE groups (
  group_id        text PRIMARY KEY,
  name            text NOT NULL,
  owner_id        text NOT NULL REFERENCES users (user_id),
  conversation_id text NOT NULL UNIQUE REFERENCES conversations (conversation_id),
  announcement    text NOT NULL DEFAULT '',
  created_at      bigint NOT NULL,
  dissolved_at    bigint
);

-- Down Migration
DROP TABLE groups;

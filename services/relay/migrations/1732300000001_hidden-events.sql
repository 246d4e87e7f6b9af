-- Up Migration
-- "Delete for me": events a member hid from their own view. Sync, search, unread counts and
-- the last event leave them out for that member only.
CREATE TABLE hidden_events (
  conversation_id text NOT NULL,
  user_id         text NOT NULL,
  seq             bigint NOT NULL,
  hidden_at       bigint NOT NULL,
  PRIMARY KEY (conversation_id, user_id, seq)
);

-- Down Migration
DROP TABLE hidden_events;

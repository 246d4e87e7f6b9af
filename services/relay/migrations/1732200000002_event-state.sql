-- Up Migration
-- The current state of an event: an edit replaces what readers see (the stored content
-- stays as first written, since the id is computed over it).
ALTER TABLE events ADD COLUMN current_content text;

-- One row per (event, user, emoji); aggregated into `reactions` when events are read.
CREATE TABLE reactions (
  conversation_id text NOT NULL,
  target_seq      bigint NOT NULL,
  user_id         text NOT NULL,
  emoji           text NOT NULL,
  created_at      bigint NOT NULL,
  PRIMARY KEY (conversation_id, target_seq, user_id, emoji)
);

-- Down Migration
DROP TABLE reactions;
ALTER TABLE events DROP COLUMN current_content;

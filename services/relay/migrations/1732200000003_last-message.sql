-- Up Migration
-- The newest message (kind 1, 3 or 13) of each conversation, kept beside the counter so a
-- user's conversations can be ordered by activity without reading their events.
ALTER TABLE conversation_seqs
  ADD COLUMN last_message_seq bigint NOT NULL DEFAULT 0,
  ADD COLUMN last_message_at  bigint NOT NULL DEFAULT 0;

UPDATE conversation_seqs s
   SET last_message_seq = m.seq, last_message_at = m.created_at
  FROM (SELECT DISTINCT ON (conversation_id) conversation_id, seq, created_at
          FROM events WHERE kind IN (1, 3, 13)
         ORDER BY conversation_id, seq DESC) m
 WHERE m.conversation_id = s.conversation_id;

-- Down Migration
ALTER TABLE conversation_seqs DROP COLUMN last_message_seq, DROP COLUMN last_message_at;

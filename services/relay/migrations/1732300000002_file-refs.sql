-- Up Migration
-- Which file events name which uploaded file (the file id of their `url` tag): a member
-- may download a file sent in their conversation after they joined. Written with the
-- event; a revoke deletes it.
CREATE TABLE file_refs (
  conversation_id text NOT NULL,
  file_id         text NOT NULL,
  seq             bigint NOT NULL,
  PRIMARY KEY (conversation_id, file_id, seq)
);

-- Down Migration
DROP TABLE file_refs;

-- Up Migration
-- A member's read watermark per conversation; it only moves forward.
CREATE TABLE read_receipts (
  conversation_id text NOT NULL,
  user_id         text NOT NULL,
  read_seq        bigint NOT NULL,
  updated_at      bigint NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);

-- Down Migration
DROP TABLE read_receipts;

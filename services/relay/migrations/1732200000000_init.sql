-- Up Migration
-- Every table is keyed by conversation_id first, so the store can later be partitioned or
-- distributed by conversation without changing a query.

-- The per-conversation counter. Incrementing it takes the row lock that serialises
-- writers of one conversation, which is what makes seq gap-free and in commit order.
CREATE TABLE conversation_seqs (
  conversation_id text PRIMARY KEY,
  max_seq         bigint NOT NULL,
  -- created_at of the newest event; never goes backwards, so time order is seq order
  -- even when writers' clocks disagree.
  last_event_at   bigint NOT NULL
);

CREATE TABLE events (
  conversation_id text NOT NULL,
  seq             bigint NOT NULL,
  id              text NOT NULL,
  sender_id       text NOT NULL,
  kind            integer NOT NULL,
  content         text NOT NULL,
  tags            jsonb NOT NULL,
  cid             text NOT NULL,
  created_at      bigint NOT NULL,
  edited_at       bigint,
  revoked_at      bigint,
  PRIMARY KEY (conversation_id, seq)
);
-- Idempotency: one event per sender and client id.
CREATE UNIQUE INDEX events_sender_cid_key ON events (sender_id, cid);
CREATE UNIQUE INDEX events_id_key ON events (id);

-- Down Migration
DROP TABLE events, conversation_seqs;

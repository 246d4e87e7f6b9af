-- Up Migration
-- The events table, hash-partitioned by conversation: every query that names a
-- conversation reads one partition, and the same layout distributes by conversation_id on
-- Citus. A unique key of a partitioned table must include the partition key, so the two
-- lookups that do not name a conversation move to tables of their own, written in the
-- same statement as the event:
--   event_cids: (sender_id, cid) → the event, for idempotency per sender (distributable by
--               sender_id); it carries what an ack needs (id, seq, time), so answering a
--               resend reads no partition;
--   event_ids:  id → the event, for targets and forwarded sources named by id.
CREATE TABLE event_cids (
  sender_id       text NOT NULL,
  cid             text NOT NULL,
  conversation_id text NOT NULL,
  seq             bigint NOT NULL,
  id              text NOT NULL,
  created_at      bigint NOT NULL,
  PRIMARY KEY (sender_id, cid)
);

CREATE TABLE event_ids (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL,
  seq             bigint NOT NULL
);

INSERT INTO event_cids (sender_id, cid, conversation_id, seq, id, created_at) SELECT sender_id, cid, conversation_id, seq, id, created_at FROM events;
INSERT INTO event_ids (id, conversation_id, seq) SELECT id, conversation_id, seq FROM events;

ALTER TABLE events RENAME TO events_unpartitioned;
ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;

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
  current_content text,
  PRIMARY KEY (conversation_id, seq)
) PARTITION BY HASH (conversation_id);

DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format('CREATE TABLE events_p%s PARTITION OF events FOR VALUES WITH (MODULUS 16, REMAINDER %s)', lpad(i::text, 2, '0'), i);
  END LOOP;
END $$;

INSERT INTO events (conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at, edited_at, revoked_at, current_content)
SELECT conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at, edited_at, revoked_at, current_content FROM events_unpartitioned;

DROP TABLE events_unpartitioned;
ANALYZE events, event_cids, event_ids;

-- Down Migration
ALTER TABLE events RENAME TO events_partitioned;
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
  current_content text,
  PRIMARY KEY (conversation_id, seq)
);
INSERT INTO events SELECT conversation_id, seq, id, sender_id, kind, content, tags, cid, created_at, edited_at, revoked_at, current_content FROM events_partitioned;
DROP TABLE events_partitioned;
CREATE UNIQUE INDEX events_sender_cid_key ON events (sender_id, cid);
CREATE UNIQUE INDEX events_id_key ON events (id);
DROP TABLE event_ids, event_cids;

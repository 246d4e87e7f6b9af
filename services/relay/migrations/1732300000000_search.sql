-- Up Migration
-- Message search. One row per searchable event (text, file): its normalised text (NFKC,
-- lower case, computed by the relay so that no database locale matters) and its index keys.
-- Filled by the statement that stores the event; a revoke deletes the row, an edit
-- rewrites it. sender, kind and time are copied so that a search filters and orders here
-- and reads events only for the page it returns.
CREATE TABLE search_docs (
  conversation_id text NOT NULL,
  seq             bigint NOT NULL,
  sender_id       text NOT NULL,
  kind            integer NOT NULL,
  created_at      bigint NOT NULL,
  body            text NOT NULL,
  -- The index keys: every three consecutive UTF-8 bytes of body, hashed together with the
  -- conversation (see search/text.ts), so that a search probes, per conversation it reads,
  -- lists of that conversation's documents only.
  grams           integer[] NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX search_docs_grams ON search_docs USING gin (grams);

-- The index keys of a normalised text in a conversation, as the relay computes them
-- (services/relay/src/search/text.ts: conversationHash, grams, keysOf); for backfills and
-- benchmarks that write rows in SQL: search_keys(search_conversation_hash(id), body).
CREATE FUNCTION search_conversation_hash(conversation_id text) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT ((get_byte(h, 0)::bigint << 24) | (get_byte(h, 1) << 16) | (get_byte(h, 2) << 8) | get_byte(h, 3)) & 1073741823
      FROM (SELECT sha256(convert_to(conversation_id, 'UTF8')) AS h) s
  $$;

CREATE FUNCTION search_keys(conversation_hash bigint, body text) RETURNS integer[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT COALESCE(array_agg(DISTINCT (CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END)::integer), '{}')
      FROM (SELECT (conversation_hash * 2654435761
                    + ((get_byte(b, i) << 16) | (get_byte(b, i + 1) << 8) | get_byte(b, i + 2))::bigint * 2246822519) & 4294967295 AS u
              FROM (SELECT convert_to(body, 'UTF8') AS b) s, generate_series(0, length(s.b) - 3) AS i) k
  $$;

-- Down Migration
DROP FUNCTION search_keys(bigint, text);
DROP FUNCTION search_conversation_hash(text);
DROP TABLE search_docs;

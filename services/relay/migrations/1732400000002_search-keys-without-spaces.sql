-- Up Migration
-- Index keys no longer include runs of three bytes that hold ASCII whitespace (about two
-- keys in five of Latin text; see search/text.ts grams()). Documents written before keep
-- their extra keys: a query's keys are still a subset of theirs, so they are found as before.
CREATE OR REPLACE FUNCTION search_keys(conversation_hash bigint, body text) RETURNS integer[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT COALESCE(array_agg(DISTINCT (CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END)::integer), '{}')
      FROM (SELECT (conversation_hash * 2654435761
                    + ((get_byte(b, i) << 16) | (get_byte(b, i + 1) << 8) | get_byte(b, i + 2))::bigint * 2246822519) & 4294967295 AS u
              FROM (SELECT convert_to(body, 'UTF8') AS b) s, generate_series(0, length(s.b) - 3) AS i
             WHERE get_byte(b, i) NOT IN (9, 10, 11, 12, 13, 32)
               AND get_byte(b, i + 1) NOT IN (9, 10, 11, 12, 13, 32)
               AND get_byte(b, i + 2) NOT IN (9, 10, 11, 12, 13, 32)) k
  $$;

-- Down Migration
CREATE OR REPLACE FUNCTION search_keys(conversation_hash bigint, body text) RETURNS integer[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT COALESCE(array_agg(DISTINCT (CASE WHEN u >= 2147483648 THEN u - 4294967296 ELSE u END)::integer), '{}')
      FROM (SELECT (conversation_hash * 2654435761
                    + ((get_byte(b, i) << 16) | (get_byte(b, i + 1) << 8) | get_byte(b, i + 2))::bigint * 2246822519) & 4294967295 AS u
              FROM (SELECT convert_to(body, 'UTF8') AS b) s, generate_series(0, length(s.b) - 3) AS i) k
  $$;

-- Up Migration
-- Each author's newest moment that others may see (any visibility but private). The timeline
-- reads one row here per friend instead of probing the moments index for each. Kept by the
-- statements that post and delete moments: a post raises it in the same statement; a delete
-- locks the row first, then sets it from what is left, so a post racing the delete waits.
CREATE TABLE moment_heads (
  user_id    text PRIMARY KEY REFERENCES users (user_id),
  created_at bigint NOT NULL,
  moment_id  text NOT NULL
);
INSERT INTO moment_heads (user_id, created_at, moment_id)
SELECT DISTINCT ON (user_id) user_id, created_at, moment_id FROM moments
 WHERE visibility <> 'private'
 ORDER BY user_id, created_at DESC, moment_id DESC;

-- Down Migration
DROP TABLE moment_heads;

-- Up Migration
-- Uploaded files: who uploaded what, and the daily quota's bookkeeping. The bytes are in
-- the gateway's file store under the file id. A row is `pending` while its bytes stream
-- in, `stored` once complete; an upload that fails or is refused is deleted.
CREATE TABLE files (
  file_id    text PRIMARY KEY,
  owner_id   text NOT NULL REFERENCES users (user_id),
  name       text NOT NULL,
  mime       text NOT NULL,
  size       bigint,
  sha256     text,
  status     text NOT NULL CHECK (status IN ('pending', 'stored')),
  created_at bigint NOT NULL
);
-- The quota counts a user's uploads of the current day.
CREATE INDEX files_owner_created ON files (owner_id, created_at);

-- Down Migration
DROP TABLE files;

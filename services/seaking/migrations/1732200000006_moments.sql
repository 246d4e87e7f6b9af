-- Up Migration
-- Moments (contract 5). Who may see a moment is never stored: it follows, at query time,
-- from its visibility and the current friendships and blocks, so ending a friendship or
-- placing a block changes what both sides see at once.
CREATE TABLE moments (
  moment_id     text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (user_id),
  content       text NOT NULL,
  images        text[] NOT NULL DEFAULT '{}',
  location_name text,
  location_lat  double precision,
  location_lng  double precision,
  visibility    text NOT NULL CHECK (visibility IN ('public', 'friends', 'private')),
  created_at    bigint NOT NULL,
  CHECK ((location_name IS NULL) = (location_lat IS NULL) AND (location_lat IS NULL) = (location_lng IS NULL))
);
-- Serves every read: one author's moments newest first, from any cursor. The timeline walks
-- one range of it per friend; the user page walks one range.
CREATE INDEX moments_author_time ON moments (user_id, created_at DESC, moment_id DESC);

-- `n` breaks ties between likes made in the same millisecond, in the order they were made.
CREATE TABLE moment_likes (
  moment_id  text NOT NULL REFERENCES moments (moment_id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users (user_id),
  created_at bigint NOT NULL,
  n          bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (moment_id, user_id)
);
CREATE INDEX moment_likes_order ON moment_likes (moment_id, created_at, n);
-- A block removes the two users' likes on each other's moments.
CREATE INDEX moment_likes_user ON moment_likes (user_id);

-- A reply keeps the comment and the user it answered even after that comment is deleted,
-- so there is no foreign key on reply_to_comment_id.
CREATE TABLE moment_comments (
  comment_id          text PRIMARY KEY,
  moment_id           text NOT NULL REFERENCES moments (moment_id) ON DELETE CASCADE,
  user_id             text NOT NULL REFERENCES users (user_id),
  content             text NOT NULL,
  reply_to_comment_id text,
  reply_to_user_id    text REFERENCES users (user_id),
  created_at          bigint NOT NULL,
  n                   bigint GENERATED ALWAYS AS IDENTITY,
  CHECK ((reply_to_comment_id IS NULL) = (reply_to_user_id IS NULL))
);
CREATE INDEX moment_comments_order ON moment_comments (moment_id, created_at, n);
CREATE INDEX moment_comments_user ON moment_comments (user_id);

-- Down Migration
DROP TABLE moment_comments, moment_likes, moments;

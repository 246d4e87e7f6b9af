-- Up Migration
CREATE TABLE users (
  user_id       text PRIMARY KEY,
  username      text NOT NULL,
  nickname      text NOT NULL,
  avatar        text NOT NULL DEFAULT '',
  phone         text,
  email         text,
  password_hash text,
  created_at    bigint NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;
-- Prefix search on username and nickname.
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);
CREATE INDEX users_nickname_prefix ON users (lower(nickname) text_pattern_ops);

-- One row per signed-in device. The refresh token is stored hashed; spent ones are kept so
-- that presenting one again is recognised as theft and revokes the session.
CREATE TABLE sessions (
  session_id   text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (user_id),
  device_id    text NOT NULL,
  platform     text NOT NULL,
  refresh_hash bytea NOT NULL,
  created_at   bigint NOT NULL,
  refreshed_at bigint NOT NULL,
  expires_at   bigint NOT NULL,
  revoked_at   bigint
);
CREATE UNIQUE INDEX sessions_refresh_key ON sessions (refresh_hash);
CREATE INDEX sessions_user_device ON sessions (user_id, device_id) WHERE revoked_at IS NULL;

CREATE TABLE spent_refresh_tokens (
  refresh_hash bytea PRIMARY KEY,
  session_id   text NOT NULL REFERENCES sessions (session_id),
  spent_at     bigint NOT NULL
);

CREATE TABLE friend_requests (
  request_id   text PRIMARY KEY,
  from_user_id text NOT NULL REFERENCES users (user_id),
  to_user_id   text NOT NULL REFERENCES users (user_id),
  message      text NOT NULL DEFAULT '',
  status       text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL
);
CREATE UNIQUE INDEX friend_requests_pending_key ON friend_requests (from_user_id, to_user_id) WHERE status = 'pending';
CREATE INDEX friend_requests_incoming ON friend_requests (to_user_id, created_at) WHERE status = 'pending';

-- Friendship is stored in both directions so each side keeps its own remark.
CREATE TABLE friendships (
  user_id   text NOT NULL REFERENCES users (user_id),
  friend_id text NOT NULL REFERENCES users (user_id),
  remark    text NOT NULL DEFAULT '',
  since     bigint NOT NULL,
  PRIMARY KEY (user_id, friend_id)
);

CREATE TABLE blocks (
  user_id    text NOT NULL REFERENCES users (user_id),
  blocked_id text NOT NULL REFERENCES users (user_id),
  created_at bigint NOT NULL,
  PRIMARY KEY (user_id, blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);

CREATE TABLE conversations (
  conversation_id text PRIMARY KEY,
  type            text NOT NULL CHECK (type IN ('single', 'group')),
  -- "a|b" with the two user ids sorted: one single conversation per pair.
  pair_key        text UNIQUE,
  group_id        text,
  created_at      bigint NOT NULL
);

CREATE TABLE conversation_members (
  conversation_id text NOT NULL REFERENCES conversations (conversation_id),
  user_id         text NOT NULL REFERENCES users (user_id),
  role            text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
  joined_at       bigint NOT NULL,
  -- The conversation's max_seq when the member joined: they read only events above it.
  join_seq        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);

-- Down Migration
DROP TABLE conversation_members, conversations, blocks, friendships, friend_requests, spent_refresh_tokens, sessions, users;

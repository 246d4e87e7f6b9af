-- Up Migration
-- A member's own preferences for a conversation: pinned ones list first, muted ones are not
-- pushed to devices by push integrations. They go with the membership: a member who leaves
-- and comes back starts afresh.
ALTER TABLE conversation_members
  ADD COLUMN pinned boolean NOT NULL DEFAULT false,
  ADD COLUMN muted  boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE conversation_members DROP COLUMN pinned, DROP COLUMN muted;

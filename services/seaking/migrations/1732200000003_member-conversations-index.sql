-- Up Migration
-- A user's conversations are read a page at a time in conversation_id order.
CREATE INDEX conversation_members_user_conversation ON conversation_members (user_id, conversation_id);
DROP INDEX conversation_members_user;

-- Down Migration
CREATE INDEX conversation_members_user ON conversation_members (user_id);
DROP INDEX conversation_members_user_conversation;

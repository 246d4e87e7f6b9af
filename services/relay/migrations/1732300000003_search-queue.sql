-- Up Migration
-- Events whose search document is to be written (or rewritten, or dropped): a stored text
-- or file, an edited or revoked one. The statement that stores an event adds only this
-- small row; a background indexer in the relay computes the document from the event's
-- current state and updates search_docs and its key index in batches, off the ack path.
-- Searches compare queued events directly, so an acknowledged message is found at once.
CREATE TABLE search_queue (
  conversation_id text NOT NULL,
  seq             bigint NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);

-- Down Migration
DROP TABLE search_queue;

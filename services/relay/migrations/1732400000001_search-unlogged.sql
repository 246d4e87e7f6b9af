-- Up Migration
-- The search index is derived data: everything in it can be computed again from the events.
-- Its tables become unlogged, so that writing it adds nothing to the write-ahead log that
-- every store's commit must flush: the queue row a store adds and the documents and keys the
-- indexer writes cost the commit no disk time. PostgreSQL empties unlogged tables after a
-- crash (and a promoted standby has them empty); search_index_present, unlogged too, is
-- emptied with them, and an indexer that finds it empty queues every searchable event again
-- and sets it (search/indexer.ts). Until the queue is worked off, searches read it.
ALTER TABLE search_queue SET UNLOGGED;
ALTER TABLE search_docs SET UNLOGGED;
CREATE UNLOGGED TABLE search_index_present (present boolean PRIMARY KEY CHECK (present));
INSERT INTO search_index_present VALUES (true);

-- Down Migration
DROP TABLE search_index_present;
ALTER TABLE search_docs SET LOGGED;
ALTER TABLE search_queue SET LOGGED;

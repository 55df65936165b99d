-- v0005: what keeps `registry query` and the web catalog's pages fast on a large catalog (10,000
-- versions, 100,000 objects): two indexes and a running total of the objects.

-- Every version summary lists the version's aliases; without this index each summary scanned the
-- whole aliases table, so a query answering 5,000 versions read it 5,000 times.
CREATE INDEX aliases_by_version ON aliases(version_id);

-- The last `gc` and `fsck.run` events (the store page) and the distinct actions (the events
-- page's filter), without reading every event.
CREATE INDEX events_by_action ON events(action, id);

-- The number and bytes of the objects the catalog knows, kept by the triggers below so the store
-- page reads one row instead of summing every object. Exactly one row, id 1.
CREATE TABLE object_totals (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  objects      INTEGER NOT NULL,
  size         INTEGER NOT NULL,            -- uncompressed bytes
  stored_size  INTEGER NOT NULL             -- bytes on disk
);
INSERT INTO object_totals (id, objects, size, stored_size)
  SELECT 1, COUNT(*), COALESCE(SUM(size), 0), COALESCE(SUM(stored_size), 0) FROM objects;

-- AFTER triggers fire only for rows written: an `INSERT ... ON CONFLICT DO NOTHING` of an object
-- already known counts nothing.
CREATE TRIGGER object_totals_insert AFTER INSERT ON objects BEGIN
  UPDATE object_totals
  SET objects = objects + 1, size = size + NEW.size, stored_size = stored_size + NEW.stored_size WHERE id = 1;
END;
CREATE TRIGGER object_totals_delete AFTER DELETE ON objects BEGIN
  UPDATE object_totals
  SET objects = objects - 1, size = size - OLD.size, stored_size = stored_size - OLD.stored_size WHERE id = 1;
END;
CREATE TRIGGER object_totals_update AFTER UPDATE OF size, stored_size ON objects BEGIN
  UPDATE object_totals
  SET size = size - OLD.size + NEW.size, stored_size = stored_size - OLD.stored_size + NEW.stored_size WHERE id = 1;
END;

-- v0001: the catalog's first schema. Append-only: never edit after merge; add v0002_*.sql instead.
-- Times are ISO 8601 UTC text ("2026-11-27T02:41:05.123Z"). Digests are "sha256:<hex>" text.
-- 64-bit unsigned hashes (fingerprints) are decimal text, since SQLite integers are signed.

-- A named model; versions are numbered 1, 2, 3 within it.
CREATE TABLE models (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  created_at  TEXT NOT NULL
);

-- One pushed version. Immutable once inserted, except removed_at (set by `rm`).
CREATE TABLE versions (
  id             INTEGER PRIMARY KEY,
  model_id       INTEGER NOT NULL REFERENCES models(id),
  number         INTEGER NOT NULL,
  created_at     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  source_path    TEXT,
  message        TEXT,
  manifest       TEXT NOT NULL,             -- digest of the manifest object
  file_count     INTEGER NOT NULL,
  logical_bytes  INTEGER NOT NULL,          -- sum of file sizes
  new_objects    INTEGER NOT NULL,          -- objects this push added to the store
  new_bytes      INTEGER NOT NULL,          -- uncompressed bytes of those objects
  stored_bytes   INTEGER NOT NULL,          -- on-disk bytes of those objects
  parent_id      INTEGER REFERENCES versions(id),
  removed_at     TEXT,
  UNIQUE (model_id, number)
);
CREATE INDEX versions_by_manifest ON versions(manifest);
CREATE INDEX versions_by_parent ON versions(parent_id);

-- Every stored object the catalog knows of.
CREATE TABLE objects (
  digest          TEXT PRIMARY KEY,
  size            INTEGER NOT NULL,         -- uncompressed
  stored_size     INTEGER NOT NULL,         -- on disk, header included
  encoding        TEXT NOT NULL,            -- identity | zlib
  hash_algorithm  TEXT NOT NULL,            -- sha256
  created_at      TEXT NOT NULL
) WITHOUT ROWID;

-- The files and directories of each version (the manifest, as rows).
CREATE TABLE files (
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  path        TEXT NOT NULL,
  kind        TEXT NOT NULL,                -- file | directory
  mode        INTEGER NOT NULL,
  size        INTEGER,
  sha256      TEXT,
  PRIMARY KEY (version_id, path)
) WITHOUT ROWID;
CREATE INDEX files_by_sha256 ON files(sha256);

-- The ordered objects that rebuild each file.
CREATE TABLE file_objects (
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  path        TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  offset      INTEGER NOT NULL,             -- byte offset of this object in the file
  digest      TEXT NOT NULL,
  size        INTEGER NOT NULL,
  PRIMARY KEY (version_id, path, seq)
) WITHOUT ROWID;
CREATE INDEX file_objects_by_digest ON file_objects(digest);

-- Tensors of the variables bundle. `digest` is the object holding the whole tensor when it is
-- one object; NULL when it was split into blocks or is empty (see file_objects for its range).
CREATE TABLE tensors (
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  name        TEXT NOT NULL,
  dtype       TEXT NOT NULL,                -- DT_FLOAT, ...
  shape       TEXT NOT NULL,                -- JSON array
  crc32c      INTEGER NOT NULL,             -- unmasked
  shard       INTEGER NOT NULL,
  offset      INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  digest      TEXT,
  PRIMARY KEY (version_id, name)
) WITHOUT ROWID;
CREATE INDEX tensors_by_digest ON tensors(digest);
CREATE INDEX tensors_by_name ON tensors(name);

-- Meta graphs (tag sets) of each version.
CREATE TABLE meta_graphs (
  version_id          INTEGER NOT NULL REFERENCES versions(id),
  position            INTEGER NOT NULL,
  tags                TEXT NOT NULL,        -- JSON array
  tensorflow_version  TEXT NOT NULL,
  PRIMARY KEY (version_id, position)
) WITHOUT ROWID;

-- Signatures of each meta graph, and their inputs and outputs.
CREATE TABLE signatures (
  version_id   INTEGER NOT NULL REFERENCES versions(id),
  meta_graph   INTEGER NOT NULL,
  key          TEXT NOT NULL,
  method_name  TEXT NOT NULL,
  PRIMARY KEY (version_id, meta_graph, key)
) WITHOUT ROWID;

CREATE TABLE signature_tensors (
  version_id   INTEGER NOT NULL REFERENCES versions(id),
  meta_graph   INTEGER NOT NULL,
  signature    TEXT NOT NULL,
  direction    TEXT NOT NULL,               -- input | output
  name         TEXT NOT NULL,
  tensor_name  TEXT NOT NULL,
  dtype        TEXT NOT NULL,
  shape        TEXT,                        -- JSON array with -1 for unknown dims; NULL = unknown rank
  PRIMARY KEY (version_id, meta_graph, signature, direction, name)
) WITHOUT ROWID;
CREATE INDEX signature_tensors_by_dtype ON signature_tensors(dtype);

-- The op types each version's graphs use.
CREATE TABLE ops (
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  op          TEXT NOT NULL,
  PRIMARY KEY (version_id, op)
) WITHOUT ROWID;
CREATE INDEX ops_by_op ON ops(op);

-- fingerprint.pb as stored, and whether it agreed with the files at push time.
CREATE TABLE fingerprints (
  version_id               INTEGER PRIMARY KEY REFERENCES versions(id),
  producer                 INTEGER NOT NULL,
  saved_model_checksum     TEXT NOT NULL,
  graph_def_program_hash   TEXT NOT NULL,
  signature_def_hash       TEXT NOT NULL,
  saved_object_graph_hash  TEXT NOT NULL,
  checkpoint_hash          TEXT NOT NULL,
  uuid                     TEXT NOT NULL,
  status                   TEXT NOT NULL    -- consistent | mismatch
);
CREATE INDEX fingerprints_by_checkpoint ON fingerprints(checkpoint_hash);

-- Free-form KEY=VALUE metadata per version.
CREATE TABLE metadata (
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (version_id, key)
) WITHOUT ROWID;
CREATE INDEX metadata_by_key_value ON metadata(key, value);

-- Movable names for versions: NAME@ALIAS.
CREATE TABLE aliases (
  model_id    INTEGER NOT NULL REFERENCES models(id),
  name        TEXT NOT NULL,
  version_id  INTEGER NOT NULL REFERENCES versions(id),
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (model_id, name)
) WITHOUT ROWID;

-- Pushes in flight: the garbage collector keeps what an unexpired lease may need.
CREATE TABLE leases (
  id          TEXT PRIMARY KEY,
  purpose     TEXT NOT NULL,
  holder      TEXT NOT NULL,                -- user@host pid
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
) WITHOUT ROWID;

-- Who did what, when.
CREATE TABLE events (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,                   -- push, alias.set, rm, gc, ...
  model    TEXT,
  version  INTEGER,
  detail   TEXT NOT NULL                    -- JSON object
);
CREATE INDEX events_by_model ON events(model, id);

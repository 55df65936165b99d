-- v0002: store-wide settings, such as the saved garbage-collection policy.
CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;

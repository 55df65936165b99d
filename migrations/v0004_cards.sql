-- Model cards (issue 16): one Markdown card per version, stored as an object in the store; the
-- catalog records which object is the version's card, so gc keeps it and fsck checks it.
CREATE TABLE cards (
  version_id  INTEGER PRIMARY KEY REFERENCES versions(id),
  digest      TEXT NOT NULL,                -- the Markdown object
  size        INTEGER NOT NULL,             -- bytes of Markdown
  updated_at  TEXT NOT NULL,
  updated_by  TEXT NOT NULL
);
CREATE INDEX cards_by_digest ON cards(digest);

-- One row the health check rewrites through the writer: the cheapest write that proves the database takes writes
-- (not locked by another process past the busy timeout, not read-only, not gone).
CREATE TABLE health_probe (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
) STRICT;

INSERT INTO health_probe (id, checked_at) VALUES (1, 0);

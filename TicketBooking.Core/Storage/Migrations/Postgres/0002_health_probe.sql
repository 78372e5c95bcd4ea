-- See Sqlite/0002_health_probe.sql.
CREATE TABLE health_probe (
    id         BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    checked_at BIGINT NOT NULL
);

INSERT INTO health_probe (id, checked_at) VALUES (1, 0);

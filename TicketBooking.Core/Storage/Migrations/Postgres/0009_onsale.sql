-- See Sqlite/0009_onsale.sql.
ALTER TABLE concerts ADD COLUMN on_sale_at BIGINT;

CREATE TABLE queue_entries (
    id                   TEXT    NOT NULL PRIMARY KEY,
    concert_id           TEXT    NOT NULL REFERENCES concerts (id),
    buyer_id             TEXT    NOT NULL,
    arrived_at           BIGINT  NOT NULL,
    seq                  BIGINT,
    state                TEXT    NOT NULL CHECK (state IN ('waiting', 'admitted', 'done', 'lapsed')),
    admitted_at          BIGINT,
    admission_expires_at BIGINT,
    ended_at             BIGINT,
    CHECK ((state = 'waiting') = (admitted_at IS NULL))
);

CREATE UNIQUE INDEX queue_one_live_entry ON queue_entries (concert_id, buyer_id) WHERE state IN ('waiting', 'admitted');
CREATE UNIQUE INDEX queue_line ON queue_entries (concert_id, seq);
CREATE INDEX queue_waiting ON queue_entries (concert_id, seq) WHERE state = 'waiting';
CREATE INDEX queue_by_buyer ON queue_entries (concert_id, buyer_id, state);
CREATE INDEX queue_by_state ON queue_entries (concert_id, state);
CREATE INDEX queue_admissions ON queue_entries (concert_id, admitted_at) WHERE admitted_at IS NOT NULL;

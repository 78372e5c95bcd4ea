-- On-sale day (docs/architecture.md, "The on-sale and its waiting room"). A concert may go on sale at a set time (unix ms; NULL = on sale now).
ALTER TABLE concerts ADD COLUMN on_sale_at INTEGER;

-- The waiting room: one row per time a buyer gets in line for a concert. `seq` is the place in line: NULL for those
-- who came before the sale opened until the shuffle at on_sale_at gives them 1..n in a random order; later arrivals
-- take the next number. Admission runs in seq order, so the waiting entries ahead of one are exactly those between the
-- highest seq admitted and its own. A buyer who booked, released or let an admission lapse may get in line again: a new
-- row at the back. The state is all here, so a restart loses no place and no admission.
CREATE TABLE queue_entries (
    id                   TEXT    NOT NULL PRIMARY KEY,
    concert_id           TEXT    NOT NULL REFERENCES concerts (id),
    buyer_id             TEXT    NOT NULL,
    arrived_at           INTEGER NOT NULL,
    seq                  INTEGER,
    state                TEXT    NOT NULL CHECK (state IN ('waiting', 'admitted', 'done', 'lapsed')),
    admitted_at          INTEGER,
    admission_expires_at INTEGER,
    ended_at             INTEGER,
    CHECK ((state = 'waiting') = (admitted_at IS NULL))
) STRICT;

-- Never two live places for one buyer, never two entries on one place.
CREATE UNIQUE INDEX queue_one_live_entry ON queue_entries (concert_id, buyer_id) WHERE state IN ('waiting', 'admitted');
CREATE UNIQUE INDEX queue_line ON queue_entries (concert_id, seq);
CREATE INDEX queue_waiting ON queue_entries (concert_id, seq) WHERE state = 'waiting';
-- A buyer's entries (their place, the end of their turn at a booking or release) and the admitted set's size.
CREATE INDEX queue_by_buyer ON queue_entries (concert_id, buyer_id, state);
CREATE INDEX queue_by_state ON queue_entries (concert_id, state);
CREATE INDEX queue_admissions ON queue_entries (concert_id, admitted_at) WHERE admitted_at IS NOT NULL;

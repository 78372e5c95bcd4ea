-- Reserved seating (docs/architecture.md, "Reserved seating"). A reserved tier is a set of seat rows; its capacity, held and sold stay the counts of
-- those seats, kept in the same transactions as today, so every availability rule applies unchanged.
ALTER TABLE tiers ADD COLUMN kind TEXT NOT NULL DEFAULT 'general' CHECK (kind IN ('general', 'reserved'));

-- What a ticket says on paper, kept after a cancellation. Two live tickets for one seat cannot exist: the index refuses it.
ALTER TABLE tickets ADD COLUMN seat_label TEXT;

CREATE UNIQUE INDEX tickets_one_per_seat ON tickets (concert_id, seat_label) WHERE seat_label IS NOT NULL AND status <> 'cancelled';

-- One row per seat. Who holds it (held_by: the buyer whose hold row for this tier has it) and which ticket sold it are
-- columns of that one row, so a second hold or sale of a seat has nowhere to go: writers take a seat with one
-- conditional UPDATE (free, or already this buyer's) whose row count must equal the request, and the trigger below
-- refuses any write that would hand a held or sold seat to someone else.
CREATE TABLE seats (
    concert_id   TEXT    NOT NULL REFERENCES concerts (id),
    label        TEXT    NOT NULL,
    tier_id      INTEGER NOT NULL REFERENCES tiers (id),
    section      TEXT    NOT NULL,
    row          TEXT    NOT NULL,
    number       INTEGER NOT NULL,
    x            REAL    NOT NULL,
    y            REAL    NOT NULL,
    accessible   INTEGER NOT NULL DEFAULT 0 CHECK (accessible IN (0, 1)),
    not_for_sale INTEGER NOT NULL DEFAULT 0 CHECK (not_for_sale IN (0, 1)),
    held_by      TEXT,
    ticket_id    TEXT    REFERENCES tickets (id),
    -- The concert's availability version in which this seat last changed, for `?since=` deltas.
    version      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (concert_id, label),
    UNIQUE (concert_id, section, row, number),
    CHECK (held_by IS NULL OR ticket_id IS NULL),
    CHECK (not_for_sale = 0 OR (held_by IS NULL AND ticket_id IS NULL))
) STRICT, WITHOUT ROWID;

CREATE INDEX seats_by_holder ON seats (held_by, concert_id, tier_id) WHERE held_by IS NOT NULL;
CREATE INDEX seats_by_version ON seats (concert_id, version);
CREATE INDEX seats_by_ticket ON seats (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE TRIGGER seats_never_taken_twice BEFORE UPDATE OF held_by, ticket_id ON seats
WHEN (OLD.held_by IS NOT NULL AND NEW.held_by IS NOT NULL AND NEW.held_by <> OLD.held_by)
  OR (OLD.ticket_id IS NOT NULL AND NEW.ticket_id IS NOT NULL AND NEW.ticket_id <> OLD.ticket_id)
BEGIN
    SELECT RAISE(ABORT, 'seat is already held or sold');
END;

-- Whatever ends a hold row (expiry, release, a replaced checkout, a booking) frees its seats in the same transaction;
-- no code path can forget. The version is the one this transaction publishes (it bumps the concert's by one).
CREATE TRIGGER holds_free_seats AFTER DELETE ON holds
BEGIN
    UPDATE seats SET held_by = NULL, version = (SELECT availability_version + 1 FROM concerts WHERE id = OLD.concert_id)
    WHERE held_by = OLD.buyer_id AND concert_id = OLD.concert_id AND tier_id = OLD.tier_id;
END;

-- A cancelled ticket gives back exactly its seat.
CREATE TRIGGER tickets_free_seat AFTER UPDATE OF status ON tickets
WHEN NEW.status = 'cancelled' AND NEW.seat_label IS NOT NULL
BEGIN
    UPDATE seats SET ticket_id = NULL, version = (SELECT availability_version + 1 FROM concerts WHERE id = NEW.concert_id)
    WHERE ticket_id = NEW.id;
END;

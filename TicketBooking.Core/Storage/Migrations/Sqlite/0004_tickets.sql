-- Tickets (docs/architecture.md, "Tickets and check-in"): one per seat of a confirmed booking, each with the code its QR carries.

-- code: 128 random bits as 32 upper-case hex digits. Random rather than signed: a door needs the database anyway to admit a
-- ticket once, a random code can be revoked by its row alone, and there is no signing key to keep or rotate. Upper-case
-- hex fits a QR code's alphanumeric mode (version 2, 25×25 modules) and is easy to type. The code is never derived from
-- an id. status: 'valid' until admitted at the door ('checkedIn', with when and at which door) or cancelled.
CREATE TABLE tickets (
    id            TEXT    NOT NULL PRIMARY KEY,
    booking_id    TEXT    NOT NULL REFERENCES bookings (id),
    concert_id    TEXT    NOT NULL REFERENCES concerts (id),
    tier_id       INTEGER NOT NULL REFERENCES tiers (id),
    -- The ticket's place in its booking (1, 2, …), for a stable order on the page and on paper.
    position      INTEGER NOT NULL CHECK (position > 0),
    code          TEXT    NOT NULL UNIQUE CHECK (length(code) = 32),
    status        TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'checkedIn', 'cancelled')),
    checked_in_at INTEGER,
    door          TEXT,
    cancelled_at  INTEGER,
    UNIQUE (booking_id, position),
    CHECK ((status = 'checkedIn') = (checked_in_at IS NOT NULL))
) STRICT;

-- Admitted and sold per tier for the door and the dashboard.
CREATE INDEX tickets_by_concert ON tickets (concert_id, tier_id, status);

-- Bookings made before this version get their tickets now: one per seat of each item, in tier order.
INSERT INTO tickets (id, booking_id, concert_id, tier_id, position, code)
WITH RECURSIVE seat (booking_id, tier_id, n, quantity) AS (
    SELECT booking_id, tier_id, 1, quantity FROM booking_items
    UNION ALL
    SELECT booking_id, tier_id, n + 1, quantity FROM seat WHERE n < quantity
),
numbered AS (
    SELECT s.booking_id, b.concert_id, s.tier_id,
           row_number() OVER (PARTITION BY s.booking_id ORDER BY t.sort_order, s.n) AS position,
           lower(hex(randomblob(16))) AS raw_id
    FROM seat s
    JOIN bookings b ON b.id = s.booking_id
    JOIN tiers t ON t.id = s.tier_id
)
SELECT substr(raw_id, 1, 8) || '-' || substr(raw_id, 9, 4) || '-' || substr(raw_id, 13, 4) || '-' || substr(raw_id, 17, 4) || '-' || substr(raw_id, 21),
       booking_id, concert_id, tier_id, position, upper(hex(randomblob(16)))
FROM numbered;

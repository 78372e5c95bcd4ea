-- See Sqlite/0004_tickets.sql.
CREATE TABLE tickets (
    id            TEXT    NOT NULL PRIMARY KEY,
    booking_id    TEXT    NOT NULL REFERENCES bookings (id),
    concert_id    TEXT    NOT NULL REFERENCES concerts (id),
    tier_id       BIGINT  NOT NULL REFERENCES tiers (id),
    position      BIGINT  NOT NULL CHECK (position > 0),
    code          TEXT    NOT NULL UNIQUE CHECK (length(code) = 32),
    status        TEXT    NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'checkedIn', 'cancelled')),
    checked_in_at BIGINT,
    door          TEXT,
    cancelled_at  BIGINT,
    UNIQUE (booking_id, position),
    CHECK ((status = 'checkedIn') = (checked_in_at IS NOT NULL))
);

CREATE INDEX tickets_by_concert ON tickets (concert_id, tier_id, status);

INSERT INTO tickets (id, booking_id, concert_id, tier_id, position, code)
WITH RECURSIVE seat (booking_id, tier_id, n, quantity) AS (
    SELECT booking_id, tier_id, 1::bigint, quantity FROM booking_items
    UNION ALL
    SELECT booking_id, tier_id, n + 1, quantity FROM seat WHERE n < quantity
)
SELECT gen_random_uuid()::text, s.booking_id, b.concert_id, s.tier_id,
       row_number() OVER (PARTITION BY s.booking_id ORDER BY t.sort_order, s.n),
       upper(replace(gen_random_uuid()::text, '-', ''))
FROM seat s
JOIN bookings b ON b.id = s.booking_id
JOIN tiers t ON t.id = s.tier_id;

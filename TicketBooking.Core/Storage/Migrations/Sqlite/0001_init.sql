-- Times are INTEGER Unix milliseconds (UTC); money is INTEGER cents (USD); ids are TEXT Guids.

CREATE TABLE concerts (
    id                   TEXT    NOT NULL PRIMARY KEY,
    name                 TEXT    NOT NULL,
    artist               TEXT    NOT NULL,
    venue                TEXT    NOT NULL,
    city                 TEXT    NOT NULL,
    time_zone            TEXT    NOT NULL,
    starts_at            INTEGER NOT NULL,
    description          TEXT    NOT NULL DEFAULT '',
    -- Bumped in every transaction that changes this concert's availability, so snapshots can be ordered.
    availability_version INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL
) STRICT;

CREATE INDEX concerts_by_start ON concerts (starts_at);

CREATE TABLE tiers (
    id          INTEGER NOT NULL PRIMARY KEY,
    concert_id  TEXT    NOT NULL REFERENCES concerts (id),
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
    capacity    INTEGER NOT NULL CHECK (capacity >= 0),
    sold        INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0),
    -- Sum of the quantities of the hold rows that still exist for this tier, expired or not.
    -- Writers reclaim expired rows before they would refuse a request, so sold + held never
    -- exceeds capacity and a hold stops counting exactly at its expires_at.
    held        INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    -- Sum of booking_items.quantity * unit_price_cents for this tier, kept with sold.
    revenue_cents INTEGER NOT NULL DEFAULT 0 CHECK (revenue_cents >= 0),
    sort_order  INTEGER NOT NULL,
    UNIQUE (concert_id, code),
    CHECK (sold + held <= capacity)
) STRICT;

-- One row per buyer, concert and tier; the rows of one checkout share hold_id and their times.
CREATE TABLE holds (
    buyer_id         TEXT    NOT NULL,
    concert_id       TEXT    NOT NULL REFERENCES concerts (id),
    tier_id          INTEGER NOT NULL REFERENCES tiers (id),
    hold_id          TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    PRIMARY KEY (buyer_id, concert_id, tier_id)
) STRICT, WITHOUT ROWID;

-- Reclaiming and discounting expired holds of one concert.
CREATE INDEX holds_by_concert_expiry ON holds (concert_id, expires_at, tier_id, quantity);

CREATE TABLE bookings (
    id          TEXT    NOT NULL PRIMARY KEY,
    reference   TEXT    NOT NULL UNIQUE,
    buyer_id    TEXT    NOT NULL,
    concert_id  TEXT    NOT NULL REFERENCES concerts (id),
    -- A checkout can become at most one booking.
    hold_id     TEXT    NOT NULL UNIQUE,
    buyer_name  TEXT    NOT NULL,
    buyer_email TEXT    NOT NULL,
    total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
    status      TEXT    NOT NULL CHECK (status IN ('confirmed')),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX bookings_by_buyer ON bookings (buyer_id, created_at);
CREATE INDEX bookings_by_concert ON bookings (concert_id);

CREATE TABLE booking_items (
    booking_id       TEXT    NOT NULL REFERENCES bookings (id),
    tier_id          INTEGER NOT NULL REFERENCES tiers (id),
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (booking_id, tier_id)
) STRICT, WITHOUT ROWID;

-- Every payment attempt. 'pending' is written before the gateway is called, so a crash between
-- charge and booking leaves a row that start-up recovery voids.
CREATE TABLE payments (
    id                TEXT    NOT NULL PRIMARY KEY,
    buyer_id          TEXT    NOT NULL,
    concert_id        TEXT    NOT NULL REFERENCES concerts (id),
    hold_id           TEXT    NOT NULL,
    amount_cents      INTEGER NOT NULL CHECK (amount_cents >= 0),
    card_last4        TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN
                          ('pending', 'approved', 'declined', 'insufficient_funds', 'invalid_card', 'voiding', 'voided')),
    gateway_charge_id TEXT,
    booking_id        TEXT    REFERENCES bookings (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CHECK ((status = 'approved') = (booking_id IS NOT NULL))
) STRICT;

CREATE INDEX payments_by_status ON payments (status) WHERE status IN ('pending', 'voiding');

CREATE TABLE idempotency_keys (
    buyer_id     TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    payment_id   TEXT    NOT NULL,
    -- NULL while the request is in flight; then the outcome it gave, replayed for a repeat.
    outcome      TEXT,
    booking_id   TEXT    REFERENCES bookings (id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (buyer_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

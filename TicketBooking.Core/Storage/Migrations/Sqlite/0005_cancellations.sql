-- Cancellations and refunds (docs/architecture.md, "Cancellation and refunds"). A booking's status is read from its tickets (all cancelled: cancelled; some:
-- partially cancelled), so it can never disagree with them; bookings.status stays 'confirmed' (paid).

ALTER TABLE bookings ADD COLUMN refunded_cents INTEGER NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0);

-- A ticket being refunded: claimed by the refund in the same transaction that records it, so a second cancellation
-- or a door scan cannot take it meanwhile. Cleared again if the refund fails.
ALTER TABLE tickets ADD COLUMN refund_id TEXT;

CREATE INDEX tickets_by_refund ON tickets (refund_id) WHERE refund_id IS NOT NULL;

-- Every refund asked of the gateway. 'pending' is written before the gateway is called (with this id as its idempotency
-- key), so a crash in between is finished at start-up without refunding twice.
CREATE TABLE refunds (
    id                TEXT    NOT NULL PRIMARY KEY,
    booking_id        TEXT    NOT NULL REFERENCES bookings (id),
    charge_id         TEXT    NOT NULL,
    amount_cents      INTEGER NOT NULL CHECK (amount_cents >= 0),
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    by_organizer      INTEGER NOT NULL CHECK (by_organizer IN (0, 1)),
    gateway_refund_id TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE INDEX refunds_by_booking ON refunds (booking_id);
CREATE INDEX refunds_pending ON refunds (status) WHERE status = 'pending';

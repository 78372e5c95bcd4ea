-- See Sqlite/0005_cancellations.sql.
ALTER TABLE bookings ADD COLUMN refunded_cents BIGINT NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0);

ALTER TABLE tickets ADD COLUMN refund_id TEXT;

CREATE INDEX tickets_by_refund ON tickets (refund_id) WHERE refund_id IS NOT NULL;

CREATE TABLE refunds (
    id                TEXT    NOT NULL PRIMARY KEY,
    booking_id        TEXT    NOT NULL REFERENCES bookings (id),
    charge_id         TEXT    NOT NULL,
    amount_cents      BIGINT  NOT NULL CHECK (amount_cents >= 0),
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    by_organizer      BIGINT  NOT NULL CHECK (by_organizer IN (0, 1)),
    gateway_refund_id TEXT,
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

CREATE INDEX refunds_by_booking ON refunds (booking_id);
CREATE INDEX refunds_pending ON refunds (status) WHERE status = 'pending';

-- See Sqlite/0003_fair_use.sql.
ALTER TABLE holds ADD COLUMN client TEXT;

CREATE INDEX holds_by_client ON holds (client, concert_id, expires_at) WHERE client IS NOT NULL;

CREATE INDEX payments_by_hold ON payments (hold_id, status);
CREATE INDEX payments_by_buyer ON payments (buyer_id, concert_id, updated_at);
CREATE INDEX payments_by_age ON payments (updated_at) WHERE status IN ('declined', 'insufficient_funds', 'invalid_card');

CREATE TABLE organizer_sessions (
    id           BYTEA   NOT NULL PRIMARY KEY,
    password_tag BYTEA   NOT NULL,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    client       TEXT    NOT NULL
);

CREATE INDEX organizer_sessions_by_expiry ON organizer_sessions (expires_at);

CREATE TABLE booking_access (
    buyer_id   TEXT    NOT NULL,
    booking_id TEXT    NOT NULL REFERENCES bookings (id),
    granted_at BIGINT  NOT NULL,
    PRIMARY KEY (buyer_id, booking_id)
);

CREATE TABLE data_protection_keys (
    name       TEXT    NOT NULL PRIMARY KEY,
    xml        TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE app_secrets (
    name  TEXT  NOT NULL PRIMARY KEY,
    value BYTEA NOT NULL CHECK (octet_length(value) >= 32)
);

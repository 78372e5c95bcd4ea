-- Abuse resistance (docs/architecture.md, "Fair use"): who holds from where, server-side organizer sessions, the Data Protection
-- key ring in the database, and a secret for keyed fingerprints.

-- The client address (IPv4, or an IPv6 /64) a hold was placed from, so one address cannot hold a whole tier
-- through many fresh identities. NULL for holds placed before this version or by in-process callers.
ALTER TABLE holds ADD COLUMN client TEXT;

CREATE INDEX holds_by_client ON holds (client, concert_id, expires_at) WHERE client IS NOT NULL;

-- A payment already under way for a checkout; recent declines of a buyer (the wait after a few of them); the purge of
-- old failed attempts.
CREATE INDEX payments_by_hold ON payments (hold_id, status);
CREATE INDEX payments_by_buyer ON payments (buyer_id, concert_id, updated_at);
CREATE INDEX payments_by_age ON payments (updated_at) WHERE status IN ('declined', 'insufficient_funds', 'invalid_card');

-- A signed-in organizer. The cookie carries a random token; only its SHA-256 is stored, so a copy of the
-- database gives no live session. password_tag = HMAC-SHA256(token, password): when the configured password
-- changes, every session's tag stops matching and the session ends.
CREATE TABLE organizer_sessions (
    id           BLOB    NOT NULL PRIMARY KEY,
    password_tag BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    client       TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX organizer_sessions_by_expiry ON organizer_sessions (expires_at);

-- "Find my booking": a browser that proved reference and e-mail may see the booking too; the buyer who booked keeps it.
CREATE TABLE booking_access (
    buyer_id   TEXT    NOT NULL,
    booking_id TEXT    NOT NULL REFERENCES bookings (id),
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (buyer_id, booking_id)
) STRICT, WITHOUT ROWID;

-- ASP.NET Core Data Protection's key ring: buyer cookies stay readable across restarts and redeploys.
CREATE TABLE data_protection_keys (
    name       TEXT    NOT NULL PRIMARY KEY,
    xml        TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Server secrets, each made once per database from RandomNumberGenerator (AppSecrets.cs).
CREATE TABLE app_secrets (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL CHECK (length(value) >= 32)
) STRICT;

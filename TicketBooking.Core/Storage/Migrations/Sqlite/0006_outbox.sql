-- E-mail outbox (docs/architecture.md, "The features and the homes of their rules"): each message is written in the same transaction as what it tells of (a booking, a
-- cancellation), so a crash can lose neither; a sender delivers it afterwards, with retries. id doubles as the delivered
-- message's identity (the .eml file's name, the Message-ID), so a delivery repeated after a crash is the same message.
CREATE TABLE outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    kind            TEXT    NOT NULL,
    recipient_name  TEXT    NOT NULL,
    recipient_email TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    -- Plain text; "{base}" stands for the app's public address (Email:LinkBase), filled in when sent.
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
) STRICT;

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;

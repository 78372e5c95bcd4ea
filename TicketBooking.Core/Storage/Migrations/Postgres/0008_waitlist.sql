-- See Sqlite/0008_waitlist.sql.
CREATE TABLE waitlist (
    id               TEXT    NOT NULL PRIMARY KEY,
    concert_id       TEXT    NOT NULL REFERENCES concerts (id),
    tier_id          BIGINT  NOT NULL REFERENCES tiers (id),
    buyer_id         TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    email_key        TEXT    NOT NULL,
    quantity         BIGINT  NOT NULL CHECK (quantity > 0),
    seq              BIGINT  NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('waiting', 'offered', 'expired', 'converted', 'left')),
    leave_token      TEXT    NOT NULL,
    created_at       BIGINT  NOT NULL,
    offered_at       BIGINT,
    offer_expires_at BIGINT,
    ended_at         BIGINT
);

CREATE UNIQUE INDEX waitlist_one_active_entry ON waitlist (tier_id, buyer_id, email_key) WHERE status IN ('waiting', 'offered');
CREATE UNIQUE INDEX waitlist_line ON waitlist (tier_id, seq);
CREATE INDEX waitlist_waiting_by_concert ON waitlist (concert_id, tier_id, seq) WHERE status = 'waiting';
CREATE INDEX waitlist_by_buyer ON waitlist (buyer_id, concert_id);

ALTER TABLE holds ADD COLUMN waitlist_id TEXT;

CREATE FUNCTION holds_offer_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE waitlist SET status = 'expired'
    WHERE id = OLD.waitlist_id AND status = 'offered';
    RETURN OLD;
END $$;

CREATE TRIGGER holds_offer_ended AFTER DELETE ON holds
FOR EACH ROW WHEN (OLD.waitlist_id IS NOT NULL) EXECUTE FUNCTION holds_offer_ended();

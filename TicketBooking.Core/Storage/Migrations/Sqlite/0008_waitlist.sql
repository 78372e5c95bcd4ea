-- Waiting list (docs/architecture.md, "The waiting list"). One row per time a buyer joins a tier's line; its place is `seq` (joined order), so a
-- buyer whose offer ran out and who joins again goes to the end with a new row. Positions are never stored: a waiting
-- entry's position is 1 + the waiting entries of its tier with a smaller seq, so they are always 1..n without gaps.
CREATE TABLE waitlist (
    id               TEXT    NOT NULL PRIMARY KEY,
    concert_id       TEXT    NOT NULL REFERENCES concerts (id),
    tier_id          INTEGER NOT NULL REFERENCES tiers (id),
    buyer_id         TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    -- Lower-cased e-mail: one active entry per buyer, tier and e-mail whatever its spelling.
    email_key        TEXT    NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    seq              INTEGER NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('waiting', 'offered', 'expired', 'converted', 'left')),
    -- Lets the link in the e-mails end the entry from any browser (128 random bits, base64url).
    leave_token      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    offered_at       INTEGER,
    offer_expires_at INTEGER,
    -- When the buyer left or bought (an offer that runs out ends at offer_expires_at).
    ended_at         INTEGER
) STRICT;

CREATE UNIQUE INDEX waitlist_one_active_entry ON waitlist (tier_id, buyer_id, email_key) WHERE status IN ('waiting', 'offered');
CREATE UNIQUE INDEX waitlist_line ON waitlist (tier_id, seq);
CREATE INDEX waitlist_waiting_by_concert ON waitlist (concert_id, tier_id, seq) WHERE status = 'waiting';
CREATE INDEX waitlist_by_buyer ON waitlist (buyer_id, concert_id);

-- An offer is an ordinary hold row in the offered buyer's name that remembers its entry. Seats set aside for the line
-- (returned seats no waiting entry could use yet) are a hold row of the all-zero buyer, whom no cookie can carry.
ALTER TABLE holds ADD COLUMN waitlist_id TEXT;

-- However an offered hold ends without a booking (it ran out, was released or replaced), the offer is over and the
-- entry says so; a booking marks it converted first, so this leaves it alone.
CREATE TRIGGER holds_offer_ended AFTER DELETE ON holds
WHEN OLD.waitlist_id IS NOT NULL
BEGIN
    UPDATE waitlist SET status = 'expired'
    WHERE id = OLD.waitlist_id AND status = 'offered';
END;

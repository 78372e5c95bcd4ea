-- Fairness of the waiting list and the waiting room (issue 34).

-- One active place per buyer and tier, whatever the e-mail: five e-mails no longer make five places (and five offers).
-- Older duplicates leave the line; the one an offer's hold names stays, else the first in line.
WITH ranked AS (
    SELECT w.id AS id,
           ROW_NUMBER() OVER (PARTITION BY w.tier_id, w.buyer_id
                              ORDER BY EXISTS (SELECT 1 FROM holds h WHERE h.waitlist_id = w.id) DESC, w.seq) AS n
    FROM waitlist w
    WHERE w.status IN ('waiting', 'offered'))
UPDATE waitlist SET status = 'left', ended_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE id IN (SELECT id FROM ranked WHERE n > 1);

-- An offer whose hold row no longer names it (another offer merged into the row, or a new checkout reused the row after
-- the offer ran out) holds nothing: it is over.
UPDATE waitlist SET status = 'expired'
WHERE status = 'offered' AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.waitlist_id = waitlist.id);

DROP INDEX waitlist_one_active_entry;
CREATE UNIQUE INDEX waitlist_one_active_entry ON waitlist (tier_id, buyer_id) WHERE status IN ('waiting', 'offered');

-- However an offer's hold row stops naming its entry, the offer is over: with the delete trigger of 0008, no entry is
-- ever 'offered' without the hold that carries it.
CREATE TRIGGER holds_offer_replaced AFTER UPDATE OF waitlist_id ON holds
WHEN OLD.waitlist_id IS NOT NULL AND (NEW.waitlist_id IS NULL OR NEW.waitlist_id <> OLD.waitlist_id)
BEGIN
    UPDATE waitlist SET status = 'expired'
    WHERE id = OLD.waitlist_id AND status = 'offered';
END;

-- The client address a buyer joined from (NULL for in-process callers): an offer holds its tickets from there, so the
-- per-address cap counts them. joined_mail = 1 when the "you're on the list" e-mail went out for this entry: at most one
-- an hour goes to one address, however often somebody joins and leaves with it.
ALTER TABLE waitlist ADD COLUMN client TEXT;
ALTER TABLE waitlist ADD COLUMN joined_mail INTEGER NOT NULL DEFAULT 0;
CREATE INDEX waitlist_by_email ON waitlist (email_key, created_at);

-- The waiting room: the client address of each place (WaitingRoom:PlacesPerAddress), and the time by which an admitted
-- buyer must first hold (WaitingRoom:FirstHoldWindow; NULL once they have held, or for admissions before this version).
-- An admission ends at hold_by if set, else at admission_expires_at.
ALTER TABLE queue_entries ADD COLUMN client TEXT;
ALTER TABLE queue_entries ADD COLUMN hold_by INTEGER;
CREATE INDEX queue_by_client ON queue_entries (concert_id, client) WHERE state IN ('waiting', 'admitted') AND client IS NOT NULL;

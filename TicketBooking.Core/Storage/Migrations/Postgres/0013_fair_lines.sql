-- See Sqlite/0013_fair_lines.sql.
WITH ranked AS (
    SELECT w.id AS id,
           ROW_NUMBER() OVER (PARTITION BY w.tier_id, w.buyer_id
                              ORDER BY EXISTS (SELECT 1 FROM holds h WHERE h.waitlist_id = w.id) DESC, w.seq) AS n
    FROM waitlist w
    WHERE w.status IN ('waiting', 'offered'))
UPDATE waitlist SET status = 'left', ended_at = CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT) WHERE id IN (SELECT id FROM ranked WHERE n > 1);

UPDATE waitlist SET status = 'expired'
WHERE status = 'offered' AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.waitlist_id = waitlist.id);

DROP INDEX waitlist_one_active_entry;
CREATE UNIQUE INDEX waitlist_one_active_entry ON waitlist (tier_id, buyer_id) WHERE status IN ('waiting', 'offered');

CREATE TRIGGER holds_offer_replaced AFTER UPDATE OF waitlist_id ON holds
FOR EACH ROW WHEN (OLD.waitlist_id IS NOT NULL AND NEW.waitlist_id IS DISTINCT FROM OLD.waitlist_id)
EXECUTE FUNCTION holds_offer_ended();

ALTER TABLE waitlist ADD COLUMN client TEXT;
ALTER TABLE waitlist ADD COLUMN joined_mail BIGINT NOT NULL DEFAULT 0;
CREATE INDEX waitlist_by_email ON waitlist (email_key, created_at);

ALTER TABLE queue_entries ADD COLUMN client TEXT;
ALTER TABLE queue_entries ADD COLUMN hold_by BIGINT;
CREATE INDEX queue_by_client ON queue_entries (concert_id, client) WHERE state IN ('waiting', 'admitted') AND client IS NOT NULL;

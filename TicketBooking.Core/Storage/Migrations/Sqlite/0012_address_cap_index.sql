-- The per-address cap (BuyerLimits:MaxHeldTicketsPerAddress) sums the active holds of one address for a concert on
-- every hold, inside the writer's transaction. With quantity in the index that sum reads the index alone (buyer_id is
-- in every index of this WITHOUT ROWID table as part of its key), instead of one table lookup per hold behind the
-- address: the cap's query was a quarter of the writer's time under holds-limited (docs/performance.md).
DROP INDEX holds_by_client;
CREATE INDEX holds_by_client ON holds (client, concert_id, expires_at, quantity) WHERE client IS NOT NULL;

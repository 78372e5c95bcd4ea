-- tiers.held counted every ticket in a hold row of the tier: checkouts (live, or expired and not yet reclaimed),
-- waiting-list offers and tickets set aside for the line. "Held" read as "held by buyers now", which it is not; the
-- name now says what it counts. The exact figures for readers come from TicketBooking.Core/Inventory/Stock.cs.
-- SQLite (3.25+) renames the column in the CHECK constraints as well.
ALTER TABLE tiers RENAME COLUMN held TO in_holds;

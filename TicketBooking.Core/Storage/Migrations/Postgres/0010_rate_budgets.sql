-- The per-client budgets (docs/architecture.md, "Fair use") shared by every instance (TicketBooking.Web's SharedBudgetStore): for each
-- budget and client, the instant (ticks) at which its token bucket is full again. UNLOGGED: a database crash empties
-- it, which only lets clients start with full buckets.
CREATE UNLOGGED TABLE rate_budgets (
    budget  TEXT   NOT NULL,
    client  TEXT   NOT NULL,
    full_at BIGINT NOT NULL,
    PRIMARY KEY (budget, client)
);

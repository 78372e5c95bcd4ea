-- The instance that started a payment (its connections' application_name on PostgreSQL; NULL on SQLite, where there
-- is one process): a payment left pending by an instance that is gone is finished at once by the others, instead of
-- after twice Payments:MaxChargeTime.
ALTER TABLE payments ADD COLUMN owner TEXT;

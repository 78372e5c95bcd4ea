-- See Sqlite/0007_seats.sql; the triggers are the same rules as PL/pgSQL functions.
ALTER TABLE tiers ADD COLUMN kind TEXT NOT NULL DEFAULT 'general' CHECK (kind IN ('general', 'reserved'));

ALTER TABLE tickets ADD COLUMN seat_label TEXT;

CREATE UNIQUE INDEX tickets_one_per_seat ON tickets (concert_id, seat_label) WHERE seat_label IS NOT NULL AND status <> 'cancelled';

CREATE TABLE seats (
    concert_id   TEXT    NOT NULL REFERENCES concerts (id),
    label        TEXT    NOT NULL,
    tier_id      BIGINT  NOT NULL REFERENCES tiers (id),
    section      TEXT    NOT NULL,
    row          TEXT    NOT NULL,
    number       BIGINT  NOT NULL,
    x            DOUBLE PRECISION NOT NULL,
    y            DOUBLE PRECISION NOT NULL,
    accessible   BIGINT  NOT NULL DEFAULT 0 CHECK (accessible IN (0, 1)),
    not_for_sale BIGINT  NOT NULL DEFAULT 0 CHECK (not_for_sale IN (0, 1)),
    held_by      TEXT,
    ticket_id    TEXT    REFERENCES tickets (id),
    version      BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (concert_id, label),
    UNIQUE (concert_id, section, row, number),
    CHECK (held_by IS NULL OR ticket_id IS NULL),
    CHECK (not_for_sale = 0 OR (held_by IS NULL AND ticket_id IS NULL))
);

CREATE INDEX seats_by_holder ON seats (held_by, concert_id, tier_id) WHERE held_by IS NOT NULL;
CREATE INDEX seats_by_version ON seats (concert_id, version);
CREATE INDEX seats_by_ticket ON seats (ticket_id) WHERE ticket_id IS NOT NULL;

CREATE FUNCTION seats_never_taken_twice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (OLD.held_by IS NOT NULL AND NEW.held_by IS NOT NULL AND NEW.held_by <> OLD.held_by)
       OR (OLD.ticket_id IS NOT NULL AND NEW.ticket_id IS NOT NULL AND NEW.ticket_id <> OLD.ticket_id) THEN
        RAISE EXCEPTION 'seat is already held or sold' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER seats_never_taken_twice BEFORE UPDATE OF held_by, ticket_id ON seats
FOR EACH ROW EXECUTE FUNCTION seats_never_taken_twice();

CREATE FUNCTION holds_free_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE seats SET held_by = NULL, version = (SELECT availability_version + 1 FROM concerts WHERE id = OLD.concert_id)
    WHERE held_by = OLD.buyer_id AND concert_id = OLD.concert_id AND tier_id = OLD.tier_id;
    RETURN OLD;
END $$;

CREATE TRIGGER holds_free_seats AFTER DELETE ON holds
FOR EACH ROW EXECUTE FUNCTION holds_free_seats();

CREATE FUNCTION tickets_free_seat() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE seats SET ticket_id = NULL, version = (SELECT availability_version + 1 FROM concerts WHERE id = NEW.concert_id)
    WHERE ticket_id = NEW.id;
    RETURN NEW;
END $$;

CREATE TRIGGER tickets_free_seat AFTER UPDATE OF status ON tickets
FOR EACH ROW WHEN (NEW.status = 'cancelled' AND NEW.seat_label IS NOT NULL) EXECUTE FUNCTION tickets_free_seat();

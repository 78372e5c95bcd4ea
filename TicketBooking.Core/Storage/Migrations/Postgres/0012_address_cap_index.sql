-- See Sqlite/0012_address_cap_index.sql. A heap table keeps no key in its indexes, so buyer_id is included too.
DROP INDEX holds_by_client;
CREATE INDEX holds_by_client ON holds (client, concert_id, expires_at) INCLUDE (buyer_id, quantity) WHERE client IS NOT NULL;

-- call_number_pending: the calls ingest stored whose number roll-ups
-- (call_number_days, what Top 10 reads) are not added yet, one row per
-- stored chunk: its batch and the first and last call id it inserted.
-- Ingest adds the row in the transaction that inserts the calls; the
-- number aggregator (calls.Service.AggregateNumbers) adds those calls to
-- call_number_days and deletes the row in one transaction, so a crash
-- between the two aggregates them later, and never twice (docs/cdr.md,
-- "Number roll-ups off the ingest path").
CREATE TABLE call_number_pending (
    id {{id}},
    batch_id BIGINT NOT NULL,
    first_call_id BIGINT NOT NULL,
    last_call_id BIGINT NOT NULL
);

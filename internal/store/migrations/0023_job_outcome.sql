-- A job's work and its report are committed together; outcome records, in
-- that same transaction, that the work is done ('completed'), so a worker
-- that dies before ending the job leaves a job that recovery completes
-- instead of ending it in error (docs/architecture.md, "Jobs: the record matches the data").
ALTER TABLE jobs ADD COLUMN outcome TEXT NOT NULL DEFAULT '';

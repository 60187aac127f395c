-- call_rollups summed calls per hour and day per company, site and
-- employee. Since the Call Logs read call_scope_rollups and the control
-- panel's summaries read billing_usage, nothing read it, and ingest paid
-- for it with four B-trees a key (docs/cdr.md, "Storage for tens of
-- millions of calls").
DROP TABLE call_rollups;

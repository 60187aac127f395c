-- Periodic maintenance (retention purges, clean-ups). A node runs a task
-- when it wins the conditional UPDATE that moves next_run_at forward, so a
-- task runs once per period however many nodes there are.
CREATE TABLE scheduled_tasks (
    name TEXT NOT NULL PRIMARY KEY,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT NOT NULL DEFAULT 0,
    last_result TEXT NOT NULL DEFAULT ''
);

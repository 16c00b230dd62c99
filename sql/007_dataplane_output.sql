-- Dataplane installer: what the installer printed, so `l` in the cockpit and `installs show` can show it.
-- output: the tail of helm's stdout/stderr for one stage (redacted before it is written).
-- job_log: the tail of the installer Job pod's log (Job runner), read when the Job ends or reports progress.
ALTER TABLE dataplane_task_stages ADD COLUMN output text;
ALTER TABLE dataplane_install_tasks ADD COLUMN job_log text;

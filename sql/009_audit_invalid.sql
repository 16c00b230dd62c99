-- The audit log also records attempts refused as invalid input (validation errors), beside ok, failed and
-- refused (read-only).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_result_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_result_check
  CHECK (result IN ('ok', 'failed', 'refused', 'invalid'));

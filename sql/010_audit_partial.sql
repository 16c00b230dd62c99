-- An action that changed part of what it was asked to (a CSV import with failed rows) is recorded as
-- `partial`, beside ok, failed, refused and invalid.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_result_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_result_check
  CHECK (result IN ('ok', 'partial', 'failed', 'refused', 'invalid'));

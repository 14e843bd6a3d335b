-- Rollback of migration 2 (dropping the column drops its index).
ALTER TABLE ai_coach_messages DROP COLUMN langfuse_trace_id;

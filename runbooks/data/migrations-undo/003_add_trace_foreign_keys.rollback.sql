-- Rollback of migration 3.
ALTER TABLE ai_coach_messages DROP CONSTRAINT ai_coach_messages_trace_fk;

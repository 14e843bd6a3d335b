-- Migration 3: foreign keys last, once both sides exist.
ALTER TABLE ai_coach_messages
  ADD CONSTRAINT ai_coach_messages_trace_fk
  FOREIGN KEY (langfuse_trace_id) REFERENCES langfuse_traces (trace_id) ON DELETE SET NULL;

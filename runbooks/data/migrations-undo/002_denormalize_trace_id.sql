-- Migration 2: each coach message keeps the id of its trace (denormalized for the dashboard).
ALTER TABLE ai_coach_messages ADD COLUMN langfuse_trace_id uuid;
CREATE INDEX idx_ai_coach_messages_trace ON ai_coach_messages (langfuse_trace_id);

-- Migration 1: the trace tables (langfuse_traces first: the others reference it).
CREATE TABLE langfuse_traces (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trace_id uuid NOT NULL UNIQUE,
  entity_type text NOT NULL CHECK (entity_type IN ('ai_coach_message', 'daily_status', 'reflection')),
  entity_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
  input text NOT NULL,
  output text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_langfuse_traces_entity ON langfuse_traces (entity_type, entity_id);
CREATE INDEX idx_langfuse_traces_user_id ON langfuse_traces (user_id);

CREATE TABLE langfuse_scores (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  trace_id uuid NOT NULL REFERENCES langfuse_traces (trace_id) ON DELETE CASCADE,
  score_name text NOT NULL,
  value numeric NOT NULL CHECK (value IN (0, 1)),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX idx_langfuse_scores_trace_id ON langfuse_scores (trace_id);

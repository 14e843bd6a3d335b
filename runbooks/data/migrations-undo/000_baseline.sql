-- The application as it is before the migrations: users and the coach's messages, with rows.
-- (In production this already exists; the example runbook creates it in its throwaway cluster.)
CREATE TABLE app_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL UNIQUE
);
CREATE TABLE ai_coach_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES app_users (id) ON DELETE CASCADE,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO app_users (email) VALUES ('a@example.org'), ('b@example.org');
INSERT INTO ai_coach_messages (user_id, body)
SELECT id, 'hello ' || email FROM app_users;

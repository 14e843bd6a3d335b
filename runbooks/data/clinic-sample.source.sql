CREATE DATABASE clinic;
\c clinic
CREATE SEQUENCE facility_num START 1;
CREATE TABLE d_facility (
  id bigint PRIMARY KEY,
  facility_id varchar(64) NOT NULL UNIQUE,
  facility_name text NOT NULL,
  zip_code varchar(8),
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE d_users (
  id bigserial PRIMARY KEY,
  facility_id bigint NOT NULL REFERENCES d_facility(id),
  user_id varchar(128) NOT NULL UNIQUE,
  common_name text NOT NULL,
  email text,
  member_type varchar(16) NOT NULL DEFAULT 'FACILITY_USER' CHECK (member_type IN ('FACILITY_USER','ADMIN','ASP_MEMBER'))
);
CREATE TABLE d_roles (
  id bigserial PRIMARY KEY,
  user_pk bigint NOT NULL REFERENCES d_users(id) ON DELETE CASCADE,
  c_role varchar(32) NOT NULL
);
CREATE INDEX d_roles_user_idx ON d_roles(user_pk);
CREATE TYPE sex AS ENUM ('M', 'F', 'O');
CREATE TABLE d_patient (
  id bigserial PRIMARY KEY,
  facility_id bigint NOT NULL REFERENCES d_facility(id),
  patient_id varchar(32) NOT NULL,
  full_name text NOT NULL,
  kana_name text,
  sex sex NOT NULL,
  birthday date,
  memo text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (facility_id, patient_id)
);
CREATE INDEX d_patient_kana_idx ON d_patient(kana_name);
CREATE TABLE d_audit_event (
  id bigserial PRIMARY KEY,
  event_time timestamptz NOT NULL DEFAULT now(),
  actor varchar(128),
  action varchar(64) NOT NULL,
  payload jsonb
);
CREATE TABLE d_factor2_credential (
  id bigserial PRIMARY KEY,
  user_pk bigint NOT NULL REFERENCES d_users(id),
  credential_type varchar(16) NOT NULL,
  secret_hash bytea,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
CREATE TRIGGER d_patient_touch BEFORE UPDATE ON d_patient FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE FUNCTION patient_count(fac bigint) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM d_patient WHERE facility_id = fac;
END;
CREATE VIEW v_facility_summary AS
  SELECT f.facility_id, f.facility_name, count(p.id) AS patients
  FROM d_facility f LEFT JOIN d_patient p ON p.facility_id = f.id
  GROUP BY f.facility_id, f.facility_name;
ALTER TABLE d_patient ENABLE ROW LEVEL SECURITY;
CREATE POLICY patient_facility_isolation ON d_patient
  USING (facility_id::text = current_setting('app.facility', true) OR current_setting('app.facility', true) IS NULL);
COMMENT ON TABLE d_audit_event IS 'Audit trail; rows are append-only. ''Quoted'' text and a backslash \ here.';

INSERT INTO d_facility (id, facility_id, facility_name, zip_code, registered_at) VALUES
  (nextval('facility_num'), '1.3.6.1.4.1.9414.72.101', '東京メディカルクリニック', '100-0001', '2024-04-01 09:00:00+09'),
  (nextval('facility_num'), '1.3.6.1.4.1.9414.72.102', 'Osaka Family Practice', '530-0001', '2024-05-01 09:00:00+09'),
  (nextval('facility_num'), '1.3.6.1.4.1.9414.72.103', 'Sapporo "North" Clinic', NULL, '2024-06-01 09:00:00+09');
INSERT INTO d_users (facility_id, user_id, common_name, email, member_type)
SELECT 1 + (g % 3), format('1.3.6.1.4.1.9414.72.%s:user%02s', 101 + (g % 3), g), format('User %s', g),
       CASE WHEN g % 4 = 0 THEN NULL ELSE format('user%s@example.invalid', g) END,
       CASE WHEN g = 1 THEN 'ADMIN' ELSE 'FACILITY_USER' END
FROM generate_series(1, 12) g;
INSERT INTO d_roles (user_pk, c_role) SELECT id, CASE WHEN member_type = 'ADMIN' THEN 'admin' ELSE 'user' END FROM d_users;
INSERT INTO d_patient (facility_id, patient_id, full_name, kana_name, sex, birthday, memo, updated_at)
SELECT 1 + (g % 3), lpad(g::text, 6, '0'),
       (ARRAY['山田 太郎','佐藤 花子','鈴木 一郎','Zoë O''Brien','Jean-Luc Tab'])[1 + g % 5] || ' ' || g,
       (ARRAY['ヤマダ タロウ','サトウ ハナコ','スズキ イチロウ',NULL,'ジャン'])[1 + g % 5],
       (ARRAY['M','F','O']::sex[])[1 + g % 3],
       date '1950-01-01' + (g * 97) % 25000,
       CASE g % 7 WHEN 0 THEN E'line one\nline two' WHEN 1 THEN E'tab\there' WHEN 2 THEN E'back\\slash' WHEN 3 THEN NULL ELSE 'plain' END,
       timestamptz '2025-01-01 00:00:00+00' + g * interval '1 hour'
FROM generate_series(1, 240) g;
INSERT INTO d_audit_event (event_time, actor, action, payload)
SELECT timestamptz '2025-02-01 00:00:00+00' + g * interval '13 minutes', format('user%s', 1 + g % 12),
       (ARRAY['LOGIN','VIEW_PATIENT','UPDATE_PATIENT','LOGOUT'])[1 + g % 4],
       jsonb_build_object('request', g, 'trace_id', md5(g::text), 'note', E'tab\tand "quotes"')
FROM generate_series(1, 500) g;

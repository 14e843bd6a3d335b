--
-- PostgreSQL database dump
--

\restrict exLGQYo1KkQuq0pobOfhEkiIMs4ZLiOrgY7DzrAsZGbA7LLsrkfDoD7xawibN6b

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: sex; Type: TYPE; Schema: public; Owner: -
--

CREATE TYPE public.sex AS ENUM (
    'M',
    'F',
    'O'
);


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: d_patient; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_patient (
    id bigint NOT NULL,
    facility_id bigint NOT NULL,
    patient_id character varying(32) NOT NULL,
    full_name text NOT NULL,
    kana_name text,
    sex public.sex NOT NULL,
    birthday date,
    memo text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: patient_count(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.patient_count(fac bigint) RETURNS bigint
    LANGUAGE sql STABLE
    BEGIN ATOMIC
 SELECT count(*) AS count
    FROM public.d_patient
   WHERE (d_patient.facility_id = patient_count.fac);
END;


--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;


--
-- Name: d_audit_event; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_audit_event (
    id bigint NOT NULL,
    event_time timestamp with time zone DEFAULT now() NOT NULL,
    actor character varying(128),
    action character varying(64) NOT NULL,
    payload jsonb
);


--
-- Name: TABLE d_audit_event; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.d_audit_event IS 'Audit trail; rows are append-only. ''Quoted'' text and a backslash \ here.';


--
-- Name: d_audit_event_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.d_audit_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: d_audit_event_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.d_audit_event_id_seq OWNED BY public.d_audit_event.id;


--
-- Name: d_facility; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_facility (
    id bigint NOT NULL,
    facility_id character varying(64) NOT NULL,
    facility_name text NOT NULL,
    zip_code character varying(8),
    registered_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: d_factor2_credential; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_factor2_credential (
    id bigint NOT NULL,
    user_pk bigint NOT NULL,
    credential_type character varying(16) NOT NULL,
    secret_hash bytea,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: d_factor2_credential_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.d_factor2_credential_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: d_factor2_credential_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.d_factor2_credential_id_seq OWNED BY public.d_factor2_credential.id;


--
-- Name: d_patient_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.d_patient_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: d_patient_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.d_patient_id_seq OWNED BY public.d_patient.id;


--
-- Name: d_roles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_roles (
    id bigint NOT NULL,
    user_pk bigint NOT NULL,
    c_role character varying(32) NOT NULL
);


--
-- Name: d_roles_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.d_roles_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: d_roles_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.d_roles_id_seq OWNED BY public.d_roles.id;


--
-- Name: d_users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.d_users (
    id bigint NOT NULL,
    facility_id bigint NOT NULL,
    user_id character varying(128) NOT NULL,
    common_name text NOT NULL,
    email text,
    member_type character varying(16) DEFAULT 'FACILITY_USER'::character varying NOT NULL,
    CONSTRAINT d_users_member_type_check CHECK (((member_type)::text = ANY ((ARRAY['FACILITY_USER'::character varying, 'ADMIN'::character varying, 'ASP_MEMBER'::character varying])::text[])))
);


--
-- Name: d_users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.d_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: d_users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.d_users_id_seq OWNED BY public.d_users.id;


--
-- Name: facility_num; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.facility_num
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: v_facility_summary; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.v_facility_summary AS
 SELECT f.facility_id,
    f.facility_name,
    count(p.id) AS patients
   FROM (public.d_facility f
     LEFT JOIN public.d_patient p ON ((p.facility_id = f.id)))
  GROUP BY f.facility_id, f.facility_name;


--
-- Name: d_audit_event id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_audit_event ALTER COLUMN id SET DEFAULT nextval('public.d_audit_event_id_seq'::regclass);


--
-- Name: d_factor2_credential id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_factor2_credential ALTER COLUMN id SET DEFAULT nextval('public.d_factor2_credential_id_seq'::regclass);


--
-- Name: d_patient id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_patient ALTER COLUMN id SET DEFAULT nextval('public.d_patient_id_seq'::regclass);


--
-- Name: d_roles id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_roles ALTER COLUMN id SET DEFAULT nextval('public.d_roles_id_seq'::regclass);


--
-- Name: d_users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_users ALTER COLUMN id SET DEFAULT nextval('public.d_users_id_seq'::regclass);


--
-- Data for Name: d_audit_event; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_audit_event (id, event_time, actor, action, payload) FROM stdin;
1	2025-02-01 00:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 1, "trace_id": "c4ca4238a0b923820dcc509a6f75849b"}
2	2025-02-01 00:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 2, "trace_id": "c81e728d9d4c2f636f067f89cc14862c"}
3	2025-02-01 00:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 3, "trace_id": "eccbc87e4b5ce2fe28308fd9f2a7baf3"}
4	2025-02-01 00:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 4, "trace_id": "a87ff679a2f3e71d9181a67b7542122c"}
5	2025-02-01 01:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 5, "trace_id": "e4da3b7fbbce2345d7772b0674a318d5"}
6	2025-02-01 01:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 6, "trace_id": "1679091c5a880faf6fb5e6087eb1b2dc"}
7	2025-02-01 01:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 7, "trace_id": "8f14e45fceea167a5a36dedd4bea2543"}
8	2025-02-01 01:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 8, "trace_id": "c9f0f895fb98ab9159f51fd0297e236d"}
9	2025-02-01 01:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 9, "trace_id": "45c48cce2e2d7fbdea1afc51c7c6ad26"}
10	2025-02-01 02:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 10, "trace_id": "d3d9446802a44259755d38e6d163e820"}
11	2025-02-01 02:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 11, "trace_id": "6512bd43d9caa6e02c990b0a82652dca"}
12	2025-02-01 02:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 12, "trace_id": "c20ad4d76fe97759aa27a0c99bff6710"}
13	2025-02-01 02:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 13, "trace_id": "c51ce410c124a10e0db5e4b97fc2af39"}
14	2025-02-01 03:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 14, "trace_id": "aab3238922bcc25a6f606eb525ffdc56"}
15	2025-02-01 03:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 15, "trace_id": "9bf31c7ff062936a96d3c8bd1f8f2ff3"}
16	2025-02-01 03:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 16, "trace_id": "c74d97b01eae257e44aa9d5bade97baf"}
17	2025-02-01 03:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 17, "trace_id": "70efdf2ec9b086079795c442636b55fb"}
18	2025-02-01 03:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 18, "trace_id": "6f4922f45568161a8cdf4ad2299f6d23"}
19	2025-02-01 04:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 19, "trace_id": "1f0e3dad99908345f7439f8ffabdffc4"}
20	2025-02-01 04:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 20, "trace_id": "98f13708210194c475687be6106a3b84"}
21	2025-02-01 04:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 21, "trace_id": "3c59dc048e8850243be8079a5c74d079"}
22	2025-02-01 04:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 22, "trace_id": "b6d767d2f8ed5d21a44b0e5886680cb9"}
23	2025-02-01 04:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 23, "trace_id": "37693cfc748049e45d87b8c7d8b9aacd"}
24	2025-02-01 05:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 24, "trace_id": "1ff1de774005f8da13f42943881c655f"}
25	2025-02-01 05:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 25, "trace_id": "8e296a067a37563370ded05f5a3bf3ec"}
26	2025-02-01 05:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 26, "trace_id": "4e732ced3463d06de0ca9a15b6153677"}
27	2025-02-01 05:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 27, "trace_id": "02e74f10e0327ad868d138f2b4fdd6f0"}
28	2025-02-01 06:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 28, "trace_id": "33e75ff09dd601bbe69f351039152189"}
29	2025-02-01 06:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 29, "trace_id": "6ea9ab1baa0efb9e19094440c317e21b"}
30	2025-02-01 06:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 30, "trace_id": "34173cb38f07f89ddbebc2ac9128303f"}
31	2025-02-01 06:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 31, "trace_id": "c16a5320fa475530d9583c34fd356ef5"}
32	2025-02-01 06:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 32, "trace_id": "6364d3f0f495b6ab9dcf8d3b5c6e0b01"}
33	2025-02-01 07:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 33, "trace_id": "182be0c5cdcd5072bb1864cdee4d3d6e"}
34	2025-02-01 07:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 34, "trace_id": "e369853df766fa44e1ed0ff613f563bd"}
35	2025-02-01 07:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 35, "trace_id": "1c383cd30b7c298ab50293adfecb7b18"}
36	2025-02-01 07:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 36, "trace_id": "19ca14e7ea6328a42e0eb13d585e4c22"}
37	2025-02-01 08:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 37, "trace_id": "a5bfc9e07964f8dddeb95fc584cd965d"}
38	2025-02-01 08:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 38, "trace_id": "a5771bce93e200c36f7cd9dfd0e5deaa"}
39	2025-02-01 08:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 39, "trace_id": "d67d8ab4f4c10bf22aa353e27879133c"}
40	2025-02-01 08:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 40, "trace_id": "d645920e395fedad7bbbed0eca3fe2e0"}
41	2025-02-01 08:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 41, "trace_id": "3416a75f4cea9109507cacd8e2f2aefc"}
42	2025-02-01 09:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 42, "trace_id": "a1d0c6e83f027327d8461063f4ac58a6"}
43	2025-02-01 09:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 43, "trace_id": "17e62166fc8586dfa4d1bc0e1742c08b"}
44	2025-02-01 09:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 44, "trace_id": "f7177163c833dff4b38fc8d2872f1ec6"}
45	2025-02-01 09:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 45, "trace_id": "6c8349cc7260ae62e3b1396831a8398f"}
46	2025-02-01 09:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 46, "trace_id": "d9d4f495e875a2e075a1a4a6e1b9770f"}
47	2025-02-01 10:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 47, "trace_id": "67c6a1e7ce56d3d6fa748ab6d9af3fd7"}
48	2025-02-01 10:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 48, "trace_id": "642e92efb79421734881b53e1e1b18b6"}
49	2025-02-01 10:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 49, "trace_id": "f457c545a9ded88f18ecee47145a72c0"}
50	2025-02-01 10:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 50, "trace_id": "c0c7c76d30bd3dcaefc96f40275bdc0a"}
51	2025-02-01 11:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 51, "trace_id": "2838023a778dfaecdc212708f721b788"}
52	2025-02-01 11:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 52, "trace_id": "9a1158154dfa42caddbd0694a4e9bdc8"}
53	2025-02-01 11:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 53, "trace_id": "d82c8d1619ad8176d665453cfb2e55f0"}
54	2025-02-01 11:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 54, "trace_id": "a684eceee76fc522773286a895bc8436"}
55	2025-02-01 11:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 55, "trace_id": "b53b3a3d6ab90ce0268229151c9bde11"}
56	2025-02-01 12:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 56, "trace_id": "9f61408e3afb633e50cdf1b20de6f466"}
57	2025-02-01 12:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 57, "trace_id": "72b32a1f754ba1c09b3695e0cb6cde7f"}
58	2025-02-01 12:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 58, "trace_id": "66f041e16a60928b05a7e228a89c3799"}
59	2025-02-01 12:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 59, "trace_id": "093f65e080a295f8076b1c5722a46aa2"}
60	2025-02-01 13:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 60, "trace_id": "072b030ba126b2f4b2374f342be9ed44"}
61	2025-02-01 13:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 61, "trace_id": "7f39f8317fbdb1988ef4c628eba02591"}
62	2025-02-01 13:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 62, "trace_id": "44f683a84163b3523afe57c2e008bc8c"}
63	2025-02-01 13:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 63, "trace_id": "03afdbd66e7929b125f8597834fa83a4"}
64	2025-02-01 13:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 64, "trace_id": "ea5d2f1c4608232e07d3aa3d998e5135"}
65	2025-02-01 14:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 65, "trace_id": "fc490ca45c00b1249bbe3554a4fdf6fb"}
66	2025-02-01 14:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 66, "trace_id": "3295c76acbf4caaed33c36b1b5fc2cb1"}
67	2025-02-01 14:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 67, "trace_id": "735b90b4568125ed6c3f678819b6e058"}
68	2025-02-01 14:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 68, "trace_id": "a3f390d88e4c41f2747bfa2f1b5f87db"}
69	2025-02-01 14:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 69, "trace_id": "14bfa6bb14875e45bba028a21ed38046"}
70	2025-02-01 15:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 70, "trace_id": "7cbbc409ec990f19c78c75bd1e06f215"}
71	2025-02-01 15:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 71, "trace_id": "e2c420d928d4bf8ce0ff2ec19b371514"}
72	2025-02-01 15:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 72, "trace_id": "32bb90e8976aab5298d5da10fe66f21d"}
73	2025-02-01 15:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 73, "trace_id": "d2ddea18f00665ce8623e36bd4e3c7c5"}
74	2025-02-01 16:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 74, "trace_id": "ad61ab143223efbc24c7d2583be69251"}
75	2025-02-01 16:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 75, "trace_id": "d09bf41544a3365a46c9077ebb5e35c3"}
76	2025-02-01 16:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 76, "trace_id": "fbd7939d674997cdb4692d34de8633c4"}
77	2025-02-01 16:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 77, "trace_id": "28dd2c7955ce926456240b2ff0100bde"}
78	2025-02-01 16:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 78, "trace_id": "35f4a8d465e6e1edc05f3d8ab658c551"}
79	2025-02-01 17:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 79, "trace_id": "d1fe173d08e959397adf34b1d77e88d7"}
80	2025-02-01 17:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 80, "trace_id": "f033ab37c30201f73f142449d037028d"}
81	2025-02-01 17:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 81, "trace_id": "43ec517d68b6edd3015b3edc9a11367b"}
82	2025-02-01 17:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 82, "trace_id": "9778d5d219c5080b9a6a17bef029331c"}
83	2025-02-01 17:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 83, "trace_id": "fe9fc289c3ff0af142b6d3bead98a923"}
84	2025-02-01 18:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 84, "trace_id": "68d30a9594728bc39aa24be94b319d21"}
85	2025-02-01 18:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 85, "trace_id": "3ef815416f775098fe977004015c6193"}
86	2025-02-01 18:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 86, "trace_id": "93db85ed909c13838ff95ccfa94cebd9"}
87	2025-02-01 18:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 87, "trace_id": "c7e1249ffc03eb9ded908c236bd1996d"}
88	2025-02-01 19:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 88, "trace_id": "2a38a4a9316c49e5a833517c45d31070"}
89	2025-02-01 19:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 89, "trace_id": "7647966b7343c29048673252e490f736"}
90	2025-02-01 19:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 90, "trace_id": "8613985ec49eb8f757ae6439e879bb2a"}
91	2025-02-01 19:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 91, "trace_id": "54229abfcfa5649e7003b83dd4755294"}
92	2025-02-01 19:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 92, "trace_id": "92cc227532d17e56e07902b254dfad10"}
93	2025-02-01 20:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 93, "trace_id": "98dce83da57b0395e163467c9dae521b"}
94	2025-02-01 20:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 94, "trace_id": "f4b9ec30ad9f68f89b29639786cb62ef"}
95	2025-02-01 20:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 95, "trace_id": "812b4ba287f5ee0bc9d43bbf5bbe87fb"}
96	2025-02-01 20:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 96, "trace_id": "26657d5ff9020d2abefe558796b99584"}
97	2025-02-01 21:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 97, "trace_id": "e2ef524fbf3d9fe611d5a8e90fefdc9c"}
98	2025-02-01 21:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 98, "trace_id": "ed3d2c21991e3bef5e069713af9fa6ca"}
99	2025-02-01 21:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 99, "trace_id": "ac627ab1ccbdb62ec96e702f07f6425b"}
100	2025-02-01 21:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 100, "trace_id": "f899139df5e1059396431415e770c6dd"}
101	2025-02-01 21:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 101, "trace_id": "38b3eff8baf56627478ec76a704e9b52"}
102	2025-02-01 22:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 102, "trace_id": "ec8956637a99787bd197eacd77acce5e"}
103	2025-02-01 22:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 103, "trace_id": "6974ce5ac660610b44d9b9fed0ff9548"}
104	2025-02-01 22:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 104, "trace_id": "c9e1074f5b3f9fc8ea15d152add07294"}
105	2025-02-01 22:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 105, "trace_id": "65b9eea6e1cc6bb9f0cd2a47751a186f"}
106	2025-02-01 22:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 106, "trace_id": "f0935e4cd5920aa6c7c996a5ee53a70f"}
107	2025-02-01 23:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 107, "trace_id": "a97da629b098b75c294dffdc3e463904"}
108	2025-02-01 23:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 108, "trace_id": "a3c65c2974270fd093ee8a9bf8ae7d0b"}
109	2025-02-01 23:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 109, "trace_id": "2723d092b63885e0d7c260cc007e8b9d"}
110	2025-02-01 23:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 110, "trace_id": "5f93f983524def3dca464469d2cf9f3e"}
111	2025-02-02 00:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 111, "trace_id": "698d51a19d8a121ce581499d7b701668"}
112	2025-02-02 00:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 112, "trace_id": "7f6ffaa6bb0b408017b62254211691b5"}
113	2025-02-02 00:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 113, "trace_id": "73278a4a86960eeb576a8fd4c9ec6997"}
114	2025-02-02 00:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 114, "trace_id": "5fd0b37cd7dbbb00f97ba6ce92bf5add"}
115	2025-02-02 00:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 115, "trace_id": "2b44928ae11fb9384c4cf38708677c48"}
116	2025-02-02 01:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 116, "trace_id": "c45147dee729311ef5b5c3003946c48f"}
117	2025-02-02 01:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 117, "trace_id": "eb160de1de89d9058fcb0b968dbbbd68"}
118	2025-02-02 01:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 118, "trace_id": "5ef059938ba799aaa845e1c2e8a762bd"}
119	2025-02-02 01:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 119, "trace_id": "07e1cd7dca89a1678042477183b7ac3f"}
120	2025-02-02 02:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 120, "trace_id": "da4fb5c6e93e74d3df8527599fa62642"}
121	2025-02-02 02:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 121, "trace_id": "4c56ff4ce4aaf9573aa5dff913df997a"}
122	2025-02-02 02:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 122, "trace_id": "a0a080f42e6f13b3a2df133f073095dd"}
123	2025-02-02 02:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 123, "trace_id": "202cb962ac59075b964b07152d234b70"}
124	2025-02-02 02:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 124, "trace_id": "c8ffe9a587b126f152ed3d89a146b445"}
125	2025-02-02 03:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 125, "trace_id": "3def184ad8f4755ff269862ea77393dd"}
126	2025-02-02 03:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 126, "trace_id": "069059b7ef840f0c74a814ec9237b6ec"}
127	2025-02-02 03:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 127, "trace_id": "ec5decca5ed3d6b8079e2e7e7bacc9f2"}
128	2025-02-02 03:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 128, "trace_id": "76dc611d6ebaafc66cc0879c71b5db5c"}
129	2025-02-02 03:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 129, "trace_id": "d1f491a404d6854880943e5c3cd9ca25"}
130	2025-02-02 04:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 130, "trace_id": "9b8619251a19057cff70779273e95aa6"}
131	2025-02-02 04:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 131, "trace_id": "1afa34a7f984eeabdbb0a7d494132ee5"}
132	2025-02-02 04:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 132, "trace_id": "65ded5353c5ee48d0b7d48c591b8f430"}
133	2025-02-02 04:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 133, "trace_id": "9fc3d7152ba9336a670e36d0ed79bc43"}
134	2025-02-02 05:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 134, "trace_id": "02522a2b2726fb0a03bb19f2d8d9524d"}
135	2025-02-02 05:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 135, "trace_id": "7f1de29e6da19d22b51c68001e7e0e54"}
136	2025-02-02 05:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 136, "trace_id": "42a0e188f5033bc65bf8d78622277c4e"}
137	2025-02-02 05:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 137, "trace_id": "3988c7f88ebcb58c6ce932b957b6f332"}
138	2025-02-02 05:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 138, "trace_id": "013d407166ec4fa56eb1e1f8cbe183b9"}
139	2025-02-02 06:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 139, "trace_id": "e00da03b685a0dd18fb6a08af0923de0"}
140	2025-02-02 06:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 140, "trace_id": "1385974ed5904a438616ff7bdb3f7439"}
141	2025-02-02 06:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 141, "trace_id": "0f28b5d49b3020afeecd95b4009adf4c"}
142	2025-02-02 06:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 142, "trace_id": "a8baa56554f96369ab93e4f3bb068c22"}
143	2025-02-02 06:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 143, "trace_id": "903ce9225fca3e988c2af215d4e544d3"}
144	2025-02-02 07:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 144, "trace_id": "0a09c8844ba8f0936c20bd791130d6b6"}
145	2025-02-02 07:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 145, "trace_id": "2b24d495052a8ce66358eb576b8912c8"}
146	2025-02-02 07:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 146, "trace_id": "a5e00132373a7031000fd987a3c9f87b"}
147	2025-02-02 07:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 147, "trace_id": "8d5e957f297893487bd98fa830fa6413"}
148	2025-02-02 08:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 148, "trace_id": "47d1e990583c9c67424d369f3414728e"}
149	2025-02-02 08:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 149, "trace_id": "f2217062e9a397a1dca429e7d70bc6ca"}
150	2025-02-02 08:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 150, "trace_id": "7ef605fc8dba5425d6965fbd4c8fbe1f"}
151	2025-02-02 08:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 151, "trace_id": "a8f15eda80c50adb0e71943adc8015cf"}
152	2025-02-02 08:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 152, "trace_id": "37a749d808e46495a8da1e5352d03cae"}
153	2025-02-02 09:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 153, "trace_id": "b3e3e393c77e35a4a3f3cbd1e429b5dc"}
154	2025-02-02 09:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 154, "trace_id": "1d7f7abc18fcb43975065399b0d1e48e"}
155	2025-02-02 09:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 155, "trace_id": "2a79ea27c279e471f4d180b08d62b00a"}
156	2025-02-02 09:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 156, "trace_id": "1c9ac0159c94d8d0cbedc973445af2da"}
157	2025-02-02 10:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 157, "trace_id": "6c4b761a28b734fe93831e3fb400ce87"}
158	2025-02-02 10:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 158, "trace_id": "06409663226af2f3114485aa4e0a23b4"}
159	2025-02-02 10:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 159, "trace_id": "140f6969d5213fd0ece03148e62e461e"}
160	2025-02-02 10:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 160, "trace_id": "b73ce398c39f506af761d2277d853a92"}
161	2025-02-02 10:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 161, "trace_id": "bd4c9ab730f5513206b999ec0d90d1fb"}
162	2025-02-02 11:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 162, "trace_id": "82aa4b0af34c2313a562076992e50aa3"}
163	2025-02-02 11:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 163, "trace_id": "0777d5c17d4066b82ab86dff8a46af6f"}
164	2025-02-02 11:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 164, "trace_id": "fa7cdfad1a5aaf8370ebeda47a1ff1c3"}
165	2025-02-02 11:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 165, "trace_id": "9766527f2b5d3e95d4a733fcfb77bd7e"}
166	2025-02-02 11:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 166, "trace_id": "7e7757b1e12abcb736ab9a754ffb617a"}
167	2025-02-02 12:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 167, "trace_id": "5878a7ab84fb43402106c575658472fa"}
168	2025-02-02 12:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 168, "trace_id": "006f52e9102a8d3be2fe5614f42ba989"}
169	2025-02-02 12:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 169, "trace_id": "3636638817772e42b59d74cff571fbb3"}
170	2025-02-02 12:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 170, "trace_id": "149e9677a5989fd342ae44213df68868"}
171	2025-02-02 13:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 171, "trace_id": "a4a042cf4fd6bfb47701cbc8a1653ada"}
172	2025-02-02 13:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 172, "trace_id": "1ff8a7b5dc7a7d1f0ed65aaa29c04b1e"}
173	2025-02-02 13:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 173, "trace_id": "f7e6c85504ce6e82442c770f7c8606f0"}
174	2025-02-02 13:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 174, "trace_id": "bf8229696f7a3bb4700cfddef19fa23f"}
175	2025-02-02 13:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 175, "trace_id": "82161242827b703e6acf9c726942a1e4"}
176	2025-02-02 14:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 176, "trace_id": "38af86134b65d0f10fe33d30dd76442e"}
177	2025-02-02 14:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 177, "trace_id": "96da2f590cd7246bbde0051047b0d6f7"}
178	2025-02-02 14:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 178, "trace_id": "8f85517967795eeef66c225f7883bdcb"}
179	2025-02-02 14:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 179, "trace_id": "8f53295a73878494e9bc8dd6c3c7104f"}
180	2025-02-02 15:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 180, "trace_id": "045117b0e0a11a242b9765e79cbf113f"}
181	2025-02-02 15:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 181, "trace_id": "fc221309746013ac554571fbd180e1c8"}
182	2025-02-02 15:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 182, "trace_id": "4c5bde74a8f110656874902f07378009"}
183	2025-02-02 15:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 183, "trace_id": "cedebb6e872f539bef8c3f919874e9d7"}
184	2025-02-02 15:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 184, "trace_id": "6cdd60ea0045eb7a6ec44c54d29ed402"}
185	2025-02-02 16:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 185, "trace_id": "eecca5b6365d9607ee5a9d336962c534"}
186	2025-02-02 16:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 186, "trace_id": "9872ed9fc22fc182d371c3e9ed316094"}
187	2025-02-02 16:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 187, "trace_id": "31fefc0e570cb3860f2a6d4b38c6490d"}
188	2025-02-02 16:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 188, "trace_id": "9dcb88e0137649590b755372b040afad"}
189	2025-02-02 16:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 189, "trace_id": "a2557a7b2e94197ff767970b67041697"}
190	2025-02-02 17:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 190, "trace_id": "cfecdb276f634854f3ef915e2e980c31"}
191	2025-02-02 17:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 191, "trace_id": "0aa1883c6411f7873cb83dacb17b0afc"}
192	2025-02-02 17:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 192, "trace_id": "58a2fc6ed39fd083f55d4182bf88826d"}
193	2025-02-02 17:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 193, "trace_id": "bd686fd640be98efaae0091fa301e613"}
194	2025-02-02 18:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 194, "trace_id": "a597e50502f5ff68e3e25b9114205d4a"}
195	2025-02-02 18:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 195, "trace_id": "0336dcbab05b9d5ad24f4333c7658a0e"}
196	2025-02-02 18:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 196, "trace_id": "084b6fbb10729ed4da8c3d3f5a3ae7c9"}
197	2025-02-02 18:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 197, "trace_id": "85d8ce590ad8981ca2c8286f79f59954"}
198	2025-02-02 18:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 198, "trace_id": "0e65972dce68dad4d52d063967f0a705"}
199	2025-02-02 19:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 199, "trace_id": "84d9ee44e457ddef7f2c4f25dc8fa865"}
200	2025-02-02 19:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 200, "trace_id": "3644a684f98ea8fe223c713b77189a77"}
201	2025-02-02 19:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 201, "trace_id": "757b505cfd34c64c85ca5b5690ee5293"}
202	2025-02-02 19:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 202, "trace_id": "854d6fae5ee42911677c739ee1734486"}
203	2025-02-02 19:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 203, "trace_id": "e2c0be24560d78c5e599c2a9c9d0bbd2"}
204	2025-02-02 20:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 204, "trace_id": "274ad4786c3abca69fa097b85867d9a4"}
205	2025-02-02 20:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 205, "trace_id": "eae27d77ca20db309e056e3d2dcd7d69"}
206	2025-02-02 20:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 206, "trace_id": "7eabe3a1649ffa2b3ff8c02ebfd5659f"}
207	2025-02-02 20:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 207, "trace_id": "69adc1e107f7f7d035d7baf04342e1ca"}
208	2025-02-02 21:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 208, "trace_id": "091d584fced301b442654dd8c23b3fc9"}
209	2025-02-02 21:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 209, "trace_id": "b1d10e7bafa4421218a51b1e1f1b0ba2"}
210	2025-02-02 21:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 210, "trace_id": "6f3ef77ac0e3619e98159e9b6febf557"}
211	2025-02-02 21:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 211, "trace_id": "eb163727917cbba1eea208541a643e74"}
212	2025-02-02 21:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 212, "trace_id": "1534b76d325a8f591b52d302e7181331"}
213	2025-02-02 22:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 213, "trace_id": "979d472a84804b9f647bc185a877a8b5"}
214	2025-02-02 22:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 214, "trace_id": "ca46c1b9512a7a8315fa3c5a946e8265"}
215	2025-02-02 22:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 215, "trace_id": "3b8a614226a953a8cd9526fca6fe9ba5"}
216	2025-02-02 22:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 216, "trace_id": "45fbc6d3e05ebd93369ce542e8f2322d"}
217	2025-02-02 23:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 217, "trace_id": "63dc7ed1010d3c3b8269faf0ba7491d4"}
218	2025-02-02 23:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 218, "trace_id": "e96ed478dab8595a7dbda4cbcbee168f"}
219	2025-02-02 23:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 219, "trace_id": "c0e190d8267e36708f955d7ab048990d"}
220	2025-02-02 23:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 220, "trace_id": "ec8ce6abb3e952a85b8551ba726a1227"}
221	2025-02-02 23:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 221, "trace_id": "060ad92489947d410d897474079c1477"}
222	2025-02-03 00:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 222, "trace_id": "bcbe3365e6ac95ea2c0343a2395834dd"}
223	2025-02-03 00:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 223, "trace_id": "115f89503138416a242f40fb7d7f338e"}
224	2025-02-03 00:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 224, "trace_id": "13fe9d84310e77f13a6d184dbf1232f3"}
225	2025-02-03 00:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 225, "trace_id": "d1c38a09acc34845c6be3a127a5aacaf"}
226	2025-02-03 00:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 226, "trace_id": "9cfdf10e8fc047a44b08ed031e1f0ed1"}
227	2025-02-03 01:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 227, "trace_id": "705f2172834666788607efbfca35afb3"}
228	2025-02-03 01:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 228, "trace_id": "74db120f0a8e5646ef5a30154e9f6deb"}
229	2025-02-03 01:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 229, "trace_id": "57aeee35c98205091e18d1140e9f38cf"}
230	2025-02-03 01:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 230, "trace_id": "6da9003b743b65f4c0ccd295cc484e57"}
231	2025-02-03 02:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 231, "trace_id": "9b04d152845ec0a378394003c96da594"}
232	2025-02-03 02:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 232, "trace_id": "be83ab3ecd0db773eb2dc1b0a17836a1"}
233	2025-02-03 02:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 233, "trace_id": "e165421110ba03099a1c0393373c5b43"}
234	2025-02-03 02:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 234, "trace_id": "289dff07669d7a23de0ef88d2f7129e7"}
235	2025-02-03 02:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 235, "trace_id": "577ef1154f3240ad5b9b413aa7346a1e"}
236	2025-02-03 03:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 236, "trace_id": "01161aaa0b6d1345dd8fe4e481144d84"}
237	2025-02-03 03:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 237, "trace_id": "539fd53b59e3bb12d203f45a912eeaf2"}
238	2025-02-03 03:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 238, "trace_id": "ac1dd209cbcc5e5d1c6e28598e8cbbe8"}
239	2025-02-03 03:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 239, "trace_id": "555d6702c950ecb729a966504af0a635"}
240	2025-02-03 04:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 240, "trace_id": "335f5352088d7d9bf74191e006d8e24c"}
241	2025-02-03 04:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 241, "trace_id": "f340f1b1f65b6df5b5e3f94d95b11daf"}
242	2025-02-03 04:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 242, "trace_id": "e4a6222cdb5b34375400904f03d8e6a5"}
243	2025-02-03 04:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 243, "trace_id": "cb70ab375662576bd1ac5aaf16b3fca4"}
244	2025-02-03 04:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 244, "trace_id": "9188905e74c28e489b44e954ec0b9bca"}
245	2025-02-03 05:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 245, "trace_id": "0266e33d3f546cb5436a10798e657d97"}
246	2025-02-03 05:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 246, "trace_id": "38db3aed920cf82ab059bfccbd02be6a"}
247	2025-02-03 05:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 247, "trace_id": "3cec07e9ba5f5bb252d13f5f431e4bbb"}
248	2025-02-03 05:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 248, "trace_id": "621bf66ddb7c962aa0d22ac97d69b793"}
249	2025-02-03 05:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 249, "trace_id": "077e29b11be80ab57e1a2ecabb7da330"}
250	2025-02-03 06:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 250, "trace_id": "6c9882bbac1c7093bd25041881277658"}
251	2025-02-03 06:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 251, "trace_id": "19f3cd308f1455b3fa09a282e0d496f4"}
252	2025-02-03 06:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 252, "trace_id": "03c6b06952c750899bb03d998e631860"}
253	2025-02-03 06:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 253, "trace_id": "c24cd76e1ce41366a4bbe8a49b02a028"}
254	2025-02-03 07:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 254, "trace_id": "c52f1bd66cc19d05628bd8bf27af3ad6"}
255	2025-02-03 07:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 255, "trace_id": "fe131d7f5a6b38b23cc967316c13dae2"}
256	2025-02-03 07:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 256, "trace_id": "f718499c1c8cef6730f9fd03c8125cab"}
257	2025-02-03 07:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 257, "trace_id": "d96409bf894217686ba124d7356686c9"}
258	2025-02-03 07:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 258, "trace_id": "502e4a16930e414107ee22b6198c578f"}
259	2025-02-03 08:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 259, "trace_id": "cfa0860e83a4c3a763a7e62d825349f7"}
260	2025-02-03 08:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 260, "trace_id": "a4f23670e1833f3fdb077ca70bbd5d66"}
261	2025-02-03 08:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 261, "trace_id": "b1a59b315fc9a3002ce38bbe070ec3f5"}
262	2025-02-03 08:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 262, "trace_id": "36660e59856b4de58a219bcf4e27eba3"}
263	2025-02-03 08:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 263, "trace_id": "8c19f571e251e61cb8dd3612f26d5ecf"}
264	2025-02-03 09:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 264, "trace_id": "d6baf65e0b240ce177cf70da146c8dc8"}
265	2025-02-03 09:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 265, "trace_id": "e56954b4f6347e897f954495eab16a88"}
266	2025-02-03 09:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 266, "trace_id": "f7664060cc52bc6f3d620bcedc94a4b6"}
267	2025-02-03 09:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 267, "trace_id": "eda80a3d5b344bc40f3bc04f65b7a357"}
268	2025-02-03 10:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 268, "trace_id": "8f121ce07d74717e0b1f21d122e04521"}
269	2025-02-03 10:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 269, "trace_id": "06138bc5af6023646ede0e1f7c1eac75"}
270	2025-02-03 10:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 270, "trace_id": "39059724f73a9969845dfe4146c5660e"}
271	2025-02-03 10:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 271, "trace_id": "7f100b7b36092fb9b06dfb4fac360931"}
272	2025-02-03 10:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 272, "trace_id": "7a614fd06c325499f1680b9896beedeb"}
273	2025-02-03 11:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 273, "trace_id": "4734ba6f3de83d861c3176a6273cac6d"}
274	2025-02-03 11:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 274, "trace_id": "d947bf06a885db0d477d707121934ff8"}
275	2025-02-03 11:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 275, "trace_id": "63923f49e5241343aa7acb6a06a751e7"}
276	2025-02-03 11:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 276, "trace_id": "db8e1af0cb3aca1ae2d0018624204529"}
277	2025-02-03 12:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 277, "trace_id": "20f07591c6fcb220ffe637cda29bb3f6"}
278	2025-02-03 12:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 278, "trace_id": "07cdfd23373b17c6b337251c22b7ea57"}
279	2025-02-03 12:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 279, "trace_id": "d395771085aab05244a4fb8fd91bf4ee"}
280	2025-02-03 12:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 280, "trace_id": "92c8c96e4c37100777c7190b76d28233"}
281	2025-02-03 12:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 281, "trace_id": "e3796ae838835da0b6f6ea37bcf8bcb7"}
282	2025-02-03 13:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 282, "trace_id": "6a9aeddfc689c1d0e3b9ccc3ab651bc5"}
283	2025-02-03 13:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 283, "trace_id": "0f49c89d1e7298bb9930789c8ed59d48"}
284	2025-02-03 13:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 284, "trace_id": "46ba9f2a6976570b0353203ec4474217"}
285	2025-02-03 13:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 285, "trace_id": "0e01938fc48a2cfb5f2217fbfb00722d"}
286	2025-02-03 13:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 286, "trace_id": "16a5cdae362b8d27a1d8f8c7b78b4330"}
287	2025-02-03 14:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 287, "trace_id": "918317b57931b6b7a7d29490fe5ec9f9"}
288	2025-02-03 14:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 288, "trace_id": "48aedb8880cab8c45637abc7493ecddd"}
289	2025-02-03 14:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 289, "trace_id": "839ab46820b524afda05122893c2fe8e"}
290	2025-02-03 14:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 290, "trace_id": "f90f2aca5c640289d0a29417bcb63a37"}
291	2025-02-03 15:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 291, "trace_id": "9c838d2e45b2ad1094d42f4ef36764f6"}
292	2025-02-03 15:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 292, "trace_id": "1700002963a49da13542e0726b7bb758"}
293	2025-02-03 15:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 293, "trace_id": "53c3bce66e43be4f209556518c2fcb54"}
294	2025-02-03 15:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 294, "trace_id": "6883966fd8f918a4aa29be29d2c386fb"}
295	2025-02-03 15:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 295, "trace_id": "49182f81e6a13cf5eaa496d51fea6406"}
296	2025-02-03 16:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 296, "trace_id": "d296c101daa88a51f6ca8cfc1ac79b50"}
297	2025-02-03 16:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 297, "trace_id": "9fd81843ad7f202f26c1a174c7357585"}
298	2025-02-03 16:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 298, "trace_id": "26e359e83860db1d11b6acca57d8ea88"}
299	2025-02-03 16:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 299, "trace_id": "ef0d3930a7b6c95bd2b32ed45989c61f"}
300	2025-02-03 17:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 300, "trace_id": "94f6d7e04a4d452035300f18b984988c"}
301	2025-02-03 17:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 301, "trace_id": "34ed066df378efacc9b924ec161e7639"}
302	2025-02-03 17:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 302, "trace_id": "577bcc914f9e55d5e4e4f82f9f00e7d4"}
303	2025-02-03 17:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 303, "trace_id": "11b9842e0a271ff252c1903e7132cd68"}
304	2025-02-03 17:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 304, "trace_id": "37bc2f75bf1bcfe8450a1a41c200364c"}
305	2025-02-03 18:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 305, "trace_id": "496e05e1aea0a9c4655800e8a7b9ea28"}
306	2025-02-03 18:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 306, "trace_id": "b2eb7349035754953b57a32e2841bda5"}
307	2025-02-03 18:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 307, "trace_id": "8e98d81f8217304975ccb23337bb5761"}
308	2025-02-03 18:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 308, "trace_id": "a8c88a0055f636e4a163a5e3d16adab7"}
309	2025-02-03 18:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 309, "trace_id": "eddea82ad2755b24c4e168c5fc2ebd40"}
310	2025-02-03 19:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 310, "trace_id": "06eb61b839a0cefee4967c67ccb099dc"}
311	2025-02-03 19:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 311, "trace_id": "9dfcd5e558dfa04aaf37f137a1d9d3e5"}
312	2025-02-03 19:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 312, "trace_id": "950a4152c2b4aa3ad78bdd6b366cc179"}
313	2025-02-03 19:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 313, "trace_id": "158f3069a435b314a80bdcb024f8e422"}
314	2025-02-03 20:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 314, "trace_id": "758874998f5bd0c393da094e1967a72b"}
315	2025-02-03 20:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 315, "trace_id": "ad13a2a07ca4b7642959dc0c4c740ab6"}
316	2025-02-03 20:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 316, "trace_id": "3fe94a002317b5f9259f82690aeea4cd"}
317	2025-02-03 20:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 317, "trace_id": "5b8add2a5d98b1a652ea7fd72d942dac"}
318	2025-02-03 20:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 318, "trace_id": "432aca3a1e345e339f35a30c8f65edce"}
319	2025-02-03 21:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 319, "trace_id": "8d3bba7425e7c98c50f52ca1b52d3735"}
320	2025-02-03 21:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 320, "trace_id": "320722549d1751cf3f247855f937b982"}
321	2025-02-03 21:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 321, "trace_id": "caf1a3dfb505ffed0d024130f58c5cfa"}
322	2025-02-03 21:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 322, "trace_id": "5737c6ec2e0716f3d8a7a5c4e0de0d9a"}
323	2025-02-03 21:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 323, "trace_id": "bc6dc48b743dc5d013b1abaebd2faed2"}
324	2025-02-03 22:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 324, "trace_id": "f2fc990265c712c49d51a18a32b39f0c"}
325	2025-02-03 22:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 325, "trace_id": "89f0fd5c927d466d6ec9a21b9ac34ffa"}
326	2025-02-03 22:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 326, "trace_id": "a666587afda6e89aec274a3657558a27"}
327	2025-02-03 22:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 327, "trace_id": "b83aac23b9528732c23cc7352950e880"}
328	2025-02-03 23:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 328, "trace_id": "cd00692c3bfe59267d5ecfac5310286c"}
329	2025-02-03 23:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 329, "trace_id": "6faa8040da20ef399b63a72d0e4ab575"}
330	2025-02-03 23:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 330, "trace_id": "fe73f687e5bc5280214e0486b273a5f9"}
331	2025-02-03 23:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 331, "trace_id": "6da37dd3139aa4d9aa55b8d237ec5d4a"}
332	2025-02-03 23:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 332, "trace_id": "c042f4db68f23406c6cecf84a7ebb0fe"}
333	2025-02-04 00:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 333, "trace_id": "310dcbbf4cce62f762a2aaa148d556bd"}
334	2025-02-04 00:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 334, "trace_id": "2f2b265625d76a6704b08093c652fd79"}
335	2025-02-04 00:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 335, "trace_id": "f9b902fc3289af4dd08de5d1de54f68f"}
336	2025-02-04 00:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 336, "trace_id": "6855456e2fe46a9d49d3d3af4f57443d"}
337	2025-02-04 01:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 337, "trace_id": "357a6fdf7642bf815a88822c447d9dc4"}
338	2025-02-04 01:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 338, "trace_id": "819f46e52c25763a55cc642422644317"}
339	2025-02-04 01:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 339, "trace_id": "04025959b191f8f9de3f924f0940515f"}
340	2025-02-04 01:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 340, "trace_id": "40008b9a5380fcacce3976bf7c08af5b"}
341	2025-02-04 01:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 341, "trace_id": "3dd48ab31d016ffcbf3314df2b3cb9ce"}
342	2025-02-04 02:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 342, "trace_id": "58238e9ae2dd305d79c2ebc8c1883422"}
343	2025-02-04 02:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 343, "trace_id": "3ad7c2ebb96fcba7cda0cf54a2e802f5"}
344	2025-02-04 02:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 344, "trace_id": "b3967a0e938dc2a6340e258630febd5a"}
345	2025-02-04 02:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 345, "trace_id": "d81f9c1be2e08964bf9f24b15f0e4900"}
346	2025-02-04 02:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 346, "trace_id": "13f9896df61279c928f19721878fac41"}
347	2025-02-04 03:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 347, "trace_id": "c5ff2543b53f4cc0ad3819a36752467b"}
348	2025-02-04 03:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 348, "trace_id": "01386bd6d8e091c2ab4c7c7de644d37b"}
349	2025-02-04 03:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 349, "trace_id": "0bb4aec1710521c12ee76289d9440817"}
350	2025-02-04 03:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 350, "trace_id": "9de6d14fff9806d4bcd1ef555be766cd"}
351	2025-02-04 04:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 351, "trace_id": "efe937780e95574250dabe07151bdc23"}
352	2025-02-04 04:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 352, "trace_id": "371bce7dc83817b7893bcdeed13799b5"}
353	2025-02-04 04:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 353, "trace_id": "138bb0696595b338afbab333c555292a"}
354	2025-02-04 04:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 354, "trace_id": "8dd48d6a2e2cad213179a3992c0be53c"}
355	2025-02-04 04:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 355, "trace_id": "82cec96096d4281b7c95cd7e74623496"}
356	2025-02-04 05:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 356, "trace_id": "6c524f9d5d7027454a783c841250ba71"}
357	2025-02-04 05:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 357, "trace_id": "fb7b9ffa5462084c5f4e7e85a093e6d7"}
358	2025-02-04 05:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 358, "trace_id": "aa942ab2bfa6ebda4840e7360ce6e7ef"}
359	2025-02-04 05:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 359, "trace_id": "c058f544c737782deacefa532d9add4c"}
360	2025-02-04 06:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 360, "trace_id": "e7b24b112a44fdd9ee93bdf998c6ca0e"}
361	2025-02-04 06:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 361, "trace_id": "52720e003547c70561bf5e03b95aa99f"}
362	2025-02-04 06:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 362, "trace_id": "c3e878e27f52e2a57ace4d9a76fd9acf"}
363	2025-02-04 06:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 363, "trace_id": "00411460f7c92d2124a67ea0f4cb5f85"}
364	2025-02-04 06:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 364, "trace_id": "bac9162b47c56fc8a4d2a519803d51b3"}
365	2025-02-04 07:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 365, "trace_id": "9be40cee5b0eee1462c82c6964087ff9"}
366	2025-02-04 07:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 366, "trace_id": "5ef698cd9fe650923ea331c15af3b160"}
367	2025-02-04 07:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 367, "trace_id": "05049e90fa4f5039a8cadc6acbb4b2cc"}
368	2025-02-04 07:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 368, "trace_id": "cf004fdc76fa1a4f25f62e0eb5261ca3"}
369	2025-02-04 07:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 369, "trace_id": "0c74b7f78409a4022a2c4c5a5ca3ee19"}
370	2025-02-04 08:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 370, "trace_id": "d709f38ef758b5066ef31b18039b8ce5"}
371	2025-02-04 08:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 371, "trace_id": "41f1f19176d383480afa65d325c06ed0"}
372	2025-02-04 08:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 372, "trace_id": "24b16fede9a67c9251d3e7c7161c83ac"}
373	2025-02-04 08:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 373, "trace_id": "ffd52f3c7e12435a724a8f30fddadd9c"}
374	2025-02-04 09:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 374, "trace_id": "ad972f10e0800b49d76fed33a21f6698"}
375	2025-02-04 09:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 375, "trace_id": "f61d6947467ccd3aa5af24db320235dd"}
376	2025-02-04 09:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 376, "trace_id": "142949df56ea8ae0be8b5306971900a4"}
377	2025-02-04 09:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 377, "trace_id": "d34ab169b70c9dcd35e62896010cd9ff"}
378	2025-02-04 09:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 378, "trace_id": "8bf1211fd4b7b94528899de0a43b9fb3"}
379	2025-02-04 10:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 379, "trace_id": "a02ffd91ece5e7efeb46db8f10a74059"}
380	2025-02-04 10:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 380, "trace_id": "bca82e41ee7b0833588399b1fcd177c7"}
381	2025-02-04 10:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 381, "trace_id": "00ec53c4682d36f5c4359f4ae7bd7ba1"}
382	2025-02-04 10:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 382, "trace_id": "4f6ffe13a5d75b2d6a3923922b3922e5"}
383	2025-02-04 10:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 383, "trace_id": "beed13602b9b0e6ecb5b568ff5058f07"}
384	2025-02-04 11:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 384, "trace_id": "0584ce565c824b7b7f50282d9a19945b"}
385	2025-02-04 11:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 385, "trace_id": "dc912a253d1e9ba40e2c597ed2376640"}
386	2025-02-04 11:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 386, "trace_id": "39461a19e9eddfb385ea76b26521ea48"}
387	2025-02-04 11:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 387, "trace_id": "8efb100a295c0c690931222ff4467bb8"}
388	2025-02-04 12:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 388, "trace_id": "d9fc5b73a8d78fad3d6dffe419384e70"}
389	2025-02-04 12:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 389, "trace_id": "c86a7ee3d8ef0b551ed58e354a836f2b"}
390	2025-02-04 12:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 390, "trace_id": "a01a0380ca3c61428c26a231f0e49a09"}
391	2025-02-04 12:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 391, "trace_id": "5a4b25aaed25c2ee1b74de72dc03c14e"}
392	2025-02-04 12:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 392, "trace_id": "f73b76ce8949fe29bf2a537cfa420e8f"}
393	2025-02-04 13:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 393, "trace_id": "70c639df5e30bdee440e4cdf599fec2b"}
394	2025-02-04 13:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 394, "trace_id": "28f0b864598a1291557bed248a998d4e"}
395	2025-02-04 13:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 395, "trace_id": "1543843a4723ed2ab08e18053ae6dc5b"}
396	2025-02-04 13:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 396, "trace_id": "f8c1f23d6a8d8d7904fc0ea8e066b3bb"}
397	2025-02-04 14:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 397, "trace_id": "e46de7e1bcaaced9a54f1e9d0d2f800d"}
398	2025-02-04 14:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 398, "trace_id": "b7b16ecf8ca53723593894116071700c"}
399	2025-02-04 14:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 399, "trace_id": "352fe25daf686bdb4edca223c921acea"}
400	2025-02-04 14:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 400, "trace_id": "18d8042386b79e2c279fd162df0205c8"}
401	2025-02-04 14:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 401, "trace_id": "816b112c6105b3ebd537828a39af4818"}
402	2025-02-04 15:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 402, "trace_id": "69cb3ea317a32c4e6143e665fdb20b14"}
403	2025-02-04 15:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 403, "trace_id": "bbf94b34eb32268ada57a3be5062fe7d"}
404	2025-02-04 15:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 404, "trace_id": "4f4adcbf8c6f66dcfc8a3282ac2bf10a"}
405	2025-02-04 15:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 405, "trace_id": "bbcbff5c1f1ded46c25d28119a85c6c2"}
406	2025-02-04 15:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 406, "trace_id": "8cb22bdd0b7ba1ab13d742e22eed8da2"}
407	2025-02-04 16:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 407, "trace_id": "f4f6dce2f3a0f9dada0c2b5b66452017"}
408	2025-02-04 16:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 408, "trace_id": "0d0fd7c6e093f7b804fa0150b875b868"}
409	2025-02-04 16:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 409, "trace_id": "a96b65a721e561e1e3de768ac819ffbb"}
410	2025-02-04 16:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 410, "trace_id": "1068c6e4c8051cfd4e9ea8072e3189e2"}
411	2025-02-04 17:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 411, "trace_id": "17d63b1625c816c22647a73e1482372b"}
412	2025-02-04 17:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 412, "trace_id": "b9228e0962a78b84f3d5d92f4faa000b"}
413	2025-02-04 17:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 413, "trace_id": "0deb1c54814305ca9ad266f53bc82511"}
414	2025-02-04 17:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 414, "trace_id": "66808e327dc79d135ba18e051673d906"}
415	2025-02-04 17:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 415, "trace_id": "42e7aaa88b48137a16a1acd04ed91125"}
416	2025-02-04 18:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 416, "trace_id": "8fe0093bb30d6f8c31474bd0764e6ac0"}
417	2025-02-04 18:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 417, "trace_id": "41ae36ecb9b3eee609d05b90c14222fb"}
418	2025-02-04 18:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 418, "trace_id": "d1f255a373a3cef72e03aa9d980c7eca"}
419	2025-02-04 18:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 419, "trace_id": "7eacb532570ff6858afd2723755ff790"}
420	2025-02-04 19:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 420, "trace_id": "b6f0479ae87d244975439c6124592772"}
421	2025-02-04 19:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 421, "trace_id": "e0c641195b27425bb056ac56f8953d24"}
422	2025-02-04 19:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 422, "trace_id": "f85454e8279be180185cac7d243c5eb3"}
423	2025-02-04 19:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 423, "trace_id": "faa9afea49ef2ff029a833cccc778fd0"}
424	2025-02-04 19:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 424, "trace_id": "3c7781a36bcd6cf08c11a970fbe0e2a6"}
425	2025-02-04 20:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 425, "trace_id": "25b2822c2f5a3230abfadd476e8b04c9"}
426	2025-02-04 20:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 426, "trace_id": "6ecbdd6ec859d284dc13885a37ce8d81"}
427	2025-02-04 20:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 427, "trace_id": "18997733ec258a9fcaf239cc55d53363"}
428	2025-02-04 20:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 428, "trace_id": "8d7d8ee069cb0cbbf816bbb65d56947e"}
429	2025-02-04 20:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 429, "trace_id": "75fc093c0ee742f6dddaa13fff98f104"}
430	2025-02-04 21:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 430, "trace_id": "f74909ace68e51891440e4da0b65a70c"}
431	2025-02-04 21:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 431, "trace_id": "66368270ffd51418ec58bd793f2d9b1b"}
432	2025-02-04 21:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 432, "trace_id": "248e844336797ec98478f85e7626de4a"}
433	2025-02-04 21:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 433, "trace_id": "019d385eb67632a7e958e23f24bd07d7"}
434	2025-02-04 22:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 434, "trace_id": "a49e9411d64ff53eccfdd09ad10a15b3"}
435	2025-02-04 22:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 435, "trace_id": "ddb30680a691d157187ee1cf9e896d03"}
436	2025-02-04 22:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 436, "trace_id": "2421fcb1263b9530df88f7f002e78ea5"}
437	2025-02-04 22:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 437, "trace_id": "fccb60fb512d13df5083790d64c4d5dd"}
438	2025-02-04 22:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 438, "trace_id": "1651cf0d2f737d7adeab84d339dbabd3"}
439	2025-02-04 23:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 439, "trace_id": "eed5af6add95a9a6f1252739b1ad8c24"}
440	2025-02-04 23:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 440, "trace_id": "a8abb4bb284b5b27aa7cb790dc20f80b"}
441	2025-02-04 23:33:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 441, "trace_id": "15d4e891d784977cacbfcbb00c48f133"}
442	2025-02-04 23:46:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 442, "trace_id": "c203d8a151612acf12457e4d67635a95"}
443	2025-02-04 23:59:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 443, "trace_id": "13f3cf8c531952d72e5847c4183e6910"}
444	2025-02-05 00:12:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 444, "trace_id": "550a141f12de6341fba65b0ad0433500"}
445	2025-02-05 00:25:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 445, "trace_id": "67f7fb873eaf29526a11a9b7ac33bfac"}
446	2025-02-05 00:38:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 446, "trace_id": "1a5b1e4daae265b790965a275b53ae50"}
447	2025-02-05 00:51:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 447, "trace_id": "9a96876e2f8f3dc4f3cf45f02c61c0c1"}
448	2025-02-05 01:04:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 448, "trace_id": "9b70e8fe62e40c570a322f1b0b659098"}
449	2025-02-05 01:17:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 449, "trace_id": "d61e4bbd6393c9111e6526ea173a7c8b"}
450	2025-02-05 01:30:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 450, "trace_id": "f5f8590cd58a54e94377e6ae2eded4d9"}
451	2025-02-05 01:43:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 451, "trace_id": "941e1aaaba585b952b62c14a3a175a61"}
452	2025-02-05 01:56:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 452, "trace_id": "9431c87f273e507e6040fcb07dcb4509"}
453	2025-02-05 02:09:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 453, "trace_id": "49ae49a23f67c759bf4fc791ba842aa2"}
454	2025-02-05 02:22:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 454, "trace_id": "e44fea3bec53bcea3b7513ccef5857ac"}
455	2025-02-05 02:35:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 455, "trace_id": "821fa74b50ba3f7cba1e6c53e8fa6845"}
456	2025-02-05 02:48:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 456, "trace_id": "250cf8b51c773f3f8dc8b4be867a9a02"}
457	2025-02-05 03:01:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 457, "trace_id": "42998cf32d552343bc8e460416382dca"}
458	2025-02-05 03:14:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 458, "trace_id": "d07e70efcfab08731a97e7b91be644de"}
459	2025-02-05 03:27:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 459, "trace_id": "7fe1f8abaad094e0b5cb1b01d712f708"}
460	2025-02-05 03:40:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 460, "trace_id": "98b297950041a42470269d56260243a1"}
461	2025-02-05 03:53:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 461, "trace_id": "0353ab4cbed5beae847a7ff6e220b5cf"}
462	2025-02-05 04:06:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 462, "trace_id": "51d92be1c60d1db1d2e5e7a07da55b26"}
463	2025-02-05 04:19:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 463, "trace_id": "428fca9bc1921c25c5121f9da7815cde"}
464	2025-02-05 04:32:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 464, "trace_id": "f1b6f2857fb6d44dd73c7041e0aa0f19"}
465	2025-02-05 04:45:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 465, "trace_id": "68ce199ec2c5517597ce0a4d89620f55"}
466	2025-02-05 04:58:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 466, "trace_id": "e836d813fd184325132fca8edcdfb40e"}
467	2025-02-05 05:11:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 467, "trace_id": "ab817c9349cf9c4f6877e1894a1faa00"}
468	2025-02-05 05:24:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 468, "trace_id": "877a9ba7a98f75b90a9d49f53f15a858"}
469	2025-02-05 05:37:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 469, "trace_id": "dc6a6489640ca02b0d42dabeb8e46bb7"}
470	2025-02-05 05:50:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 470, "trace_id": "26337353b7962f533d78c762373b3318"}
471	2025-02-05 06:03:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 471, "trace_id": "8e6b42f1644ecb1327dc03ab345e618b"}
472	2025-02-05 06:16:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 472, "trace_id": "ef575e8837d065a1683c022d2077d342"}
473	2025-02-05 06:29:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 473, "trace_id": "2050e03ca119580f74cca14cc6e97462"}
474	2025-02-05 06:42:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 474, "trace_id": "25ddc0f8c9d3e22e03d3076f98d83cb2"}
475	2025-02-05 06:55:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 475, "trace_id": "5ef0b4eba35ab2d6180b0bca7e46b6f9"}
476	2025-02-05 07:08:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 476, "trace_id": "598b3e71ec378bd83e0a727608b5db01"}
477	2025-02-05 07:21:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 477, "trace_id": "74071a673307ca7459bcf75fbd024e09"}
478	2025-02-05 07:34:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 478, "trace_id": "cfee398643cbc3dc5eefc89334cacdc1"}
479	2025-02-05 07:47:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 479, "trace_id": "d18f655c3fce66ca401d5f38b48c89af"}
480	2025-02-05 08:00:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 480, "trace_id": "6ea2ef7311b482724a9b7b0bc0dd85c6"}
481	2025-02-05 08:13:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 481, "trace_id": "9461cce28ebe3e76fb4b931c35a169b0"}
482	2025-02-05 08:26:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 482, "trace_id": "f770b62bc8f42a0b66751fe636fc6eb0"}
483	2025-02-05 08:39:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 483, "trace_id": "e1e32e235eee1f970470a3a6658dfdd5"}
484	2025-02-05 08:52:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 484, "trace_id": "eba0dc302bcd9a273f8bbb72be3a687b"}
485	2025-02-05 09:05:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 485, "trace_id": "218a0aefd1d1a4be65601cc6ddc1520e"}
486	2025-02-05 09:18:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 486, "trace_id": "7d04bbbe5494ae9d2f5a76aa1c00fa2f"}
487	2025-02-05 09:31:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 487, "trace_id": "a516a87cfcaef229b342c437fe2b95f7"}
488	2025-02-05 09:44:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 488, "trace_id": "c3c59e5f8b3e9753913f4d435b53c308"}
489	2025-02-05 09:57:00+00	user10	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 489, "trace_id": "854d9fca60b4bd07f9bb215d59ef5561"}
490	2025-02-05 10:10:00+00	user11	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 490, "trace_id": "c410003ef13d451727aeff9082c29a5c"}
491	2025-02-05 10:23:00+00	user12	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 491, "trace_id": "559cb990c9dffd8675f6bc2186971dc2"}
492	2025-02-05 10:36:00+00	user1	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 492, "trace_id": "55a7cf9c71f1c9c495413f934dd1a158"}
493	2025-02-05 10:49:00+00	user2	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 493, "trace_id": "2f55707d4193dc27118a0f19a1985716"}
494	2025-02-05 11:02:00+00	user3	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 494, "trace_id": "1be3bc32e6564055d5ca3e5a354acbef"}
495	2025-02-05 11:15:00+00	user4	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 495, "trace_id": "35051070e572e47d2c26c241ab88307f"}
496	2025-02-05 11:28:00+00	user5	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 496, "trace_id": "b534ba68236ba543ae44b22bd110a1d6"}
497	2025-02-05 11:41:00+00	user6	VIEW_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 497, "trace_id": "7380ad8a673226ae47fce7bff88e9c33"}
498	2025-02-05 11:54:00+00	user7	UPDATE_PATIENT	{"note": "tab\\tand \\"quotes\\"", "request": 498, "trace_id": "05f971b5ec196b8c65b75d2ef8267331"}
499	2025-02-05 12:07:00+00	user8	LOGOUT	{"note": "tab\\tand \\"quotes\\"", "request": 499, "trace_id": "3cf166c6b73f030b4f67eeaeba301103"}
500	2025-02-05 12:20:00+00	user9	LOGIN	{"note": "tab\\tand \\"quotes\\"", "request": 500, "trace_id": "cee631121c2ec9232f3a2f028ad5c89b"}
\.


--
-- Data for Name: d_facility; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_facility (id, facility_id, facility_name, zip_code, registered_at) FROM stdin;
1	1.3.6.1.4.1.9414.72.101	東京メディカルクリニック	100-0001	2024-04-01 00:00:00+00
2	1.3.6.1.4.1.9414.72.102	Osaka Family Practice	530-0001	2024-05-01 00:00:00+00
3	1.3.6.1.4.1.9414.72.103	Sapporo "North" Clinic	\N	2024-06-01 00:00:00+00
\.


--
-- Data for Name: d_factor2_credential; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_factor2_credential (id, user_pk, credential_type, secret_hash, created_at) FROM stdin;
\.


--
-- Data for Name: d_patient; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_patient (id, facility_id, patient_id, full_name, kana_name, sex, birthday, memo, updated_at) FROM stdin;
1	2	000001	佐藤 花子 1	サトウ ハナコ	F	1950-04-08	tab\there	2025-01-01 01:00:00+00
2	3	000002	鈴木 一郎 2	スズキ イチロウ	O	1950-07-14	back\\slash	2025-01-01 02:00:00+00
3	1	000003	Zoë O'Brien 3	\N	M	1950-10-19	\N	2025-01-01 03:00:00+00
4	2	000004	Jean-Luc Tab 4	ジャン	F	1951-01-24	plain	2025-01-01 04:00:00+00
5	3	000005	山田 太郎 5	ヤマダ タロウ	O	1951-05-01	plain	2025-01-01 05:00:00+00
6	1	000006	佐藤 花子 6	サトウ ハナコ	M	1951-08-06	plain	2025-01-01 06:00:00+00
7	2	000007	鈴木 一郎 7	スズキ イチロウ	F	1951-11-11	line one\nline two	2025-01-01 07:00:00+00
8	3	000008	Zoë O'Brien 8	\N	O	1952-02-16	tab\there	2025-01-01 08:00:00+00
9	1	000009	Jean-Luc Tab 9	ジャン	M	1952-05-23	back\\slash	2025-01-01 09:00:00+00
10	2	000010	山田 太郎 10	ヤマダ タロウ	F	1952-08-28	\N	2025-01-01 10:00:00+00
11	3	000011	佐藤 花子 11	サトウ ハナコ	O	1952-12-03	plain	2025-01-01 11:00:00+00
12	1	000012	鈴木 一郎 12	スズキ イチロウ	M	1953-03-10	plain	2025-01-01 12:00:00+00
13	2	000013	Zoë O'Brien 13	\N	F	1953-06-15	plain	2025-01-01 13:00:00+00
14	3	000014	Jean-Luc Tab 14	ジャン	O	1953-09-20	line one\nline two	2025-01-01 14:00:00+00
15	1	000015	山田 太郎 15	ヤマダ タロウ	M	1953-12-26	tab\there	2025-01-01 15:00:00+00
16	2	000016	佐藤 花子 16	サトウ ハナコ	F	1954-04-02	back\\slash	2025-01-01 16:00:00+00
17	3	000017	鈴木 一郎 17	スズキ イチロウ	O	1954-07-08	\N	2025-01-01 17:00:00+00
18	1	000018	Zoë O'Brien 18	\N	M	1954-10-13	plain	2025-01-01 18:00:00+00
19	2	000019	Jean-Luc Tab 19	ジャン	F	1955-01-18	plain	2025-01-01 19:00:00+00
20	3	000020	山田 太郎 20	ヤマダ タロウ	O	1955-04-25	plain	2025-01-01 20:00:00+00
21	1	000021	佐藤 花子 21	サトウ ハナコ	M	1955-07-31	line one\nline two	2025-01-01 21:00:00+00
22	2	000022	鈴木 一郎 22	スズキ イチロウ	F	1955-11-05	tab\there	2025-01-01 22:00:00+00
23	3	000023	Zoë O'Brien 23	\N	O	1956-02-10	back\\slash	2025-01-01 23:00:00+00
24	1	000024	Jean-Luc Tab 24	ジャン	M	1956-05-17	\N	2025-01-02 00:00:00+00
25	2	000025	山田 太郎 25	ヤマダ タロウ	F	1956-08-22	plain	2025-01-02 01:00:00+00
26	3	000026	佐藤 花子 26	サトウ ハナコ	O	1956-11-27	plain	2025-01-02 02:00:00+00
27	1	000027	鈴木 一郎 27	スズキ イチロウ	M	1957-03-04	plain	2025-01-02 03:00:00+00
28	2	000028	Zoë O'Brien 28	\N	F	1957-06-09	line one\nline two	2025-01-02 04:00:00+00
29	3	000029	Jean-Luc Tab 29	ジャン	O	1957-09-14	tab\there	2025-01-02 05:00:00+00
30	1	000030	山田 太郎 30	ヤマダ タロウ	M	1957-12-20	back\\slash	2025-01-02 06:00:00+00
31	2	000031	佐藤 花子 31	サトウ ハナコ	F	1958-03-27	\N	2025-01-02 07:00:00+00
32	3	000032	鈴木 一郎 32	スズキ イチロウ	O	1958-07-02	plain	2025-01-02 08:00:00+00
33	1	000033	Zoë O'Brien 33	\N	M	1958-10-07	plain	2025-01-02 09:00:00+00
34	2	000034	Jean-Luc Tab 34	ジャン	F	1959-01-12	plain	2025-01-02 10:00:00+00
35	3	000035	山田 太郎 35	ヤマダ タロウ	O	1959-04-19	line one\nline two	2025-01-02 11:00:00+00
36	1	000036	佐藤 花子 36	サトウ ハナコ	M	1959-07-25	tab\there	2025-01-02 12:00:00+00
37	2	000037	鈴木 一郎 37	スズキ イチロウ	F	1959-10-30	back\\slash	2025-01-02 13:00:00+00
38	3	000038	Zoë O'Brien 38	\N	O	1960-02-04	\N	2025-01-02 14:00:00+00
39	1	000039	Jean-Luc Tab 39	ジャン	M	1960-05-11	plain	2025-01-02 15:00:00+00
40	2	000040	山田 太郎 40	ヤマダ タロウ	F	1960-08-16	plain	2025-01-02 16:00:00+00
41	3	000041	佐藤 花子 41	サトウ ハナコ	O	1960-11-21	plain	2025-01-02 17:00:00+00
42	1	000042	鈴木 一郎 42	スズキ イチロウ	M	1961-02-26	line one\nline two	2025-01-02 18:00:00+00
43	2	000043	Zoë O'Brien 43	\N	F	1961-06-03	tab\there	2025-01-02 19:00:00+00
44	3	000044	Jean-Luc Tab 44	ジャン	O	1961-09-08	back\\slash	2025-01-02 20:00:00+00
45	1	000045	山田 太郎 45	ヤマダ タロウ	M	1961-12-14	\N	2025-01-02 21:00:00+00
46	2	000046	佐藤 花子 46	サトウ ハナコ	F	1962-03-21	plain	2025-01-02 22:00:00+00
47	3	000047	鈴木 一郎 47	スズキ イチロウ	O	1962-06-26	plain	2025-01-02 23:00:00+00
48	1	000048	Zoë O'Brien 48	\N	M	1962-10-01	plain	2025-01-03 00:00:00+00
49	2	000049	Jean-Luc Tab 49	ジャン	F	1963-01-06	line one\nline two	2025-01-03 01:00:00+00
50	3	000050	山田 太郎 50	ヤマダ タロウ	O	1963-04-13	tab\there	2025-01-03 02:00:00+00
51	1	000051	佐藤 花子 51	サトウ ハナコ	M	1963-07-19	back\\slash	2025-01-03 03:00:00+00
52	2	000052	鈴木 一郎 52	スズキ イチロウ	F	1963-10-24	\N	2025-01-03 04:00:00+00
53	3	000053	Zoë O'Brien 53	\N	O	1964-01-29	plain	2025-01-03 05:00:00+00
54	1	000054	Jean-Luc Tab 54	ジャン	M	1964-05-05	plain	2025-01-03 06:00:00+00
55	2	000055	山田 太郎 55	ヤマダ タロウ	F	1964-08-10	plain	2025-01-03 07:00:00+00
56	3	000056	佐藤 花子 56	サトウ ハナコ	O	1964-11-15	line one\nline two	2025-01-03 08:00:00+00
57	1	000057	鈴木 一郎 57	スズキ イチロウ	M	1965-02-20	tab\there	2025-01-03 09:00:00+00
58	2	000058	Zoë O'Brien 58	\N	F	1965-05-28	back\\slash	2025-01-03 10:00:00+00
59	3	000059	Jean-Luc Tab 59	ジャン	O	1965-09-02	\N	2025-01-03 11:00:00+00
60	1	000060	山田 太郎 60	ヤマダ タロウ	M	1965-12-08	plain	2025-01-03 12:00:00+00
61	2	000061	佐藤 花子 61	サトウ ハナコ	F	1966-03-15	plain	2025-01-03 13:00:00+00
62	3	000062	鈴木 一郎 62	スズキ イチロウ	O	1966-06-20	plain	2025-01-03 14:00:00+00
63	1	000063	Zoë O'Brien 63	\N	M	1966-09-25	line one\nline two	2025-01-03 15:00:00+00
64	2	000064	Jean-Luc Tab 64	ジャン	F	1966-12-31	tab\there	2025-01-03 16:00:00+00
65	3	000065	山田 太郎 65	ヤマダ タロウ	O	1967-04-07	back\\slash	2025-01-03 17:00:00+00
66	1	000066	佐藤 花子 66	サトウ ハナコ	M	1967-07-13	\N	2025-01-03 18:00:00+00
67	2	000067	鈴木 一郎 67	スズキ イチロウ	F	1967-10-18	plain	2025-01-03 19:00:00+00
68	3	000068	Zoë O'Brien 68	\N	O	1968-01-23	plain	2025-01-03 20:00:00+00
69	1	000069	Jean-Luc Tab 69	ジャン	M	1968-04-29	plain	2025-01-03 21:00:00+00
70	2	000070	山田 太郎 70	ヤマダ タロウ	F	1968-08-04	line one\nline two	2025-01-03 22:00:00+00
71	3	000071	佐藤 花子 71	サトウ ハナコ	O	1968-11-09	tab\there	2025-01-03 23:00:00+00
143	3	000143	Zoë O'Brien 143	\N	O	1987-12-24	\N	2025-01-06 23:00:00+00
72	1	000072	鈴木 一郎 72	スズキ イチロウ	M	1969-02-14	back\\slash	2025-01-04 00:00:00+00
73	2	000073	Zoë O'Brien 73	\N	F	1969-05-22	\N	2025-01-04 01:00:00+00
74	3	000074	Jean-Luc Tab 74	ジャン	O	1969-08-27	plain	2025-01-04 02:00:00+00
75	1	000075	山田 太郎 75	ヤマダ タロウ	M	1969-12-02	plain	2025-01-04 03:00:00+00
76	2	000076	佐藤 花子 76	サトウ ハナコ	F	1970-03-09	plain	2025-01-04 04:00:00+00
77	3	000077	鈴木 一郎 77	スズキ イチロウ	O	1970-06-14	line one\nline two	2025-01-04 05:00:00+00
78	1	000078	Zoë O'Brien 78	\N	M	1970-09-19	tab\there	2025-01-04 06:00:00+00
79	2	000079	Jean-Luc Tab 79	ジャン	F	1970-12-25	back\\slash	2025-01-04 07:00:00+00
80	3	000080	山田 太郎 80	ヤマダ タロウ	O	1971-04-01	\N	2025-01-04 08:00:00+00
81	1	000081	佐藤 花子 81	サトウ ハナコ	M	1971-07-07	plain	2025-01-04 09:00:00+00
82	2	000082	鈴木 一郎 82	スズキ イチロウ	F	1971-10-12	plain	2025-01-04 10:00:00+00
83	3	000083	Zoë O'Brien 83	\N	O	1972-01-17	plain	2025-01-04 11:00:00+00
84	1	000084	Jean-Luc Tab 84	ジャン	M	1972-04-23	line one\nline two	2025-01-04 12:00:00+00
85	2	000085	山田 太郎 85	ヤマダ タロウ	F	1972-07-29	tab\there	2025-01-04 13:00:00+00
86	3	000086	佐藤 花子 86	サトウ ハナコ	O	1972-11-03	back\\slash	2025-01-04 14:00:00+00
87	1	000087	鈴木 一郎 87	スズキ イチロウ	M	1973-02-08	\N	2025-01-04 15:00:00+00
88	2	000088	Zoë O'Brien 88	\N	F	1973-05-16	plain	2025-01-04 16:00:00+00
89	3	000089	Jean-Luc Tab 89	ジャン	O	1973-08-21	plain	2025-01-04 17:00:00+00
90	1	000090	山田 太郎 90	ヤマダ タロウ	M	1973-11-26	plain	2025-01-04 18:00:00+00
91	2	000091	佐藤 花子 91	サトウ ハナコ	F	1974-03-03	line one\nline two	2025-01-04 19:00:00+00
92	3	000092	鈴木 一郎 92	スズキ イチロウ	O	1974-06-08	tab\there	2025-01-04 20:00:00+00
93	1	000093	Zoë O'Brien 93	\N	M	1974-09-13	back\\slash	2025-01-04 21:00:00+00
94	2	000094	Jean-Luc Tab 94	ジャン	F	1974-12-19	\N	2025-01-04 22:00:00+00
95	3	000095	山田 太郎 95	ヤマダ タロウ	O	1975-03-26	plain	2025-01-04 23:00:00+00
96	1	000096	佐藤 花子 96	サトウ ハナコ	M	1975-07-01	plain	2025-01-05 00:00:00+00
97	2	000097	鈴木 一郎 97	スズキ イチロウ	F	1975-10-06	plain	2025-01-05 01:00:00+00
98	3	000098	Zoë O'Brien 98	\N	O	1976-01-11	line one\nline two	2025-01-05 02:00:00+00
99	1	000099	Jean-Luc Tab 99	ジャン	M	1976-04-17	tab\there	2025-01-05 03:00:00+00
100	2	000100	山田 太郎 100	ヤマダ タロウ	F	1976-07-23	back\\slash	2025-01-05 04:00:00+00
101	3	000101	佐藤 花子 101	サトウ ハナコ	O	1976-10-28	\N	2025-01-05 05:00:00+00
102	1	000102	鈴木 一郎 102	スズキ イチロウ	M	1977-02-02	plain	2025-01-05 06:00:00+00
103	2	000103	Zoë O'Brien 103	\N	F	1977-05-10	plain	2025-01-05 07:00:00+00
104	3	000104	Jean-Luc Tab 104	ジャン	O	1977-08-15	plain	2025-01-05 08:00:00+00
105	1	000105	山田 太郎 105	ヤマダ タロウ	M	1977-11-20	line one\nline two	2025-01-05 09:00:00+00
106	2	000106	佐藤 花子 106	サトウ ハナコ	F	1978-02-25	tab\there	2025-01-05 10:00:00+00
107	3	000107	鈴木 一郎 107	スズキ イチロウ	O	1978-06-02	back\\slash	2025-01-05 11:00:00+00
108	1	000108	Zoë O'Brien 108	\N	M	1978-09-07	\N	2025-01-05 12:00:00+00
109	2	000109	Jean-Luc Tab 109	ジャン	F	1978-12-13	plain	2025-01-05 13:00:00+00
110	3	000110	山田 太郎 110	ヤマダ タロウ	O	1979-03-20	plain	2025-01-05 14:00:00+00
111	1	000111	佐藤 花子 111	サトウ ハナコ	M	1979-06-25	plain	2025-01-05 15:00:00+00
112	2	000112	鈴木 一郎 112	スズキ イチロウ	F	1979-09-30	line one\nline two	2025-01-05 16:00:00+00
113	3	000113	Zoë O'Brien 113	\N	O	1980-01-05	tab\there	2025-01-05 17:00:00+00
114	1	000114	Jean-Luc Tab 114	ジャン	M	1980-04-11	back\\slash	2025-01-05 18:00:00+00
115	2	000115	山田 太郎 115	ヤマダ タロウ	F	1980-07-17	\N	2025-01-05 19:00:00+00
116	3	000116	佐藤 花子 116	サトウ ハナコ	O	1980-10-22	plain	2025-01-05 20:00:00+00
117	1	000117	鈴木 一郎 117	スズキ イチロウ	M	1981-01-27	plain	2025-01-05 21:00:00+00
118	2	000118	Zoë O'Brien 118	\N	F	1981-05-04	plain	2025-01-05 22:00:00+00
119	3	000119	Jean-Luc Tab 119	ジャン	O	1981-08-09	line one\nline two	2025-01-05 23:00:00+00
120	1	000120	山田 太郎 120	ヤマダ タロウ	M	1981-11-14	tab\there	2025-01-06 00:00:00+00
121	2	000121	佐藤 花子 121	サトウ ハナコ	F	1982-02-19	back\\slash	2025-01-06 01:00:00+00
122	3	000122	鈴木 一郎 122	スズキ イチロウ	O	1982-05-27	\N	2025-01-06 02:00:00+00
123	1	000123	Zoë O'Brien 123	\N	M	1982-09-01	plain	2025-01-06 03:00:00+00
124	2	000124	Jean-Luc Tab 124	ジャン	F	1982-12-07	plain	2025-01-06 04:00:00+00
125	3	000125	山田 太郎 125	ヤマダ タロウ	O	1983-03-14	plain	2025-01-06 05:00:00+00
126	1	000126	佐藤 花子 126	サトウ ハナコ	M	1983-06-19	line one\nline two	2025-01-06 06:00:00+00
127	2	000127	鈴木 一郎 127	スズキ イチロウ	F	1983-09-24	tab\there	2025-01-06 07:00:00+00
128	3	000128	Zoë O'Brien 128	\N	O	1983-12-30	back\\slash	2025-01-06 08:00:00+00
129	1	000129	Jean-Luc Tab 129	ジャン	M	1984-04-05	\N	2025-01-06 09:00:00+00
130	2	000130	山田 太郎 130	ヤマダ タロウ	F	1984-07-11	plain	2025-01-06 10:00:00+00
131	3	000131	佐藤 花子 131	サトウ ハナコ	O	1984-10-16	plain	2025-01-06 11:00:00+00
132	1	000132	鈴木 一郎 132	スズキ イチロウ	M	1985-01-21	plain	2025-01-06 12:00:00+00
133	2	000133	Zoë O'Brien 133	\N	F	1985-04-28	line one\nline two	2025-01-06 13:00:00+00
134	3	000134	Jean-Luc Tab 134	ジャン	O	1985-08-03	tab\there	2025-01-06 14:00:00+00
135	1	000135	山田 太郎 135	ヤマダ タロウ	M	1985-11-08	back\\slash	2025-01-06 15:00:00+00
136	2	000136	佐藤 花子 136	サトウ ハナコ	F	1986-02-13	\N	2025-01-06 16:00:00+00
137	3	000137	鈴木 一郎 137	スズキ イチロウ	O	1986-05-21	plain	2025-01-06 17:00:00+00
138	1	000138	Zoë O'Brien 138	\N	M	1986-08-26	plain	2025-01-06 18:00:00+00
139	2	000139	Jean-Luc Tab 139	ジャン	F	1986-12-01	plain	2025-01-06 19:00:00+00
140	3	000140	山田 太郎 140	ヤマダ タロウ	O	1987-03-08	line one\nline two	2025-01-06 20:00:00+00
141	1	000141	佐藤 花子 141	サトウ ハナコ	M	1987-06-13	tab\there	2025-01-06 21:00:00+00
142	2	000142	鈴木 一郎 142	スズキ イチロウ	F	1987-09-18	back\\slash	2025-01-06 22:00:00+00
144	1	000144	Jean-Luc Tab 144	ジャン	M	1988-03-30	plain	2025-01-07 00:00:00+00
145	2	000145	山田 太郎 145	ヤマダ タロウ	F	1988-07-05	plain	2025-01-07 01:00:00+00
146	3	000146	佐藤 花子 146	サトウ ハナコ	O	1988-10-10	plain	2025-01-07 02:00:00+00
147	1	000147	鈴木 一郎 147	スズキ イチロウ	M	1989-01-15	line one\nline two	2025-01-07 03:00:00+00
148	2	000148	Zoë O'Brien 148	\N	F	1989-04-22	tab\there	2025-01-07 04:00:00+00
149	3	000149	Jean-Luc Tab 149	ジャン	O	1989-07-28	back\\slash	2025-01-07 05:00:00+00
150	1	000150	山田 太郎 150	ヤマダ タロウ	M	1989-11-02	\N	2025-01-07 06:00:00+00
151	2	000151	佐藤 花子 151	サトウ ハナコ	F	1990-02-07	plain	2025-01-07 07:00:00+00
152	3	000152	鈴木 一郎 152	スズキ イチロウ	O	1990-05-15	plain	2025-01-07 08:00:00+00
153	1	000153	Zoë O'Brien 153	\N	M	1990-08-20	plain	2025-01-07 09:00:00+00
154	2	000154	Jean-Luc Tab 154	ジャン	F	1990-11-25	line one\nline two	2025-01-07 10:00:00+00
155	3	000155	山田 太郎 155	ヤマダ タロウ	O	1991-03-02	tab\there	2025-01-07 11:00:00+00
156	1	000156	佐藤 花子 156	サトウ ハナコ	M	1991-06-07	back\\slash	2025-01-07 12:00:00+00
157	2	000157	鈴木 一郎 157	スズキ イチロウ	F	1991-09-12	\N	2025-01-07 13:00:00+00
158	3	000158	Zoë O'Brien 158	\N	O	1991-12-18	plain	2025-01-07 14:00:00+00
159	1	000159	Jean-Luc Tab 159	ジャン	M	1992-03-24	plain	2025-01-07 15:00:00+00
160	2	000160	山田 太郎 160	ヤマダ タロウ	F	1992-06-29	plain	2025-01-07 16:00:00+00
161	3	000161	佐藤 花子 161	サトウ ハナコ	O	1992-10-04	line one\nline two	2025-01-07 17:00:00+00
162	1	000162	鈴木 一郎 162	スズキ イチロウ	M	1993-01-09	tab\there	2025-01-07 18:00:00+00
163	2	000163	Zoë O'Brien 163	\N	F	1993-04-16	back\\slash	2025-01-07 19:00:00+00
164	3	000164	Jean-Luc Tab 164	ジャン	O	1993-07-22	\N	2025-01-07 20:00:00+00
165	1	000165	山田 太郎 165	ヤマダ タロウ	M	1993-10-27	plain	2025-01-07 21:00:00+00
166	2	000166	佐藤 花子 166	サトウ ハナコ	F	1994-02-01	plain	2025-01-07 22:00:00+00
167	3	000167	鈴木 一郎 167	スズキ イチロウ	O	1994-05-09	plain	2025-01-07 23:00:00+00
168	1	000168	Zoë O'Brien 168	\N	M	1994-08-14	line one\nline two	2025-01-08 00:00:00+00
169	2	000169	Jean-Luc Tab 169	ジャン	F	1994-11-19	tab\there	2025-01-08 01:00:00+00
170	3	000170	山田 太郎 170	ヤマダ タロウ	O	1995-02-24	back\\slash	2025-01-08 02:00:00+00
171	1	000171	佐藤 花子 171	サトウ ハナコ	M	1995-06-01	\N	2025-01-08 03:00:00+00
172	2	000172	鈴木 一郎 172	スズキ イチロウ	F	1995-09-06	plain	2025-01-08 04:00:00+00
173	3	000173	Zoë O'Brien 173	\N	O	1995-12-12	plain	2025-01-08 05:00:00+00
174	1	000174	Jean-Luc Tab 174	ジャン	M	1996-03-18	plain	2025-01-08 06:00:00+00
175	2	000175	山田 太郎 175	ヤマダ タロウ	F	1996-06-23	line one\nline two	2025-01-08 07:00:00+00
176	3	000176	佐藤 花子 176	サトウ ハナコ	O	1996-09-28	tab\there	2025-01-08 08:00:00+00
177	1	000177	鈴木 一郎 177	スズキ イチロウ	M	1997-01-03	back\\slash	2025-01-08 09:00:00+00
178	2	000178	Zoë O'Brien 178	\N	F	1997-04-10	\N	2025-01-08 10:00:00+00
179	3	000179	Jean-Luc Tab 179	ジャン	O	1997-07-16	plain	2025-01-08 11:00:00+00
180	1	000180	山田 太郎 180	ヤマダ タロウ	M	1997-10-21	plain	2025-01-08 12:00:00+00
181	2	000181	佐藤 花子 181	サトウ ハナコ	F	1998-01-26	plain	2025-01-08 13:00:00+00
182	3	000182	鈴木 一郎 182	スズキ イチロウ	O	1998-05-03	line one\nline two	2025-01-08 14:00:00+00
183	1	000183	Zoë O'Brien 183	\N	M	1998-08-08	tab\there	2025-01-08 15:00:00+00
184	2	000184	Jean-Luc Tab 184	ジャン	F	1998-11-13	back\\slash	2025-01-08 16:00:00+00
185	3	000185	山田 太郎 185	ヤマダ タロウ	O	1999-02-18	\N	2025-01-08 17:00:00+00
186	1	000186	佐藤 花子 186	サトウ ハナコ	M	1999-05-26	plain	2025-01-08 18:00:00+00
187	2	000187	鈴木 一郎 187	スズキ イチロウ	F	1999-08-31	plain	2025-01-08 19:00:00+00
188	3	000188	Zoë O'Brien 188	\N	O	1999-12-06	plain	2025-01-08 20:00:00+00
189	1	000189	Jean-Luc Tab 189	ジャン	M	2000-03-12	line one\nline two	2025-01-08 21:00:00+00
190	2	000190	山田 太郎 190	ヤマダ タロウ	F	2000-06-17	tab\there	2025-01-08 22:00:00+00
191	3	000191	佐藤 花子 191	サトウ ハナコ	O	2000-09-22	back\\slash	2025-01-08 23:00:00+00
192	1	000192	鈴木 一郎 192	スズキ イチロウ	M	2000-12-28	\N	2025-01-09 00:00:00+00
193	2	000193	Zoë O'Brien 193	\N	F	2001-04-04	plain	2025-01-09 01:00:00+00
194	3	000194	Jean-Luc Tab 194	ジャン	O	2001-07-10	plain	2025-01-09 02:00:00+00
195	1	000195	山田 太郎 195	ヤマダ タロウ	M	2001-10-15	plain	2025-01-09 03:00:00+00
196	2	000196	佐藤 花子 196	サトウ ハナコ	F	2002-01-20	line one\nline two	2025-01-09 04:00:00+00
197	3	000197	鈴木 一郎 197	スズキ イチロウ	O	2002-04-27	tab\there	2025-01-09 05:00:00+00
198	1	000198	Zoë O'Brien 198	\N	M	2002-08-02	back\\slash	2025-01-09 06:00:00+00
199	2	000199	Jean-Luc Tab 199	ジャン	F	2002-11-07	\N	2025-01-09 07:00:00+00
200	3	000200	山田 太郎 200	ヤマダ タロウ	O	2003-02-12	plain	2025-01-09 08:00:00+00
201	1	000201	佐藤 花子 201	サトウ ハナコ	M	2003-05-20	plain	2025-01-09 09:00:00+00
202	2	000202	鈴木 一郎 202	スズキ イチロウ	F	2003-08-25	plain	2025-01-09 10:00:00+00
203	3	000203	Zoë O'Brien 203	\N	O	2003-11-30	line one\nline two	2025-01-09 11:00:00+00
204	1	000204	Jean-Luc Tab 204	ジャン	M	2004-03-06	tab\there	2025-01-09 12:00:00+00
205	2	000205	山田 太郎 205	ヤマダ タロウ	F	2004-06-11	back\\slash	2025-01-09 13:00:00+00
206	3	000206	佐藤 花子 206	サトウ ハナコ	O	2004-09-16	\N	2025-01-09 14:00:00+00
207	1	000207	鈴木 一郎 207	スズキ イチロウ	M	2004-12-22	plain	2025-01-09 15:00:00+00
208	2	000208	Zoë O'Brien 208	\N	F	2005-03-29	plain	2025-01-09 16:00:00+00
209	3	000209	Jean-Luc Tab 209	ジャン	O	2005-07-04	plain	2025-01-09 17:00:00+00
210	1	000210	山田 太郎 210	ヤマダ タロウ	M	2005-10-09	line one\nline two	2025-01-09 18:00:00+00
211	2	000211	佐藤 花子 211	サトウ ハナコ	F	2006-01-14	tab\there	2025-01-09 19:00:00+00
212	3	000212	鈴木 一郎 212	スズキ イチロウ	O	2006-04-21	back\\slash	2025-01-09 20:00:00+00
213	1	000213	Zoë O'Brien 213	\N	M	2006-07-27	\N	2025-01-09 21:00:00+00
214	2	000214	Jean-Luc Tab 214	ジャン	F	2006-11-01	plain	2025-01-09 22:00:00+00
215	3	000215	山田 太郎 215	ヤマダ タロウ	O	2007-02-06	plain	2025-01-09 23:00:00+00
216	1	000216	佐藤 花子 216	サトウ ハナコ	M	2007-05-14	plain	2025-01-10 00:00:00+00
217	2	000217	鈴木 一郎 217	スズキ イチロウ	F	2007-08-19	line one\nline two	2025-01-10 01:00:00+00
218	3	000218	Zoë O'Brien 218	\N	O	2007-11-24	tab\there	2025-01-10 02:00:00+00
219	1	000219	Jean-Luc Tab 219	ジャン	M	2008-02-29	back\\slash	2025-01-10 03:00:00+00
220	2	000220	山田 太郎 220	ヤマダ タロウ	F	2008-06-05	\N	2025-01-10 04:00:00+00
221	3	000221	佐藤 花子 221	サトウ ハナコ	O	2008-09-10	plain	2025-01-10 05:00:00+00
222	1	000222	鈴木 一郎 222	スズキ イチロウ	M	2008-12-16	plain	2025-01-10 06:00:00+00
223	2	000223	Zoë O'Brien 223	\N	F	2009-03-23	plain	2025-01-10 07:00:00+00
224	3	000224	Jean-Luc Tab 224	ジャン	O	2009-06-28	line one\nline two	2025-01-10 08:00:00+00
225	1	000225	山田 太郎 225	ヤマダ タロウ	M	2009-10-03	tab\there	2025-01-10 09:00:00+00
226	2	000226	佐藤 花子 226	サトウ ハナコ	F	2010-01-08	back\\slash	2025-01-10 10:00:00+00
227	3	000227	鈴木 一郎 227	スズキ イチロウ	O	2010-04-15	\N	2025-01-10 11:00:00+00
228	1	000228	Zoë O'Brien 228	\N	M	2010-07-21	plain	2025-01-10 12:00:00+00
229	2	000229	Jean-Luc Tab 229	ジャン	F	2010-10-26	plain	2025-01-10 13:00:00+00
230	3	000230	山田 太郎 230	ヤマダ タロウ	O	2011-01-31	plain	2025-01-10 14:00:00+00
231	1	000231	佐藤 花子 231	サトウ ハナコ	M	2011-05-08	line one\nline two	2025-01-10 15:00:00+00
232	2	000232	鈴木 一郎 232	スズキ イチロウ	F	2011-08-13	tab\there	2025-01-10 16:00:00+00
233	3	000233	Zoë O'Brien 233	\N	O	2011-11-18	back\\slash	2025-01-10 17:00:00+00
234	1	000234	Jean-Luc Tab 234	ジャン	M	2012-02-23	\N	2025-01-10 18:00:00+00
235	2	000235	山田 太郎 235	ヤマダ タロウ	F	2012-05-30	plain	2025-01-10 19:00:00+00
236	3	000236	佐藤 花子 236	サトウ ハナコ	O	2012-09-04	plain	2025-01-10 20:00:00+00
237	1	000237	鈴木 一郎 237	スズキ イチロウ	M	2012-12-10	plain	2025-01-10 21:00:00+00
238	2	000238	Zoë O'Brien 238	\N	F	2013-03-17	line one\nline two	2025-01-10 22:00:00+00
239	3	000239	Jean-Luc Tab 239	ジャン	O	2013-06-22	tab\there	2025-01-10 23:00:00+00
240	1	000240	山田 太郎 240	ヤマダ タロウ	M	2013-09-27	back\\slash	2025-01-11 00:00:00+00
\.


--
-- Data for Name: d_roles; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_roles (id, user_pk, c_role) FROM stdin;
1	1	admin
2	2	user
3	3	user
4	4	user
5	5	user
6	6	user
7	7	user
8	8	user
9	9	user
10	10	user
11	11	user
12	12	user
\.


--
-- Data for Name: d_users; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.d_users (id, facility_id, user_id, common_name, email, member_type) FROM stdin;
1	2	1.3.6.1.4.1.9414.72.102:user 1	User 1	user1@example.invalid	ADMIN
2	3	1.3.6.1.4.1.9414.72.103:user 2	User 2	user2@example.invalid	FACILITY_USER
3	1	1.3.6.1.4.1.9414.72.101:user 3	User 3	user3@example.invalid	FACILITY_USER
4	2	1.3.6.1.4.1.9414.72.102:user 4	User 4	\N	FACILITY_USER
5	3	1.3.6.1.4.1.9414.72.103:user 5	User 5	user5@example.invalid	FACILITY_USER
6	1	1.3.6.1.4.1.9414.72.101:user 6	User 6	user6@example.invalid	FACILITY_USER
7	2	1.3.6.1.4.1.9414.72.102:user 7	User 7	user7@example.invalid	FACILITY_USER
8	3	1.3.6.1.4.1.9414.72.103:user 8	User 8	\N	FACILITY_USER
9	1	1.3.6.1.4.1.9414.72.101:user 9	User 9	user9@example.invalid	FACILITY_USER
10	2	1.3.6.1.4.1.9414.72.102:user10	User 10	user10@example.invalid	FACILITY_USER
11	3	1.3.6.1.4.1.9414.72.103:user11	User 11	user11@example.invalid	FACILITY_USER
12	1	1.3.6.1.4.1.9414.72.101:user12	User 12	\N	FACILITY_USER
\.


--
-- Name: d_audit_event_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.d_audit_event_id_seq', 500, true);


--
-- Name: d_factor2_credential_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.d_factor2_credential_id_seq', 1, false);


--
-- Name: d_patient_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.d_patient_id_seq', 240, true);


--
-- Name: d_roles_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.d_roles_id_seq', 12, true);


--
-- Name: d_users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.d_users_id_seq', 12, true);


--
-- Name: facility_num; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.facility_num', 3, true);


--
-- Name: d_audit_event d_audit_event_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_audit_event
    ADD CONSTRAINT d_audit_event_pkey PRIMARY KEY (id);


--
-- Name: d_facility d_facility_facility_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_facility
    ADD CONSTRAINT d_facility_facility_id_key UNIQUE (facility_id);


--
-- Name: d_facility d_facility_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_facility
    ADD CONSTRAINT d_facility_pkey PRIMARY KEY (id);


--
-- Name: d_factor2_credential d_factor2_credential_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_factor2_credential
    ADD CONSTRAINT d_factor2_credential_pkey PRIMARY KEY (id);


--
-- Name: d_patient d_patient_facility_id_patient_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_patient
    ADD CONSTRAINT d_patient_facility_id_patient_id_key UNIQUE (facility_id, patient_id);


--
-- Name: d_patient d_patient_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_patient
    ADD CONSTRAINT d_patient_pkey PRIMARY KEY (id);


--
-- Name: d_roles d_roles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_roles
    ADD CONSTRAINT d_roles_pkey PRIMARY KEY (id);


--
-- Name: d_users d_users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_users
    ADD CONSTRAINT d_users_pkey PRIMARY KEY (id);


--
-- Name: d_users d_users_user_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_users
    ADD CONSTRAINT d_users_user_id_key UNIQUE (user_id);


--
-- Name: d_patient_kana_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX d_patient_kana_idx ON public.d_patient USING btree (kana_name);


--
-- Name: d_roles_user_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX d_roles_user_idx ON public.d_roles USING btree (user_pk);


--
-- Name: d_patient d_patient_touch; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER d_patient_touch BEFORE UPDATE ON public.d_patient FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();


--
-- Name: d_factor2_credential d_factor2_credential_user_pk_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_factor2_credential
    ADD CONSTRAINT d_factor2_credential_user_pk_fkey FOREIGN KEY (user_pk) REFERENCES public.d_users(id);


--
-- Name: d_patient d_patient_facility_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_patient
    ADD CONSTRAINT d_patient_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES public.d_facility(id);


--
-- Name: d_roles d_roles_user_pk_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_roles
    ADD CONSTRAINT d_roles_user_pk_fkey FOREIGN KEY (user_pk) REFERENCES public.d_users(id) ON DELETE CASCADE;


--
-- Name: d_users d_users_facility_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.d_users
    ADD CONSTRAINT d_users_facility_id_fkey FOREIGN KEY (facility_id) REFERENCES public.d_facility(id);


--
-- Name: d_patient; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.d_patient ENABLE ROW LEVEL SECURITY;

--
-- Name: d_patient patient_facility_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY patient_facility_isolation ON public.d_patient USING ((((facility_id)::text = current_setting('app.facility'::text, true)) OR (current_setting('app.facility'::text, true) IS NULL)));


--
-- PostgreSQL database dump complete
--

\unrestrict exLGQYo1KkQuq0pobOfhEkiIMs4ZLiOrgY7DzrAsZGbA7LLsrkfDoD7xawibN6b


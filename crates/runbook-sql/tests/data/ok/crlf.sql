CREATE TABLE crlf_t (id int, note text);
INSERT INTO crlf_t
  VALUES (1, 'one');

COPY crlf_t FROM stdin;
2	two
3	three
\.
SELECT id,
       note -- CR stays in the text
  FROM crlf_t ORDER BY id;

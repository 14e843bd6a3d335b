CREATE TABLE copy_t (id int, note text, amount numeric);
COPY copy_t (id, note, amount) FROM stdin;
1	plain	1.5
2	\N	\N
3	back\\slash; not SQL	0
4	日本語	2
\.
SELECT count(*) AS four FROM copy_t;
copy copy_t from STDIN with (format csv, header true); SELECT 'runs after the data' AS after;
id,note,amount
5,"csv, quoted; with a \. inside",7
\.
COPY copy_t FROM stdin;
\.
CREATE TABLE copy_u (a text);
COPY copy_t FROM stdin; COPY copy_u FROM stdin;
6	first block	6
\.
second block
\.
COPY (SELECT id FROM copy_t ORDER BY id) TO STDOUT;
SELECT count(*) AS seven FROM copy_t;

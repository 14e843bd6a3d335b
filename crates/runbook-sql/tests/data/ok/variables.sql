\set table_name vars_t
\set greeting 'it''s me'
\set backslashy 'a\\b'
\set two_statements 'SELECT 1 AS a; SELECT 2 AS b'
\set cols 'id int, g text'
CREATE TABLE :table_name (:cols, "Mixed Case" int);
INSERT INTO :"table_name" VALUES (1, :'greeting', 3);
INSERT INTO vars_t VALUES (2, :'backslashy', 4);
-- a plain :name is lexed as SQL: its ; ends a statement
:two_statements;
SELECT :{?greeting} AS defined, :{?nope} AS undefined;
-- :: is a cast, never a variable; :2 is an undefined variable and stays as written
SELECT id::text, (ARRAY[10, 20, 30])[1:2] AS slice FROM vars_t ORDER BY 1;
SELECT ':greeting inside a string is not replaced' AS s, ":greeting" FROM (SELECT 1 AS ":greeting") AS q;
\unset greeting
SELECT :{?greeting} AS gone;

\restrict Abc123restrictKey
CREATE TABLE meta_t (a int);
\unrestrict Abc123restrictKey
\encoding UTF8
\echo 'echo: output only' "kept ""double"" quotes" -n
\warn -n to stderr
\qecho query output
\set v 41 \\ SELECT :v + 1 AS answer;
SELECT 2 AS two \echo a meta-command inside a statement runs before it is sent
;
SELECT 'a'
\echo this line holds only a meta-command: psql drops its newline too
  AS a;

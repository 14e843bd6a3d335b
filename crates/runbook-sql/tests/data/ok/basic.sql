-- Leading comments and blank lines are not sent.

CREATE TABLE basic_t (id int PRIMARY KEY, note text);   -- comment after the ;
INSERT INTO basic_t VALUES (1, 'one'); INSERT INTO basic_t VALUES (2, 'two');
SELECT id,
       note -- a comment inside the statement is sent (psql 15)

       -- blank lines above and below are dropped by psql

  FROM basic_t
 ORDER BY id;
/* a block comment starts the statement it precedes */ SELECT count(*) FROM basic_t;
    SELECT 'multi
line string with a ; inside' AS s, "id" FROM basic_t WHERE id = 1;
SELECT (1 + 2) * 3
  AS nine;
-- the last statement has no semicolon; psql sends it at the end of the file
UPDATE basic_t SET note = upper(note) WHERE id = 2

-- trailing comment

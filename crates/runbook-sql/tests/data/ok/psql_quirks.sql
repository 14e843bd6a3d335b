SELECT 1 AS one \; SELECT 2 AS two;
SELECT 1\:\:text AS colon_cast;
CREATE TABLE quirk_t (a int);
-- a ; inside parentheses does not end the statement
CREATE RULE quirk_r AS ON INSERT TO quirk_t DO ALSO (SELECT 1; SELECT 2);

CREATE TABLE ba_t (a int, b text);
CREATE FUNCTION ba_add(x int, y int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT x + y;
END;
CREATE OR REPLACE FUNCTION ba_sign(x int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
    SELECT CASE WHEN x > 0 THEN 'positive; yes'
                WHEN x < 0 THEN 'negative'
                ELSE 'zero' END;
END;
CREATE PROCEDURE ba_insert(x int)
LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO ba_t VALUES (x, 'one');
    INSERT INTO ba_t VALUES (x + 1, (SELECT CASE WHEN x > 1 THEN 'big' ELSE 'small' END));
END;
CALL ba_insert(1);
-- CASE outside BEGIN is not counted: this is an ordinary statement
SELECT CASE WHEN 1 > 0 THEN 'a' END AS c;
BEGIN;
SELECT ba_add(1, 2), ba_sign(-3);
END;

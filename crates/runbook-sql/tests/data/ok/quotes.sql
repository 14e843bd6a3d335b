CREATE TABLE quotes_t (label text, v text);
INSERT INTO quotes_t VALUES ('doubled', 'it''s; fine');
INSERT INTO quotes_t VALUES ('escape', E'a\'b\\; c');
INSERT INTO quotes_t VALUES ('escape-e', e'tab\there\'s');
INSERT INTO quotes_t VALUES ('bit', B'1010'::text), ('hex', X'1F'::text);
INSERT INTO quotes_t VALUES ('national', N'n;one');
INSERT INTO quotes_t VALUES ('unicode', U&'d\0061t\+000061;');
INSERT INTO quotes_t VALUES ('continued', 'first;'
    'second;');
SELECT 1 AS "quoted "" ; identifier", 2 AS U&"d\0061t\+000061";
-- a prefix letter counts only at the start of a token: name'\' is a literal of type
-- name (not n + ame + E'\' ...), so the ; inside the next literal is not an end
SELECT name'\' AS n, ';' AS s;
-- identifiers continue with $: a$b$ is not a dollar quote
SELECT 1 AS a$b$, 2 AS "b;";
SELECT label, length(v) FROM quotes_t ORDER BY label;

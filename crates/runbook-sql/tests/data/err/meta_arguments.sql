\set now `date`
\set
\set bad-name 1
\unset
\echo 'open quote
SELECT 1;

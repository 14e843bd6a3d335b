SELECT 1 AS a \gset
SELECT 2 AS b;
\copy t FROM 'data.csv' CSV
\i other.sql
\ir other.sql
\if :{?x}
\gexec
\! rm -rf /tmp/x
\pset pager off
\tee out.txt
SELECT 3 AS c;

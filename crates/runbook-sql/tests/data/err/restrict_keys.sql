\restrict key1
SELECT 1;
\unrestrict key2
\echo refused while restricted
\unrestrict key1
\unrestrict key1

SELECT '日本' AS ok;
SELECT '�
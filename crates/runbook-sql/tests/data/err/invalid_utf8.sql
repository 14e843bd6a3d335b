SELECT 'ok' AS line_one;
SELECT 'café' AS latin1;
SELECT 3;

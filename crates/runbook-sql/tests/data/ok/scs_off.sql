SET standard_conforming_strings = off;
-- with the setting off, a plain literal takes backslash escapes: \' does not end it
SET escape_string_warning = off;
SELECT 'it\'s; still the string' AS s;
SET standard_conforming_strings TO on;
-- back on: a backslash is an ordinary character, so this literal ends after the backslash
SELECT 'C:\' AS path;
SET SESSION standard_conforming_strings = 'off';
SELECT 'a\\b' AS one_backslash;
RESET standard_conforming_strings;
SELECT 'x\' AS x;

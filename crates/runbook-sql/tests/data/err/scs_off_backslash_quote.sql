SET standard_conforming_strings = off;
SELECT 'C:\';
SELECT 2;

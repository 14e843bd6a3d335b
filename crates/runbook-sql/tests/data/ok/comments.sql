/* a /* nested */ comment; still a comment */
SELECT 1 AS one;
SELECT 2*/* the operator stops where the comment starts; */3 AS six;
SELECT 4 +-- the dash-dash ends the operator too;
  5 AS nine;
SELECT '-- not a comment' AS s, '/* nor this */' AS t;
/*
 * multi-line comment with a blank line inside:

 * it is kept (psql keeps blank lines inside comments)
 */
SELECT 3 AS three;
/* a comment alone at the end is sent too (the server answers an empty query) */

CREATE FUNCTION dq_plain() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b'::text $$;
CREATE FUNCTION dq_tagged(n int) RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
    s text := 'inner; still inside';
BEGIN
    -- $x$ does not match the opening tag, so it is content
    s := s || $x$ ; $x$;
    RETURN n + $1;
END;
$fn$;
-- $$ nested inside $mig$ (as in the Flyway migrations)
DO $mig$
BEGIN
    EXECUTE $$CREATE TABLE dq_t (id int)$$;
    EXECUTE 'COMMENT ON TABLE dq_t IS ''made; in DO''';
END
$mig$;
SELECT dq_plain(), dq_tagged(2), $_$ $1 $_$ AS param_text, $a$x$b$y$a$ AS junk_tag;

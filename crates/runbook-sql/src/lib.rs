//! Pure, streaming reader of psql scripts: statements, COPY data and meta-commands with positions.

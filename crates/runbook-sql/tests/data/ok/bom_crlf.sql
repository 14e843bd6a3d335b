CREATE TABLE bom_t (a text);
INSERT INTO bom_t VALUES ('the BOM before CREATE is dropped by psql');

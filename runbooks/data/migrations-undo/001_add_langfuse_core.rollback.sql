-- Rollback of migration 1: the tables it created, dependents first.
DROP TABLE langfuse_scores;
DROP TABLE langfuse_traces;

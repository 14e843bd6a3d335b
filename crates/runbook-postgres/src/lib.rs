//! PostgreSQL adapter: connections, psql-compatible script loading, queries, cancel, ephemeral clusters.

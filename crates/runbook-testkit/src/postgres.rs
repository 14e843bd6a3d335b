//! The shared PostgreSQL test cluster.

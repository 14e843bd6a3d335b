//! Test support: a shared PostgreSQL test cluster with one database per test, and Docker helpers.

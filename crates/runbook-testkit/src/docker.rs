//! Docker helpers for tests.

//! Integration tests against a real Docker Engine: one binary, one module per area.

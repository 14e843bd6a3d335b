//! Integration tests of runbook-evidence: real directories, real coreutils.

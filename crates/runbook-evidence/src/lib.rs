//! Evidence directories: atomic writes, SHA256SUMS, run and step records, verify, reports, redaction.

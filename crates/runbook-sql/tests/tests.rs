//! Integration tests of the script reader: fixture folders, the real corpus in
//! `../shared/fixtures`, streaming bounds, positions, and a no-panic property test.

mod consent;
mod corpus;
mod fixtures;
mod props;
mod render;
mod streaming;

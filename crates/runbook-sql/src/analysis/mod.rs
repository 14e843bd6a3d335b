//! Statement analysis without a server: what a statement does, whether it is a COPY through
//! the client, and whether it changes `standard_conforming_strings`.
//!
//! Decisions that guard data (`consent`, `query`) come from PostgreSQL's own parser (`tree`);
//! `classify` only describes statements (their keywords, what a `DROP` names) for messages.

mod builtins;
mod classify;
mod consent;
mod copy;
mod names;
mod query;
pub(crate) mod settings;
pub(crate) mod tokens;
mod transaction;
mod tree;

pub use classify::{Classification, Destructive, Effect, classify};
pub use consent::{ConsentAnalyzer, Risk};
pub use copy::copy_direction;
pub use names::QualifiedName;
pub use query::{ReadQuery, inspect_read_query, is_harmless_volatile};
pub use settings::parse_bool;
pub use transaction::{TransactionNeed, transaction_needs};

//! Statement analysis without a server: what a statement does, whether it is a COPY through
//! the client, and whether it changes `standard_conforming_strings`.

mod classify;
mod copy;
mod names;
pub(crate) mod settings;
pub(crate) mod tokens;

pub use classify::{Classification, Destructive, Effect, classify};
pub use copy::copy_direction;
pub use names::QualifiedName;
pub use settings::parse_bool;

//! One module per subcommand; each returns the process exit code.

pub mod approve;
pub mod execute;
pub mod report;
pub mod schema;
pub mod validate;
pub mod verify;

//! The step kinds, one file each: the fields a kind takes (these types are also what the JSON
//! Schema is generated from) and the checks that need more than the types can say.

pub mod container_exec;
pub mod container_logs;
pub mod container_remove;
pub mod container_start;
pub mod container_stop;
pub mod copy_to_container;
pub mod gate;
pub(crate) mod kind;
pub mod on_error;
pub mod require_files;
pub mod sequence_reset;
pub mod shell;
pub mod sql;
pub mod sql_file;
pub mod volume_remove;

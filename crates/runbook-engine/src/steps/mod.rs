//! One file per step kind; `registry.rs` binds them to their YAML forms.

pub(crate) mod container_exec;
pub(crate) mod container_logs;
pub(crate) mod container_remove;
pub(crate) mod container_start;
pub(crate) mod container_stop;
pub(crate) mod copy_to_container;
pub(crate) mod gate;
pub(crate) mod migrate;
pub(crate) mod require_files;
pub(crate) mod sequence_reset;
pub(crate) mod shell;
pub(crate) mod sql;
pub(crate) mod sql_file;
pub(crate) mod volume_remove;
pub(crate) mod wait_until;

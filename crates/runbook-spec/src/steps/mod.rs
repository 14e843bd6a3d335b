//! The step kinds, one file each: the fields a kind takes (these types are also what the JSON
//! Schema is generated from) and the checks that need more than the types can say.
//!
//! [`step_kinds!`] below is the one list of kinds: it generates [`StepKind`], [`STEP_KINDS`],
//! [`StepKind::name`], the loader's dispatch from a `kind:` value to the kind's type
//! ([`visit_kind`]) and the schema's alternatives ([`visit_every_kind`]). Adding a kind is a file
//! here (a type implementing [`kind::KindSpec`]) and one line in that list.

pub mod container_exec;
pub mod container_logs;
pub mod container_remove;
pub mod container_start;
pub mod container_stop;
pub mod copy_to_container;
pub mod gate;
pub(crate) mod kind;
pub mod migrate;
pub mod on_error;
pub mod require_files;
pub mod sequence_reset;
pub mod shell;
pub mod sql;
pub mod sql_file;
pub mod volume_remove;
pub mod wait_until;

use kind::{KindSpec, KindVisitor};

/// Generates everything that lists the kinds from one table of `Variant(Type)`, in the order the
/// documentation lists them. Each name comes from the type's [`KindSpec::KIND`], so it is
/// written once, in the kind's file.
macro_rules! step_kinds {
    ($($variant:ident($ty:ty)),+ $(,)?) => {
        /// The kind-specific part of a step.
        #[derive(Debug, Clone, PartialEq)]
        pub enum StepKind {
            $($variant($ty),)+
        }

        /// Every `kind:` value, in the order the documentation lists them.
        pub const STEP_KINDS: &[&str] = &[$(<$ty as KindSpec>::KIND,)+];

        impl StepKind {
            /// The `kind:` value.
            pub fn name(&self) -> &'static str {
                match self {
                    $(StepKind::$variant(_) => <$ty as KindSpec>::KIND,)+
                }
            }
        }

        $(
            impl From<$ty> for StepKind {
                fn from(kind: $ty) -> Self {
                    StepKind::$variant(kind)
                }
            }
        )+

        /// Calls `visitor` with the type of the kind named `name`; `None` for an unknown name.
        pub(crate) fn visit_kind<V: KindVisitor>(name: &str, visitor: &mut V) -> Option<V::Output> {
            $(
                if name == <$ty as KindSpec>::KIND {
                    return Some(visitor.visit::<$ty>());
                }
            )+
            None
        }

        /// Calls `visitor` with every kind's type, in [`STEP_KINDS`] order.
        pub(crate) fn visit_every_kind<V: KindVisitor>(visitor: &mut V) -> Vec<V::Output> {
            vec![$(visitor.visit::<$ty>(),)+]
        }
    };
}

step_kinds! {
    RequireFiles(require_files::RequireFiles),
    Sql(sql::Sql),
    SqlFile(sql_file::SqlFile),
    Migrate(migrate::Migrate),
    SequenceReset(sequence_reset::SequenceReset),
    Gate(gate::Gate),
    Shell(shell::Shell),
    ContainerStart(container_start::ContainerStart),
    ContainerExec(container_exec::ContainerExec),
    CopyToContainer(copy_to_container::CopyToContainer),
    ContainerStop(container_stop::ContainerStop),
    ContainerRemove(container_remove::ContainerRemove),
    VolumeRemove(volume_remove::VolumeRemove),
    ContainerLogs(container_logs::ContainerLogs),
    WaitUntil(wait_until::WaitUntil),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_and_named_by_its_type() {
        let mut seen = std::collections::HashSet::new();
        assert!(STEP_KINDS.iter().all(|k| seen.insert(*k)), "{STEP_KINDS:?}");
        struct Names;
        impl KindVisitor for Names {
            type Output = &'static str;
            fn visit<K: KindSpec>(&mut self) -> &'static str {
                K::KIND
            }
        }
        assert_eq!(visit_every_kind(&mut Names), STEP_KINDS);
        for name in STEP_KINDS {
            assert_eq!(visit_kind(name, &mut Names), Some(*name));
        }
        assert_eq!(visit_kind("nope", &mut Names), None);
    }
}

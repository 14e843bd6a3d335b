//! `Debug` for environment maps that shows the names and hides the values: a step's `env`
//! holds what `${env.POSTGRES_PASSWORD}` resolved to, and `Debug` output ends up in panics and
//! logs.

use std::fmt;

use indexmap::IndexMap;

pub(crate) struct RedactedEnv<'a>(pub(crate) &'a IndexMap<String, String>);

impl fmt::Debug for RedactedEnv<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "****")))
            .finish()
    }
}

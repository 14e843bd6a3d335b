//! Consent typed on a terminal for destructive steps on a protected target.
//!
//! The operator must type the target's name, not just "y": a reflexive yes at 3 a.m. is exactly
//! what protection is for.
//!
//! The prompt quotes what the run would destroy, and that text comes from the runbook's files:
//! a dump can hold escape codes that erase or hide its own `DROP TABLE` (`ESC [2K`, `\r`,
//! `ESC [8m`), so the operator would type the name for a statement they never saw. Every line
//! of the prompt passes through the sanitiser: each destruction (the statement, its
//! `file:line:col`, and what the analysis says it destroys) is one line with its control
//! characters made visible.

use std::io::{BufRead, IsTerminal, Write};

use runbook_engine::{Confirmer, Destruction};

use crate::sanitize;

pub struct TtyConfirmer;

impl TtyConfirmer {
    /// A confirmer when both ends are a terminal; `None` otherwise (then `--confirm` is needed).
    pub fn if_terminal() -> Option<Box<dyn Confirmer>> {
        (std::io::stdin().is_terminal() && std::io::stderr().is_terminal())
            .then(|| Box::new(TtyConfirmer) as Box<dyn Confirmer>)
    }
}

impl Confirmer for TtyConfirmer {
    fn confirm(&mut self, target: &str, destructions: &[Destruction]) -> bool {
        let mut err = std::io::stderr().lock();
        let width = sanitize::stderr_width();
        let shown = sanitize::line(target);
        let _ = writeln!(err, "target '{shown}' is protected. This run would:");
        for d in destructions {
            let item = format!("  - {}", sanitize::line(&d.what));
            let _ = writeln!(err, "{}", sanitize::fit(&item, width));
        }
        let _ = write!(
            err,
            "Type the target name ({shown}) to allow it, anything else to stop: "
        );
        let _ = err.flush();
        let mut answer = String::new();
        if std::io::stdin().lock().read_line(&mut answer).is_err() {
            return false;
        }
        answer.trim() == target
    }
}

//! Who ran the runbook, on which machine: the first lines a reviewer reads.
//!
//! Detection never fails (a run is not refused for want of a user name); it falls back to
//! `uid N` and `unknown` instead.

use std::fs;
use std::os::unix::fs::MetadataExt;

/// The operator's user name: `$USER`, else `$LOGNAME`, else the account of the process's uid.
/// Under `sudo` the person is named too (`root (sudo by alice)`): restores run as root, and a
/// reviewer needs to know who ran them.
pub fn detect_operator() -> String {
    operator_from(|name| std::env::var(name).ok())
}

/// [`detect_operator`] with the environment supplied, for tests and for callers that pass an
/// explicit environment around.
pub fn operator_from(env: impl Fn(&str) -> Option<String>) -> String {
    let account = account_from(&env);
    match env("SUDO_USER").map(|v| v.trim().to_owned()) {
        Some(person) if !person.is_empty() && person != account => {
            format!("{account} (sudo by {person})")
        }
        _ => account,
    }
}

fn account_from(env: &impl Fn(&str) -> Option<String>) -> String {
    for name in ["USER", "LOGNAME"] {
        if let Some(value) = env(name).filter(|v| !v.trim().is_empty()) {
            return value.trim().to_owned();
        }
    }
    // The owner of /proc/self is the process's effective uid.
    let Ok(uid) = fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".to_owned();
    };
    fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| account_of(&passwd, uid))
        .unwrap_or_else(|| format!("uid {uid}"))
}

fn account_of(passwd: &str, uid: u32) -> Option<String> {
    passwd.split('\n').find_map(|line| {
        let mut fields = line.trim_end_matches('\r').split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?;
        (id.parse::<u32>().ok()? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

/// The machine's host name, from the kernel, `/etc/hostname` or `$HOSTNAME`.
pub fn detect_host() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| {
            fs::read_to_string(path)
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sudo_names_the_person_behind_root() {
        let env = |name: &str| match name {
            "USER" => Some("root".to_owned()),
            "SUDO_USER" => Some("alice".to_owned()),
            _ => None,
        };
        assert_eq!(operator_from(env), "root (sudo by alice)");
        let plain = |name: &str| (name == "USER").then(|| "alice".to_owned());
        assert_eq!(operator_from(plain), "alice");
        let same = |name: &str| matches!(name, "USER" | "SUDO_USER").then(|| "bob".to_owned());
        assert_eq!(operator_from(same), "bob");
    }

    #[test]
    fn user_then_logname_then_the_uid_account() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            operator_from(env(&[("USER", "alice"), ("LOGNAME", "bob")])),
            "alice"
        );
        assert_eq!(
            operator_from(env(&[("USER", " "), ("LOGNAME", "bob")])),
            "bob"
        );
        let fallback = operator_from(env(&[]));
        assert!(!fallback.is_empty());
        assert_ne!(fallback, "unknown");
    }

    #[test]
    fn passwd_lookup() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\r\npostgres:x:104:110::/var/lib/postgresql:/bin/bash\n";
        assert_eq!(account_of(passwd, 104).as_deref(), Some("postgres"));
        assert_eq!(account_of(passwd, 0).as_deref(), Some("root"));
        assert_eq!(account_of(passwd, 5), None);
    }

    #[test]
    fn host_is_never_empty() {
        assert!(!detect_host().is_empty());
    }
}

//! Published ports: `[IP:]HOST:CONTAINER[/PROTO]` as `docker run -p` and Compose write them.
//!
//! Parsing is pure so that `runbook validate` can reject a bad mapping before anything runs, with
//! the same rules the Docker adapter applies to a Compose file's `ports`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::ValueError;

const WHAT: &str = "port";
const EXPECTED: &str =
    "expected CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp, /udp or /sctp";

/// Transport protocol of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "sctp" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One container port published on the host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortMapping {
    /// Address on the host to bind; `None` binds every interface, as Docker does by default.
    pub host_ip: Option<IpAddr>,
    /// Port on the host; 0 lets the engine pick a free one (written as 0, left empty, or not
    /// written at all: `5432` publishes like `docker run -p 5432`).
    pub host_port: u16,
    pub container_port: u16,
    pub protocol: Protocol,
}

impl PortMapping {
    /// Publishes `container_port` on `127.0.0.1:host_port`, the safe default for a database.
    pub fn localhost(host_port: u16, container_port: u16) -> Self {
        PortMapping {
            host_ip: Some(IpAddr::from([127, 0, 0, 1])),
            host_port,
            container_port,
            protocol: Protocol::Tcp,
        }
    }

    /// The key Docker uses for this port in its maps: `5432/tcp`.
    pub fn container_key(&self) -> String {
        format!("{}/{}", self.container_port, self.protocol)
    }
}

impl fmt::Display for PortMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.host_ip {
            Some(IpAddr::V6(ip)) => write!(f, "[{ip}]:")?,
            Some(ip) => write!(f, "{ip}:")?,
            None => {}
        }
        write!(f, "{}:{}", self.host_port, self.container_port)?;
        if self.protocol != Protocol::Tcp {
            write!(f, "/{}", self.protocol)?;
        }
        Ok(())
    }
}

impl FromStr for PortMapping {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, ValueError> {
        parse_port_mapping(text)
    }
}

/// Parses `"127.0.0.1:HOST:CONTAINER"`, `"HOST:CONTAINER"` or `"CONTAINER"`, each with an
/// optional `/tcp`, `/udp` or `/sctp`. A bare `CONTAINER` or an empty HOST publishes on a port
/// the engine picks, like `docker run -p 5432`.
pub fn parse_port_mapping(text: &str) -> Result<PortMapping, ValueError> {
    let err = |problem: &str| ValueError::new(WHAT, text, problem);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(err(EXPECTED));
    }
    let (body, protocol) = match trimmed.rsplit_once('/') {
        Some((body, proto)) => match Protocol::parse(proto) {
            Some(p) => (body, p),
            None => {
                return Err(err(&format!(
                    "unknown protocol '{proto}'; expected tcp, udp or sctp"
                )));
            }
        },
        None => (trimmed, Protocol::Tcp),
    };

    let (host_ip, rest) = split_host_ip(body).map_err(|problem| err(&problem))?;
    let parts: Vec<&str> = rest.split(':').collect();
    let (host_part, container_part) = match (host_ip.is_some(), parts.as_slice()) {
        (false, [container]) => (None, *container),
        (false, [host, container]) => (Some(*host), *container),
        (true, [host, container]) => (Some(*host), *container),
        _ => return Err(err(EXPECTED)),
    };
    if [host_part.unwrap_or(""), container_part]
        .iter()
        .any(|p| p.contains('-') && p.chars().any(|c| c.is_ascii_digit()))
    {
        return Err(err(&format!("port ranges are not supported; {EXPECTED}")));
    }
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| err(&format!("'{p}' is not a port number (1 to 65535)")))
    };
    let container_port = match port(container_part)? {
        0 => return Err(err("the container port cannot be 0")),
        p => p,
    };
    let host_port = match host_part {
        None | Some("") => 0,
        Some(h) => port(h)?,
    };
    Ok(PortMapping {
        host_ip,
        host_port,
        container_port,
        protocol,
    })
}

/// Splits a leading host address off `IP:HOST:CONTAINER` or `[IPv6]:HOST:CONTAINER`.
fn split_host_ip(body: &str) -> Result<(Option<IpAddr>, &str), String> {
    if let Some(after) = body.strip_prefix('[') {
        let Some((ip, rest)) = after.split_once(']') else {
            return Err("missing ']' after the IPv6 address".to_owned());
        };
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| format!("'{ip}' is not an IP address; expected one like ::1"))?;
        let Some(rest) = rest.strip_prefix(':') else {
            return Err(EXPECTED.to_owned());
        };
        return Ok((Some(ip), rest));
    }
    if body.matches(':').count() == 2 {
        let (ip, rest) = body.split_once(':').unwrap_or((body, ""));
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| format!("'{ip}' is not an IP address; expected one like 127.0.0.1"))?;
        return Ok((Some(ip), rest));
    }
    Ok((None, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> PortMapping {
        parse_port_mapping(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> String {
        match parse_port_mapping(text) {
            Ok(p) => panic!("{text} parsed as {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn three_part_form_binds_the_address() {
        assert_eq!(
            ok("127.0.0.1:5432:5432"),
            PortMapping::localhost(5432, 5432)
        );
        assert_eq!(ok("127.0.0.1:0:5432"), PortMapping::localhost(0, 5432));
    }

    #[test]
    fn two_part_form_binds_every_interface() {
        let p = ok("15432:5432");
        assert_eq!(
            (p.host_ip, p.host_port, p.container_port),
            (None, 15432, 5432)
        );
    }

    #[test]
    fn container_only_and_empty_host_let_the_engine_pick() {
        assert_eq!(ok("5432").host_port, 0);
        assert_eq!(ok("127.0.0.1::5432"), PortMapping::localhost(0, 5432));
    }

    #[test]
    fn protocol_suffix_and_ipv6() {
        let p = ok("[::1]:53:53/udp");
        assert_eq!(p.protocol, Protocol::Udp);
        assert_eq!(p.host_ip, Some("::1".parse().unwrap()));
        assert_eq!(p.to_string(), "[::1]:53:53/udp");
        assert_eq!(p.container_key(), "53/udp");
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "127.0.0.1:5432:5432",
            "15432:5432",
            "0:5432",
            "10.0.0.1:1:2/sctp",
        ] {
            assert_eq!(ok(text).to_string(), text);
        }
    }

    #[test]
    fn errors_quote_the_text_and_say_what_was_expected() {
        let expected = "expected CONTAINER, HOST:CONTAINER or IP:HOST:CONTAINER, optionally /tcp, /udp or /sctp";
        assert_eq!(
            err("127.0.0.1:x:5432"),
            "invalid port '127.0.0.1:x:5432': 'x' is not a port number (1 to 65535)"
        );
        assert_eq!(
            err("localhost:5432:5432"),
            "invalid port 'localhost:5432:5432': 'localhost' is not an IP address; expected one like 127.0.0.1"
        );
        assert_eq!(
            err("[db]:5432:5432"),
            "invalid port '[db]:5432:5432': 'db' is not an IP address; expected one like ::1"
        );
        assert_eq!(
            err("5432:5432/http"),
            "invalid port '5432:5432/http': unknown protocol 'http'; expected tcp, udp or sctp"
        );
        assert_eq!(
            err("5000-5001:5432"),
            format!("invalid port '5000-5001:5432': port ranges are not supported; {expected}")
        );
        assert_eq!(
            err("70000:5432"),
            "invalid port '70000:5432': '70000' is not a port number (1 to 65535)"
        );
        assert_eq!(
            err("5432:0"),
            "invalid port '5432:0': the container port cannot be 0"
        );
        assert_eq!(err(""), format!("invalid port '': {expected}"));
        assert_eq!(
            err("1:2:3:4"),
            format!("invalid port '1:2:3:4': {expected}")
        );
    }
}

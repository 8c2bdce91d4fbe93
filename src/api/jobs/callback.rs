//! Callbacks: when a job ends, `{ "id", "state" }` is POSTed to the URL it named, if its
//! host is on the allow-list (`MEDIATION_CALLBACK_HOSTS`) and resolves to an address that
//! may be reached; checked again at delivery, retried with doubling waits, and what became
//! of it recorded on the job.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::config::Config;
use crate::api::store::{store_call, JobState};
use crate::api::AppState;

/// The body POSTed to a job's callback URL.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CallbackBody {
    pub id: Uuid,
    pub state: JobState,
}

/// One entry of the callback allow-list (`MEDIATION_CALLBACK_HOSTS`): a host name, an IP
/// address or a CIDR block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    Host(String),
    Ip(IpAddr),
    Cidr { net: IpAddr, prefix: u8 },
}

impl AllowEntry {
    /// Parses one entry; a text with `/` must be a CIDR block (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse(text: &str) -> Result<AllowEntry, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty entry".into());
        }
        if let Some((net, prefix)) = text.split_once('/') {
            let net: IpAddr = net
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .map_err(|_| format!("`{text}`: `{net}` is not an IP address"))?;
            let max = if net.is_ipv4() { 32 } else { 128 };
            let prefix: u8 = prefix
                .parse()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{text}`: the prefix length must be 0 to {max}"))?;
            return Ok(AllowEntry::Cidr { net, prefix });
        }
        let bare = text.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = bare.parse::<IpAddr>() {
            return Ok(AllowEntry::Ip(ip));
        }
        if text.contains([':', ' ', '@', '?', '#']) {
            return Err(format!(
                "`{text}` is neither a host name, an IP address nor a CIDR block"
            ));
        }
        Ok(AllowEntry::Host(text.to_ascii_lowercase()))
    }

    /// Whether this IP or CIDR entry covers `ip` (a host name entry covers no address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match *self {
            AllowEntry::Host(_) => false,
            AllowEntry::Ip(listed) => canonical(listed) == ip,
            AllowEntry::Cidr { net, prefix } => match (canonical(net), ip) {
                (IpAddr::V4(net), IpAddr::V4(ip)) => {
                    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                    u32::from(net) & mask == u32::from(ip) & mask
                }
                (IpAddr::V6(net), IpAddr::V6(ip)) => {
                    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                    u128::from(net) & mask == u128::from(ip) & mask
                }
                _ => false,
            },
        }
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Why an address is not a public one (loopback, private, link-local and the like), or
/// `None` for a public address.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if v4.is_private() {
                Some("private")
            } else if v4.is_link_local() {
                Some("link-local")
            } else if v4.is_unspecified() || a == 0 {
                Some("unspecified")
            } else if a == 100 && (64..128).contains(&b) {
                Some("shared (carrier-grade NAT)")
            } else if v4.is_broadcast() || v4.is_multicast() {
                Some("broadcast or multicast")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if first & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if first & 0xfe00 == 0xfc00 {
                Some("private (unique local)")
            } else if v6.is_multicast() {
                Some("multicast")
            } else {
                None
            }
        }
    }
}

/// Whether the URL's host (a name or an IP literal) is on the allow-list.
pub fn host_on_allow_list(host: &str, list: &[String]) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let entries = list.iter().filter_map(|e| AllowEntry::parse(e).ok());
    match bare.parse::<IpAddr>() {
        Ok(ip) => entries
            .into_iter()
            .any(|e| e.contains(ip) || e == AllowEntry::Host(bare.to_ascii_lowercase())),
        Err(_) => entries
            .into_iter()
            .any(|e| matches!(e, AllowEntry::Host(h) if h.eq_ignore_ascii_case(bare))),
    }
}

/// Where a callback may be sent now: the URL's host, and the addresses it resolves to that
/// pass the checks. Checked at delivery (not only at submission): the allow-list may have
/// changed since, and a name may resolve elsewhere.
async fn callback_target(url: &str, list: &[String]) -> Result<(String, Vec<SocketAddr>), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("scheme `{}` is not http(s)", parsed.scheme()));
    }
    let host = parsed
        .host_str()
        .ok_or("the URL has no host")?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed
        .port_or_known_default()
        .ok_or("the URL has no port")?;
    if !host_on_allow_list(&host, list) {
        return Err(format!(
            "host `{host}` is not on the callback allow-list (MEDIATION_CALLBACK_HOSTS)"
        ));
    }
    let resolved: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let lookup = tokio::net::lookup_host((host.as_str(), port));
            match tokio::time::timeout(Duration::from_secs(5), lookup).await {
                Ok(Ok(addrs)) => addrs.collect(),
                Ok(Err(e)) => return Err(format!("`{host}` does not resolve: {e}")),
                Err(_) => return Err(format!("`{host}` did not resolve within 5 s")),
            }
        }
    };
    let entries: Vec<AllowEntry> = list
        .iter()
        .filter_map(|e| AllowEntry::parse(e).ok())
        .collect();
    let (allowed, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
        .into_iter()
        .partition(|a| non_public(a.ip()).is_none() || entries.iter().any(|e| e.contains(a.ip())));
    if allowed.is_empty() {
        let why: Vec<String> = refused
            .iter()
            .map(|a| format!("{} ({})", a.ip(), non_public(a.ip()).unwrap_or("public")))
            .collect();
        return Err(if why.is_empty() {
            format!("`{host}` resolves to no address")
        } else {
            format!(
                "`{host}` resolves to {}, not allowed unless that address or a CIDR block \
                 containing it is on MEDIATION_CALLBACK_HOSTS",
                why.join(", ")
            )
        });
    }
    Ok((host, allowed))
}

/// POSTs `{id, state}` to `url`, retrying with doubling waits on failure or a non-2xx answer.
/// The allow-list and the resolved addresses are checked first; the connection goes only
/// to an address that passed (no second resolution). What became of it is recorded on the
/// job ([`crate::api::store::JobStatus::callback`]).
pub fn spawn_callback(state: &AppState, id: Uuid, job_state: JobState, url: String) {
    let config = state.config.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        let outcome = deliver_callback(&config, id, job_state, &url).await;
        let recorded = outcome.clone();
        if let Err(e) = store_call(&store, move |s| s.set_callback_outcome(id, &recorded)).await {
            tracing::warn!(job = %id, error = %e, "cannot record the callback's outcome");
        }
    });
}

async fn deliver_callback(config: &Config, id: Uuid, job_state: JobState, url: &str) -> String {
    let (host, addrs) = match callback_target(url, &config.callback_hosts).await {
        Ok(target) => target,
        Err(reason) => {
            tracing::warn!(job = %id, reason = %reason, "callback refused at delivery");
            return format!("refused: {reason}");
        }
    };
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .resolve_to_addrs(&host, &addrs)
        .build()
    {
        Ok(client) => client,
        Err(e) => return format!("failed: cannot build the HTTP client: {e}"),
    };
    let attempts = config.callback_attempts.max(1);
    let mut wait = config.callback_backoff;
    let body = CallbackBody {
        id,
        state: job_state,
    };
    let mut last = String::new();
    for attempt in 1..=attempts {
        match client.post(url).json(&body).send().await {
            Ok(r) if r.status().is_success() => {
                tracing::info!(job = %id, attempt, "callback delivered");
                return "delivered".into();
            }
            Ok(r) => {
                tracing::warn!(job = %id, attempt, status = %r.status(), "callback refused");
                last = format!("answered {}", r.status());
            }
            Err(e) => {
                tracing::warn!(job = %id, attempt, error = %e, "callback failed");
                last = e.to_string();
            }
        }
        if attempt < attempts {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    tracing::warn!(job = %id, "callback abandoned after {attempts} attempt(s)");
    format!("failed: {last} (after {attempts} attempt(s))")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_entries_are_names_ips_and_cidr_blocks() {
        assert_eq!(
            AllowEntry::parse("Hooks.Example.org"),
            Ok(AllowEntry::Host("hooks.example.org".into()))
        );
        assert!(AllowEntry::parse("127.0.0.1")
            .unwrap()
            .contains("127.0.0.1".parse().unwrap()));
        let block = AllowEntry::parse("10.1.0.0/16").unwrap();
        assert!(block.contains("10.1.200.3".parse().unwrap()));
        assert!(!block.contains("10.2.0.1".parse().unwrap()));
        assert!(block.contains("::ffff:10.1.0.9".parse().unwrap()));
        let v6 = AllowEntry::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(AllowEntry::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "a b", ""] {
            assert!(AllowEntry::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_private_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(non_public(ip.parse().unwrap()).is_some(), "{ip}");
        }
        assert_eq!(non_public("93.184.216.34".parse().unwrap()), None);
        assert_eq!(non_public("2606:4700::1".parse().unwrap()), None);
    }

    #[test]
    fn the_host_must_be_listed_by_name_or_by_address() {
        let list = vec!["hooks.example.org".to_string(), "10.0.0.0/8".to_string()];
        assert!(host_on_allow_list("HOOKS.example.org", &list));
        assert!(host_on_allow_list("10.9.8.7", &list));
        assert!(!host_on_allow_list("example.org", &list));
        assert!(!host_on_allow_list("127.0.0.1", &list));
    }

    #[tokio::test]
    async fn a_listed_name_resolving_to_loopback_is_refused() {
        let list = vec!["localhost".to_string()];
        let err = callback_target("http://localhost:9/hook", &list)
            .await
            .unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        let list = vec!["localhost".to_string(), "127.0.0.0/8".to_string()];
        let (_, addrs) = callback_target("http://localhost:9/hook", &list)
            .await
            .unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.is_ipv4()));
    }
}

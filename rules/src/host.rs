//! Which hosts a request may reach over plain `http://`: one decision, made
//! on the parsed host (never on a string prefix), for generator and runtime.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// What a URL's host is, as far as plain http is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostClass {
    /// This machine: `localhost`, 127.0.0.0/8, `::1`.
    Loopback,
    /// A cloud metadata endpoint on a link-local address
    /// (169.254.0.0/16, `fe80::/10`, AWS's `fd00:ec2::254`) or the GCE name
    /// `metadata.google.internal`, which resolves to one.
    LinkLocalMetadata,
    /// Anything else.
    Other,
}

/// Classifies a parsed host.
pub fn classify_host(host: Host<&str>) -> HostClass {
    match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" {
                HostClass::Loopback
            } else if name == "metadata.google.internal" {
                HostClass::LinkLocalMetadata
            } else {
                HostClass::Other
            }
        }
        Host::Ipv4(ip) => classify_ip(IpAddr::V4(ip)),
        Host::Ipv6(ip) => classify_ip(IpAddr::V6(ip)),
    }
}

fn classify_ip(ip: IpAddr) -> HostClass {
    const AWS_IPV6_METADATA: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    match ip {
        IpAddr::V4(v4) if v4.is_loopback() => HostClass::Loopback,
        IpAddr::V4(v4) if is_link_local_v4(v4) => HostClass::LinkLocalMetadata,
        IpAddr::V6(v6) if v6.is_loopback() => HostClass::Loopback,
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 || v6 == AWS_IPV6_METADATA => {
            HostClass::LinkLocalMetadata
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_ip(IpAddr::V4(v4)),
            None => HostClass::Other,
        },
        IpAddr::V4(_) => HostClass::Other,
    }
}

fn is_link_local_v4(ip: Ipv4Addr) -> bool {
    ip.octets()[0] == 169 && ip.octets()[1] == 254
}

/// What a spec allows beyond https.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlainHttp {
    /// https, or http to loopback only (the default).
    #[default]
    LoopbackOnly,
    /// Also http to a link-local metadata endpoint. A spec may say so only
    /// when no credential travels.
    LinkLocalMetadata,
}

/// Whether `url` may be used: `Ok` for https, or for http to a host the
/// rule admits; otherwise the reason, for an error message.
pub fn check_transport(url: &Url, allowed: PlainHttp) -> Result<(), String> {
    let class = url.host().map(classify_host);
    match (url.scheme(), class) {
        ("https", Some(_)) => Ok(()),
        ("http", Some(HostClass::Loopback)) => Ok(()),
        ("http", Some(HostClass::LinkLocalMetadata)) if allowed == PlainHttp::LinkLocalMetadata => {
            Ok(())
        }
        ("http", Some(HostClass::LinkLocalMetadata)) => Err(format!(
            "plain http to {} is a metadata endpoint; the spec must say `plain_http: link_local_metadata` (and send no credential)",
            url.host_str().unwrap_or("?")
        )),
        ("http", Some(_)) => Err(format!(
            "refusing plain http to {}: credentials would travel unencrypted; use https",
            url.host_str().unwrap_or("?")
        )),
        ("http" | "https", None) => Err("the URL has no host".to_owned()),
        (other, _) => Err(format!("unsupported URL scheme `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, allowed: PlainHttp) -> Result<(), String> {
        check_transport(&Url::parse(url).unwrap(), allowed)
    }

    #[test]
    fn loopback_on_the_parsed_host_not_a_prefix() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:2",
            "http://127.9.9.9",
        ] {
            assert!(check(ok, PlainHttp::LoopbackOnly).is_ok(), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1@evil.example",
            "http://localhost.evil.example",
            "http://10.0.0.1",
            "http://example.com",
        ] {
            assert!(check(bad, PlainHttp::LoopbackOnly).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_only_when_the_spec_says_so() {
        for url in [
            "http://169.254.169.254/latest/api/token",
            "http://[fd00:ec2::254]/latest",
            "http://metadata.google.internal/computeMetadata/v1",
        ] {
            assert!(check(url, PlainHttp::LoopbackOnly).is_err(), "{url}");
            assert!(check(url, PlainHttp::LinkLocalMetadata).is_ok(), "{url}");
        }
        assert!(check("http://169.255.0.1", PlainHttp::LinkLocalMetadata).is_err());
        assert!(check("ftp://127.0.0.1", PlainHttp::LinkLocalMetadata).is_err());
    }
}

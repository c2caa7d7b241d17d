//! Who is asking, as far as limits are concerned: the source address of a request, with an IPv6
//! address counted per /64 (one subscriber's or one host's whole network, handed out as a unit,
//! so rotating addresses inside it buys nothing).

use std::net::{IpAddr, Ipv6Addr};

/// A client's address as limits count it: an IPv4 address, or an IPv6 /64 prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientAddress(String);

impl ClientAddress {
    /// The source address as API Gateway (`requestContext.http.sourceIp`) or the local server
    /// (the peer) reports it; `None` when it is not an IP address.
    pub fn parse(source: &str) -> Option<Self> {
        let ip: IpAddr = source.trim().parse().ok()?;
        Some(Self::of(ip))
    }

    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(v4.to_string()),
            // An IPv4 client reached over a dual-stack socket is that IPv4 client.
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(v4.to_string()),
                None => {
                    let s = v6.segments();
                    let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    Self(format!("{net}/64"))
                }
            },
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(s: &str) -> Option<String> {
        ClientAddress::parse(s).map(|c| c.0)
    }

    #[test]
    fn an_ipv4_address_is_counted_as_itself() {
        assert_eq!(of("203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(of("::ffff:203.0.113.7").as_deref(), Some("203.0.113.7"));
    }

    #[test]
    fn ipv6_addresses_in_one_slash_64_are_one_client() {
        let a = of("2001:db8:1:2:aaaa::1").unwrap();
        assert_eq!(a, "2001:db8:1:2::/64");
        assert_eq!(of("2001:db8:1:2:ffff:ffff:ffff:ffff").unwrap(), a);
        assert_ne!(of("2001:db8:1:3::1").unwrap(), a);
    }

    #[test]
    fn what_is_not_an_address_is_no_client() {
        assert_eq!(of(""), None);
        assert_eq!(of("localhost"), None);
        assert_eq!(of("203.0.113.7:443"), None);
    }
}

//! Who sent a request, for throttling failed logins and client authentications
//! and for telling https from http behind a proxy: the connection's peer address,
//! or, when that peer is a **trusted proxy**
//! ([`IssuerBuilder::trusted_proxies`](crate::IssuerBuilder::trusted_proxies)),
//! what it forwarded in `X-Forwarded-For` and `X-Forwarded-Proto`. From any
//! other peer those headers are ignored, so a client cannot pick the address it
//! is throttled under.
//!
//! `X-Forwarded-For` is read right to left — each proxy appends the address it
//! received the request from — skipping the addresses of trusted proxies: the
//! first address that is not one is the client's. If every address is a trusted
//! proxy's, the leftmost is the client's; a value that is not an address ends the
//! walk at the last trusted hop (that proxy is the one that wrote it).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap, HeaderName};

use crate::{Issuer, IssuerError};

/// The header a trusted proxy names the client's address in, unless
/// [`IssuerBuilder::client_ip_header`](crate::IssuerBuilder::client_ip_header)
/// names another.
static FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
/// The header a trusted proxy names the client's scheme in (`https` or `http`).
const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// A block of addresses (`10.0.0.0/8`, `2001:db8::/32`, or one address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Reads `ADDR/PREFIX` or a bare address (a block of one). Host bits set
    /// below the prefix are refused: `10.0.0.1/8` is probably a typo.
    pub(crate) fn parse(text: &str) -> Result<IpNet, IssuerError> {
        let invalid = |reason| IssuerError::InvalidTrustedProxy {
            cidr: text.to_owned(),
            reason,
        };
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text.trim(), None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| invalid("not an IP address (expected ADDR/PREFIX, e.g. 10.0.0.0/8)"))?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(|| {
                invalid("the prefix length is not a number within the address size")
            })?,
        };
        let net = IpNet {
            addr: addr.to_canonical(),
            prefix: if addr.is_ipv4() || addr.to_canonical().is_ipv6() {
                prefix
            } else {
                // ::ffff:a.b.c.d/PREFIX: the IPv4 part's prefix.
                prefix.saturating_sub(96)
            },
        };
        if masked(net.addr, net.prefix) != net.addr {
            return Err(invalid("host bits are set below the prefix length"));
        }
        Ok(net)
    }

    /// Whether `ip` (IPv4-mapped IPv6 counted as IPv4) is in the block.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        ip.is_ipv4() == self.addr.is_ipv4() && masked(ip, self.prefix) == self.addr
    }
}

/// `ip` with every bit past the first `prefix` cleared.
fn masked(ip: IpAddr, prefix: u8) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    }
}

/// The checked trusted proxies of an issuer.
pub(crate) fn parse_proxies(list: &[String]) -> Result<Vec<IpNet>, IssuerError> {
    list.iter().map(|text| IpNet::parse(text)).collect()
}

impl Issuer {
    /// The IP address of the client of a request with these headers, coming from
    /// `peer` (`None` when the router is served without connect info).
    pub(crate) fn client_ip(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Option<IpAddr> {
        let proxies = &self.inner.trusted_proxies;
        if proxies.is_empty() {
            // Without trusted proxies, a configured header is believed from
            // anyone (the proxy is the only way in), else the peer counts.
            return match self.client_ip_header() {
                Some(name) => forwarded_ips(headers, name).next_back().flatten(),
                None => peer.map(|a| a.ip().to_canonical()),
            };
        }
        let peer = peer?.ip().to_canonical();
        if !trusted(proxies, peer) {
            return Some(peer);
        }
        let name = self.client_ip_header().unwrap_or(&FORWARDED_FOR);
        let mut client = peer;
        for hop in forwarded_ips(headers, name).rev() {
            match hop {
                Some(ip) => {
                    client = ip;
                    if !trusted(proxies, ip) {
                        break;
                    }
                }
                // Not an address: the trusted hop that wrote it is all we know.
                None => break,
            }
        }
        Some(client)
    }

    /// What a trusted proxy says of the request's scheme: `Some(true)` for
    /// `X-Forwarded-Proto: https`, `Some(false)` for `http`; `None` when the
    /// peer is not a trusted proxy or said nothing usable.
    pub(crate) fn forwarded_https(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Option<bool> {
        let peer = peer?.ip();
        if !trusted(&self.inner.trusted_proxies, peer) {
            return None;
        }
        // The first proxy's view: the leftmost value of the first header.
        let value = headers.get(FORWARDED_PROTO)?.to_str().ok()?;
        let scheme = value.split(',').next()?.trim();
        if scheme.eq_ignore_ascii_case("https") {
            Some(true)
        } else if scheme.eq_ignore_ascii_case("http") {
            Some(false)
        } else {
            None
        }
    }

    fn client_ip_header(&self) -> Option<&HeaderName> {
        self.inner.client_ip_header.as_ref().or_else(|| {
            self.inner
                .login
                .as_ref()
                .and_then(|l| l.client_ip_header.as_ref())
        })
    }
}

/// The peer address of a request's connection, when the router is served with
/// `into_make_service_with_connect_info::<SocketAddr>()`.
pub(crate) fn peer(extensions: &Extensions) -> Option<SocketAddr> {
    extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

fn trusted(proxies: &[IpNet], ip: IpAddr) -> bool {
    proxies.iter().any(|net| net.contains(ip))
}

/// The addresses listed in every header `name`, in order (`None` for an entry
/// that is not an address).
fn forwarded_ips<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> impl DoubleEndedIterator<Item = Option<IpAddr>> + 'h {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("?").split(','))
        .map(|entry| parse_hop(entry.trim()))
}

/// One entry: an address, with or without a port (`[v6]:port`, `v4:port`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        IpNet::parse(text).unwrap()
    }

    #[test]
    fn blocks_parse_and_contain() {
        let ten = net("10.0.0.0/8");
        assert!(ten.contains([10, 200, 3, 4].into()));
        assert!(!ten.contains([11, 0, 0, 1].into()));
        assert!(ten.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!ten.contains("2001:db8::1".parse().unwrap()));
        let one = net("127.0.0.1");
        assert!(one.contains([127, 0, 0, 1].into()));
        assert!(!one.contains([127, 0, 0, 2].into()));
        assert!(net("0.0.0.0/0").contains([203, 0, 113, 9].into()));
        let v6 = net("2001:db8::/32");
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        assert!(net("::1/128").contains("::1".parse().unwrap()));
        assert!(net("::ffff:192.168.0.0/112").contains([192, 168, 7, 7].into()));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0.1/8",
            "10.0.0.0/x",
            "example.com",
            "10.0.0.0/8/8",
            "::1/129",
        ] {
            assert!(
                matches!(
                    IpNet::parse(bad),
                    Err(IssuerError::InvalidTrustedProxy { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn hops_are_read_in_order_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(&FORWARDED_FOR, "10.0.0.1, 192.0.2.7".parse().unwrap());
        headers.append(
            &FORWARDED_FOR,
            "[2001:db8::1]:443, nonsense".parse().unwrap(),
        );
        let hops: Vec<_> = forwarded_ips(&headers, &FORWARDED_FOR).collect();
        assert_eq!(
            hops,
            [
                Some([10, 0, 0, 1].into()),
                Some([192, 0, 2, 7].into()),
                Some("2001:db8::1".parse().unwrap()),
                None
            ]
        );
        assert_eq!(parse_hop("192.0.2.1:8080"), Some([192, 0, 2, 1].into()));
        assert_eq!(parse_hop("::ffff:192.0.2.1"), Some([192, 0, 2, 1].into()));
    }
}

//! The client's IP address, for throttling failed logins and client
//! authentications: the connection's peer address, or, behind a reverse proxy,
//! the address the proxy puts in a header
//! ([`IssuerBuilder::client_ip_header`](crate::IssuerBuilder::client_ip_header)).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap, HeaderName};

use crate::Issuer;

impl Issuer {
    /// The IP address of the client of a request with these headers, coming from
    /// `peer` (`None` when the router is served without connect info).
    pub(crate) fn client_ip(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Option<IpAddr> {
        match self.client_ip_header() {
            Some(name) => forwarded_ip(headers, name),
            None => peer.map(|a| a.ip()),
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

/// The client IP a proxy put in header `name`: the last address of the list.
fn forwarded_ip(headers: &HeaderMap, name: &HeaderName) -> Option<IpAddr> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_forwarded_address_counts() {
        let mut headers = HeaderMap::new();
        let name = HeaderName::from_static("x-forwarded-for");
        headers.append(&name, "10.0.0.1, 192.0.2.7".parse().unwrap());
        assert_eq!(forwarded_ip(&headers, &name), Some([192, 0, 2, 7].into()));
        headers.append(&name, "[2001:db8::1]:443".parse().unwrap());
        assert_eq!(
            forwarded_ip(&headers, &name),
            Some("2001:db8::1".parse().unwrap())
        );
        headers.insert(&name, "nonsense".parse().unwrap());
        assert_eq!(forwarded_ip(&headers, &name), None);
    }
}

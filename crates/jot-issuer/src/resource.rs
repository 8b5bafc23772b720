//! Resource indicators (RFC 8707): the resources the issuer serves, and the
//! `resource` parameter of authorization and token requests.

use crate::{Issuer, IssuerError, OAuthError};

/// The longest resource identifier accepted.
const MAX_RESOURCE_LEN: usize = 2048;

/// The configured resources, checked: absolute URIs without fragment (RFC 8707
/// §2), at most 2 KiB each, duplicates dropped.
pub(crate) fn check_resources(list: Vec<String>) -> Result<Vec<String>, IssuerError> {
    let mut checked: Vec<String> = Vec::with_capacity(list.len());
    for resource in list {
        let invalid = |reason| IssuerError::InvalidResource {
            resource: resource.clone(),
            reason,
        };
        if resource.len() > MAX_RESOURCE_LEN {
            return Err(invalid("longer than 2048 bytes"));
        }
        let url = reqwest::Url::parse(&resource).map_err(|_| invalid("not an absolute URI"))?;
        if url.fragment().is_some() || resource.contains('#') {
            return Err(invalid("a resource identifier has no fragment"));
        }
        if url.cannot_be_a_base() || url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("a resource identifier names a host"));
        }
        if !checked.contains(&resource) {
            checked.push(resource);
        }
    }
    Ok(checked)
}

impl Issuer {
    /// The resources this issuer issues tokens for ([`IssuerBuilder::resources`](crate::IssuerBuilder::resources)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), jot_issuer::IssuerError> {
    /// let issuer = jot_issuer::Issuer::builder("https://auth.example.com")
    ///     .resources(["https://mcp.example.com/mcp"])
    ///     .build()
    ///     .await?;
    /// assert_eq!(issuer.resources(), ["https://mcp.example.com/mcp"]);
    /// # Ok(()) }
    /// ```
    pub fn resources(&self) -> &[String] {
        &self.inner.resources
    }

    /// The requested `resource`, if any, when it is one the issuer serves;
    /// otherwise `invalid_target`.
    pub(crate) fn requested_resource<'a>(
        &self,
        requested: Option<&'a str>,
    ) -> Result<Option<&'a str>, OAuthError> {
        match requested {
            None => Ok(None),
            Some(resource) if self.inner.resources.iter().any(|r| r == resource) => {
                Ok(Some(resource))
            }
            Some(_) => Err(OAuthError::invalid_target(
                "the resource is not one this issuer issues tokens for",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_absolute_uris_without_fragment() {
        let urn = check_resources(vec![
            "https://mcp.example.com/mcp".into(),
            "urn:example:api".into(),
        ]);
        assert!(urn.is_err(), "a URN names no host: {urn:?}");
        let ok = check_resources(vec![
            "https://mcp.example.com/mcp".into(),
            "https://mcp.example.com/mcp".into(),
            "http://127.0.0.1:3000".into(),
        ])
        .unwrap();
        assert_eq!(ok, ["https://mcp.example.com/mcp", "http://127.0.0.1:3000"]);
        for bad in [
            "/relative",
            "https://api.example.com/#frag",
            "not a uri",
            "",
        ] {
            assert!(
                matches!(
                    check_resources(vec![bad.into()]),
                    Err(IssuerError::InvalidResource { .. })
                ),
                "{bad}"
            );
        }
    }
}

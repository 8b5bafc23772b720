//! The HTML pages of the login: small server-rendered templates, every value
//! escaped, no script. Every page (and every redirect of the login) carries the
//! security headers: a CSP with no script and no framing, `X-Frame-Options: DENY`,
//! `Referrer-Policy: no-referrer`, `Cache-Control: no-store`, `nosniff`.

use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::redirect;

/// The one stylesheet, inline and allowed by its hash in the CSP.
const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2129}\
main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin-top:1rem;font-weight:600}\
input{box-sizing:border-box;width:100%;padding:.5rem;margin-top:.25rem;font:inherit}\
button{margin-top:1.5rem;margin-right:.5rem;padding:.5rem 1.25rem;font:inherit;cursor:pointer}\
.error{color:#b00020;font-weight:600}ul{padding-left:1.25rem}";

static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = ring::digest::digest(&ring::digest::SHA256, STYLE.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
});

/// An HTML page being built.
pub(crate) struct Page {
    status: StatusCode,
    title: String,
    body: String,
    /// Where its forms may lead (besides the issuer): a client's redirect URI.
    form_target: Option<String>,
    headers: HeaderMap,
}

impl Page {
    pub(crate) fn new(status: StatusCode, title: &str) -> Self {
        Page {
            status,
            title: title.to_owned(),
            body: String::new(),
            form_target: None,
            headers: HeaderMap::new(),
        }
    }

    /// Lets the page's forms end in a redirect to `uri` (CSP `form-action`, which
    /// browsers also check on the redirect that follows a form POST).
    pub(crate) fn form_target(mut self, uri: &str) -> Self {
        self.form_target = redirect::csp_source(uri);
        self
    }

    pub(crate) fn header(mut self, name: header::HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Appends raw markup (the templates below only pass escaped values in).
    pub(crate) fn raw(mut self, markup: &str) -> Self {
        self.body.push_str(markup);
        self
    }

    /// `<h1>`.
    pub(crate) fn heading(self, text: &str) -> Self {
        let markup = format!("<h1>{}</h1>", escape(text));
        self.raw(&markup)
    }

    /// A paragraph of escaped text.
    pub(crate) fn text(self, text: &str) -> Self {
        let markup = format!("<p>{}</p>", escape(text));
        self.raw(&markup)
    }

    /// The error line the login tests look for.
    pub(crate) fn error(self, text: &str) -> Self {
        let markup = format!("<p class=\"error\" role=\"alert\">{}</p>", escape(text));
        self.raw(&markup)
    }

    pub(crate) fn into_response(self) -> Response {
        let mut html = String::with_capacity(self.body.len() + STYLE.len() + 400);
        let _ = write!(
            html,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"referrer\" content=\"no-referrer\">\
             <title>{}</title><style>{STYLE}</style></head>\n<body><main>\n{}\n</main></body></html>\n",
            escape(&self.title),
            self.body
        );
        let form_action = match &self.form_target {
            Some(source) => format!("'self' {source}"),
            None => "'self'".to_owned(),
        };
        let csp = format!(
            "default-src 'none'; style-src 'sha256-{}'; form-action {form_action}; \
             frame-ancestors 'none'; base-uri 'none'",
            *STYLE_HASH
        );
        let mut response = (self.status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if let Ok(csp) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        security_headers(headers);
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        response
    }
}

/// The headers every login response carries, redirects included.
pub(crate) fn security_headers(headers: &mut HeaderMap) {
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    crate::error::no_store(headers);
}

/// A `303 See Other` to `location`, with the security headers and these cookies.
pub(crate) fn see_other(location: &str, cookies: &[HeaderValue]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        // Locations are built from registered URIs and form-encoding: always valid.
        Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "The redirect failed."),
    }
    security_headers(headers);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    response
}

/// A page that explains a refused request, never redirecting anywhere. A `503`
/// (the store unreachable) says when to try again: `Retry-After`.
pub(crate) fn error_page(status: StatusCode, message: &str) -> Response {
    let mut page = Page::new(status, "Sign-in failed")
        .heading("This request cannot be completed")
        .error(message);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        page = page.header(
            header::RETRY_AFTER,
            HeaderValue::from(crate::STORE_RETRY_AFTER),
        );
    }
    page.into_response()
}

/// What the pages say while the store cannot be reached.
pub(crate) const UNAVAILABLE: &str = "The server cannot reach its database; try again in a moment.";

/// `text` with `& < > " '` as character references: safe in element content and
/// in quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<input type="hidden" name=… value=…>`.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>"x" & 'y'</script>"#),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(
            hidden("a", "\"><b>"),
            "<input type=\"hidden\" name=\"a\" value=\"&quot;&gt;&lt;b&gt;\">"
        );
    }

    #[test]
    fn pages_carry_the_security_headers() {
        let response = Page::new(StatusCode::OK, "t")
            .form_target("https://app.example/cb")
            .into_response();
        let h = response.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(
            csp.contains("form-action 'self' https://app.example;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("script-src"), "{csp}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::CACHE_CONTROL], "no-store");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
}

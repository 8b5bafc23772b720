//! The home page's HTML (no script), its stylesheet, and the security headers of
//! every response of the home page.

use axum::response::{IntoResponse, Response};
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::token_view::TokenView;
use super::{DEMO_CLIENT_ID, LOGIN, LOGOUT, REFRESH};

/// The signed-in part of the page: the tokens and what `/userinfo` said.
pub(super) struct SignedIn<'a> {
    pub(super) id_token: Option<TokenView>,
    pub(super) access_token: TokenView,
    pub(super) userinfo: &'a Result<Value, String>,
    pub(super) has_refresh_token: bool,
    pub(super) scope: Option<&'a str>,
    pub(super) csrf: &'a str,
}

/// The whole home page.
pub(super) struct HomePage<'a> {
    pub(super) issuer: &'a str,
    pub(super) login_enabled: bool,
    pub(super) discovery: Option<&'a Value>,
    pub(super) error: Option<String>,
    /// `None`: nobody signed in, the page offers "Sign in".
    pub(super) signed_in: Option<SignedIn<'a>>,
}

impl HomePage<'_> {
    /// The page as HTML.
    pub(super) fn render(&self) -> String {
        let issuer = escape(self.issuer);
        let mut html = format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>jot issuer {issuer}</title>\n<link rel=\"stylesheet\" href=\"/home.css\">\n\
             </head>\n<body>\n<main>\n<header>\n<h1>jot</h1>\n\
             <p>An OpenID Connect provider and OAuth 2.0 authorization server, issuing \
             signed JSON Web Tokens as <code>{issuer}</code>.</p>\n</header>\n"
        );
        if let Some(error) = &self.error {
            html.push_str(&format!(
                "<p class=\"error\" role=\"alert\">{}</p>\n",
                escape(error)
            ));
        }
        match &self.signed_in {
            None => self.signed_out(&mut html),
            Some(signed_in) => signed_in.render(&mut html),
        }
        self.endpoints(&mut html);
        html.push_str("</main>\n</body>\n</html>\n");
        html
    }

    fn signed_out(&self, html: &mut String) {
        if !self.login_enabled {
            html.push_str(
                "<section id=\"demo\">\n<h2>Sign in</h2>\n<p>People cannot sign in to this \
                 issuer: its login is not enabled.</p>\n</section>\n",
            );
            return;
        }
        html.push_str(&format!(
            "<section id=\"demo\">\n<h2>See your tokens</h2>\n\
             <p>Sign in runs the authorization code flow with PKCE as the built-in client \
             <code>{DEMO_CLIENT_ID}</code>, then shows you the ID token and the access token \
             you were issued, decoded and verified against this issuer's published keys, and \
             what <code>/userinfo</code> says about you.</p>\n\
             <p><a id=\"sign-in\" class=\"button\" href=\"{LOGIN}\">Sign in</a></p>\n\
             </section>\n"
        ));
    }

    fn endpoints(&self, html: &mut String) {
        let Some(Value::Object(discovery)) = self.discovery else {
            return;
        };
        html.push_str("<section id=\"endpoints\">\n<h2>Endpoints</h2>\n<table>\n");
        html.push_str(&format!(
            "<tr><th>discovery</th><td><code>{}/.well-known/openid-configuration</code></td></tr>\n",
            escape(self.issuer)
        ));
        for (name, value) in discovery {
            if let (true, Some(url)) = (
                name.ends_with("_endpoint") || name == "jwks_uri",
                value.as_str(),
            ) {
                let label = name.trim_end_matches("_endpoint").replace('_', " ");
                html.push_str(&format!(
                    "<tr><th>{}</th><td><code>{}</code></td></tr>\n",
                    escape(&label),
                    escape(url)
                ));
            }
        }
        html.push_str("</table>\n</section>\n");
    }
}

impl SignedIn<'_> {
    fn render(&self, html: &mut String) {
        let who = match self.userinfo {
            Ok(info) => info["name"]
                .as_str()
                .or(info["preferred_username"].as_str())
                .or(info["sub"].as_str())
                .unwrap_or("you")
                .to_owned(),
            Err(_) => "you".to_owned(),
        };
        let csrf = escape(self.csrf);
        html.push_str(&format!(
            "<section id=\"signed-in\">\n<h2>Signed in as {}</h2>\n\
             <p>The tokens stay on this server, under an <code>HttpOnly</code> cookie: no \
             script on this page can read them.{}</p>\n<div class=\"actions\">\n\
             <form id=\"refresh\" method=\"post\" action=\"{REFRESH}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\">Refresh</button></form>\n\
             <form id=\"sign-out\" method=\"post\" action=\"{LOGOUT}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button type=\"submit\">Sign out</button></form>\n</div>\n</section>\n",
            escape(&who),
            match (self.has_refresh_token, self.scope) {
                (true, Some(scope)) => format!(
                    " Granted scopes: <code>{}</code>; a refresh token is kept too.",
                    escape(scope)
                ),
                (true, None) => " A refresh token is kept too.".to_owned(),
                (false, _) => String::new(),
            }
        ));
        html.push_str("<section id=\"userinfo\">\n<h2>What <code>/userinfo</code> says</h2>\n");
        match self.userinfo {
            Ok(Value::Object(claims)) => {
                html.push_str("<table>\n");
                for (name, value) in claims {
                    html.push_str(&format!(
                        "<tr><th>{}</th><td>{}</td></tr>\n",
                        escape(name),
                        escape(&show(value))
                    ));
                }
                html.push_str("</table>\n");
            }
            Ok(_) => html.push_str("<p class=\"error\">Not a JSON object.</p>\n"),
            Err(error) => html.push_str(&format!("<p class=\"error\">{}</p>\n", escape(error))),
        }
        html.push_str("</section>\n");
        if let Some(id_token) = &self.id_token {
            token_section(html, "id-token", "ID token", id_token);
        }
        token_section(html, "access-token", "Access token", &self.access_token);
    }
}

/// A decoded token: verdict, header, claims.
fn token_section(html: &mut String, id: &str, title: &str, token: &TokenView) {
    html.push_str(&format!(
        "<section id=\"{id}\" class=\"token\">\n<h2>{title}</h2>\n"
    ));
    match &token.verdict {
        Ok(checks) => html.push_str(&format!(
            "<p><span class=\"signature\">verified</span> against the issuer's JWK Set \
             <span class=\"checks\">(checked: {})</span></p>\n",
            escape(&checks.join(", "))
        )),
        Err(reason) => html.push_str(&format!(
            "<p><span class=\"signature rejected\">rejected</span> {}</p>\n",
            escape(reason)
        )),
    }
    html.push_str("<h3>Header</h3>\n<table>\n");
    for (name, value) in &token.header {
        html.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape(name),
            escape(&show(value))
        ));
    }
    html.push_str("</table>\n<h3>Claims</h3>\n<table>\n");
    for (name, value, human) in &token.claims {
        let human = human
            .as_ref()
            .map(|h| format!(" <span class=\"time\">{}</span>", escape(h)))
            .unwrap_or_default();
        html.push_str(&format!(
            "<tr><th>{}</th><td>{}{human}</td></tr>\n",
            escape(name),
            escape(&show(value))
        ));
    }
    html.push_str("</table>\n</section>\n");
}

/// A JSON value as text: strings as they are, the rest as JSON.
fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) use crate::oidc::page::escape;

/// An HTML response with the security headers.
pub(super) fn html(status: StatusCode, body: String, set_cookie: Option<String>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers, set_cookie);
    response
}

/// A `303 See Other` to `location`, with the security headers.
pub(super) fn redirect(location: &str, set_cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, location);
    }
    secure(headers, set_cookie);
    response
}

/// The stylesheet (the only style the pages allow).
pub(super) fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// No script at all, styles only from this origin, forms only to this origin, no
/// framing, no referrer, no caching, no sniffing.
fn secure(headers: &mut HeaderMap, set_cookie: Option<String>) {
    const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    crate::oidc::page::security_headers(headers);
    if let Some(cookie) = set_cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.append(HeaderName::from_static("set-cookie"), cookie);
    }
}

const STYLESHEET: &str = "\
:root { color-scheme: light dark; --accent: #2b6cb0; }
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 2rem; margin-bottom: 0; }
section { margin: 1.5rem 0; }
code { font: 0.9em ui-monospace, monospace; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.25rem 0.5rem; border-bottom: 1px solid #8884; }
th { width: 12rem; font-weight: 600; }
td { font-family: ui-monospace, monospace; word-break: break-all; }
.button, button { display: inline-block; font: inherit; padding: 0.5rem 1.25rem; border: 0; border-radius: 0.375rem; background: var(--accent); color: #fff; text-decoration: none; cursor: pointer; }
.actions { display: flex; gap: 0.75rem; }
.signature { font-weight: 700; color: #2f855a; }
.signature.rejected { color: #c53030; }
.checks, .time { color: #718096; font-family: system-ui, sans-serif; }
.error { color: #c53030; font-weight: 600; }
";

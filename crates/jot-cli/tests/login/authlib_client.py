"""An OpenID Connect relying party built on Authlib, run against `jot serve`.

Reads its settings as JSON on stdin (issuer, client_id, client_secret, redirect_uri,
post_logout_redirect_uri, username, password) and runs the whole code flow the way
an application using Authlib would: discovery, an authorization URL with PKCE (S256),
a nonce and a state, the login form (and the consent page when shown) posted like a
browser, the code taken from the redirect (the redirect URI is a loopback address
nobody listens on, so it is never followed), the token request with the code
verifier, the ID token validated with Authlib's CodeIDToken against the JWK Set
(signature, iss, aud, exp, nonce, at_hash), userinfo, a refresh, RP-initiated
logout, and the refresh token refused after logout.

Prints one JSON object of what it saw on stdout; any failed check raises, so the
exit status is non-zero.
"""

import json
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlparse

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken, UserInfo
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

SCOPE = "openid profile email offline_access"


class Forms(HTMLParser):
    """The forms of a page: id, action and every input and button value."""

    def __init__(self):
        super().__init__()
        self.forms = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action"), "fields": {}, "buttons": []}
            self.forms[attrs.get("id")] = self._current
        elif self._current is not None and tag == "input" and attrs.get("name"):
            self._current["fields"][attrs["name"]] = attrs.get("value", "")
        elif self._current is not None and tag == "button" and attrs.get("name"):
            self._current["buttons"].append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(html):
    parser = Forms()
    parser.feed(html)
    return parser.forms


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def to_redirect_uri(browser, response, redirect_uri):
    """Follows the issuer's redirects (as a browser) until one leaves for the
    client's redirect URI; returns that Location, or the page where they stop."""
    for _ in range(10):
        if response.status_code not in (302, 303):
            return None, response
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(redirect_uri):
            return location, response
        response = browser.get(location, allow_redirects=False)
    raise AssertionError("too many redirects")


def main():
    cfg = json.load(sys.stdin)
    issuer = cfg["issuer"]
    out = {}

    # Discovery (OIDC Discovery 1.0 / RFC 8414).
    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    check(meta["issuer"] == issuer, f"discovery issuer {meta['issuer']!r}")
    check("code" in meta["response_types_supported"], "response_type code")
    check(meta["code_challenge_methods_supported"] == ["S256"], "S256 only")
    check(meta.get("authorization_response_iss_parameter_supported") is True, "RFC 9207")
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                     "end_session_endpoint", "jwks_uri"):
        check(meta.get(endpoint, "").startswith(issuer), f"{endpoint} {meta.get(endpoint)!r}")
    out["discovery"] = True

    client = OAuth2Session(
        cfg["client_id"],
        cfg["client_secret"],
        scope=SCOPE,
        redirect_uri=cfg["redirect_uri"],
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    code_verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    check("code_challenge=" in url and "code_challenge_method=S256" in url, url)

    # The person's browser: the login form, then the consent page if shown.
    browser = requests.Session()
    response = browser.get(url, allow_redirects=False)
    location, page = to_redirect_uri(browser, response, cfg["redirect_uri"])
    check(location is None and page.status_code == 200, f"a login page, got {page.status_code}")
    login = forms_of(page.text).get("login")
    check(login is not None, "a form#login")
    check("csrf" in login["fields"] and "request" in login["fields"], "hidden csrf and request")
    fields = dict(login["fields"], username=cfg["username"], password=cfg["password"])
    response = browser.post(urljoin(page.url, login["action"]), data=fields, allow_redirects=False)
    location, page = to_redirect_uri(browser, response, cfg["redirect_uri"])
    out["consent_shown"] = False
    if location is None:
        consent = forms_of(page.text).get("consent")
        check(consent is not None, f"after login: a redirect or a consent page ({page.status_code})")
        out["consent_shown"] = True
        for scope in ("openid", "profile", "email"):
            check(scope in page.text, f"the consent page lists {scope}")
        fields = dict(consent["fields"], decision="allow")
        response = browser.post(urljoin(page.url, consent["action"]), data=fields,
                                allow_redirects=False)
        location, page = to_redirect_uri(browser, response, cfg["redirect_uri"])
    check(location is not None, "redirected to the client with a code")
    params = parse_qs(urlparse(location).query)
    check(params.get("state") == [state], "state comes back untouched")
    check(params.get("iss") == [issuer], "iss in the response (RFC 9207)")

    # The token request: Authlib checks the state and sends the code verifier.
    token = client.fetch_token(
        meta["token_endpoint"], authorization_response=location, code_verifier=code_verifier
    )
    for field in ("access_token", "id_token", "refresh_token"):
        check(field in token, f"token response has {field}")
    check(token["token_type"].lower() == "bearer", token["token_type"])

    # The ID token, as Authlib's OpenID client validates it.
    key_set = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(
        token["id_token"],
        key=key_set,
        registry=JWSRegistry(algorithms=meta["id_token_signing_alg_values_supported"]),
    )
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "values": [cfg["client_id"]]},
        },
        {"nonce": nonce, "client_id": cfg["client_id"], "access_token": token["access_token"]},
    )
    claims.validate(leeway=60)
    for claim in ("at_hash", "nonce", "auth_time", "sid"):
        check(claim in claims, f"the ID token has {claim}")
    # A changed nonce or access token fails the same validation.
    for wrong in ({"nonce": nonce + "x"}, {"access_token": token["access_token"] + "x"}):
        params = {"nonce": nonce, "client_id": cfg["client_id"],
                  "access_token": token["access_token"], **wrong}
        try:
            CodeIDToken(decoded.claims, decoded.header, {}, params).validate(leeway=60)
        except Exception:
            pass
        else:
            raise AssertionError(f"validation ignored {sorted(wrong)}")
    out["id_token"] = {"sub": claims["sub"], "alg": decoded.header["alg"],
                       "aud": claims["aud"], "nonce_ok": True, "at_hash_ok": True}

    # userinfo (the bearer token in the header).
    response = client.get(meta["userinfo_endpoint"])
    check(response.status_code == 200, f"userinfo {response.status_code}: {response.text}")
    info = UserInfo(response.json())
    check(info["sub"] == claims["sub"], "userinfo sub = ID token sub")
    out["userinfo"] = dict(info)

    # Refresh: a new access token and a rotated refresh token.
    first_refresh = token["refresh_token"]
    refreshed = client.refresh_token(meta["token_endpoint"], refresh_token=first_refresh)
    check(refreshed["access_token"] != token["access_token"], "a new access token")
    check(refreshed.get("refresh_token") not in (None, first_refresh), "a rotated refresh token")
    out["refreshed"] = True

    # RP-initiated logout, from the same browser, back to the registered URI.
    logout_state = generate_token(16)
    response = browser.get(
        meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": cfg["post_logout_redirect_uri"],
            "state": logout_state,
            "client_id": cfg["client_id"],
        },
        allow_redirects=False,
    )
    check(response.status_code in (302, 303), f"logout redirects ({response.status_code})")
    back = response.headers["Location"]
    check(back.startswith(cfg["post_logout_redirect_uri"]), back)
    check(parse_qs(urlparse(back).query).get("state") == [logout_state], "logout state")
    out["logged_out"] = True

    # The session's refresh tokens died with it.
    try:
        client.refresh_token(meta["token_endpoint"], refresh_token=refreshed["refresh_token"])
    except OAuthError as error:
        out["refresh_after_logout"] = error.error
    else:
        raise AssertionError("a refresh token still works after logout")

    # And the browser must sign in again.
    url, _ = client.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=generate_token(48), nonce=generate_token(20)
    )
    location, page = to_redirect_uri(browser, browser.get(url, allow_redirects=False),
                                     cfg["redirect_uri"])
    check(location is None and "login" in forms_of(page.text), "logged out: the login form again")

    print(json.dumps(out))


if __name__ == "__main__":
    main()

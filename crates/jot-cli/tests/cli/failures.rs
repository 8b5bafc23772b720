//! Every way a token is rejected (exit 1, one line naming the check, and the `--json`
//! error shape) and every usage, key or I/O error (exit 2).

use crate::harness::{json, keys, now, run, token, verify};

/// Verifies with ES256 and returns (code, text message, json kind, json message).
fn rejected(alg: &str, token: &str, extra: &[&str]) -> (String, String, String) {
    let (code, out, err) = verify(alg, token, extra);
    assert_eq!(code, 1, "expected a rejection: {out}{err}");
    assert!(out.is_empty(), "nothing on stdout without --json: {out}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let line = err
        .trim_end()
        .strip_prefix("jot: token rejected: ")
        .unwrap_or_else(|| panic!("{err}"))
        .to_owned();
    let mut with_json = extra.to_vec();
    with_json.push("--json");
    let (code, out, _) = verify(alg, token, &with_json);
    assert_eq!(code, 1);
    let v = json(&out);
    let obj = v["error"].as_object().expect("{\"error\":{...}}");
    assert_eq!(obj.len(), 2, "{out}");
    // The same message; a relative time in it ("expired 30 s ago") may have moved on
    // by a second between the two runs, so digits may differ, nothing else.
    let message = obj["message"].as_str().expect("a message string");
    fn words(m: &str) -> Vec<&str> {
        m.split(|c: char| c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .collect()
    }
    assert_eq!(words(message), words(&line), "{out}");
    (line, obj["kind"].as_str().unwrap().to_owned(), out)
}

#[test]
fn signature_invalid() {
    // Signed by a different ES256 key.
    let dir = crate::harness::scratch();
    let other = dir.join("other.jwk");
    let other = other.to_str().unwrap();
    crate::harness::ok(&["keygen", "ES256", "--no-kid", "--out", other]);
    let t = crate::harness::ok(&["encode", "--key", other])
        .trim()
        .to_owned();
    let (msg, kind, _) = rejected("ES256", &t, &[]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("signature invalid", "invalid_signature")
    );

    // A payload swapped under a valid signature.
    let good = token("ES256", &["--sub", "alice"]);
    let evil = token("ES256", &["--sub", "mallory"]);
    let g: Vec<&str> = good.split('.').collect();
    let e: Vec<&str> = evil.split('.').collect();
    let forged = format!("{}.{}.{}", g[0], e[1], g[2]);
    let (msg, ..) = rejected("ES256", &forged, &[]);
    assert_eq!(msg, "signature invalid");
}

#[test]
fn time_checks() {
    let t = token("ES256", &["--exp=-3h", "--allow-expired"]);
    let (msg, kind, _) = rejected("ES256", &t, &[]);
    assert!(
        msg.starts_with("expired 3 h ago (exp ") && msg.ends_with(" UTC)"),
        "{msg}"
    );
    assert_eq!(kind, "expired");
    let out = crate::harness::jot()
        .args([
            "verify",
            "--key",
            &keys().public("ES256"),
            "--date",
            "local",
            &t,
        ])
        .env("TZ", "JST-9")
        .output()
        .unwrap();
    let err = crate::harness::text(&out.stderr);
    assert!(err.trim_end().ends_with(" JST)"), "{err}");

    // 2.5 h ahead: the message ("in 2 h") stays the same between the two runs
    // `rejected` makes, whatever second boundary falls between them.
    let nbf = format!("@{}", now() + 9000);
    let t = token("ES256", &["--nbf", &nbf]);
    let (msg, kind, _) = rejected("ES256", &t, &[]);
    assert!(msg.starts_with("not valid yet: valid in 2 h"), "{msg}");
    assert_eq!(kind, "not_yet_valid");

    let iat = format!("iat={}", now() + 9000);
    let t = token("ES256", &["--claim", &iat]);
    let (msg, kind, _) = rejected("ES256", &t, &[]);
    assert!(
        msg.starts_with("issued in the future: iat is in 2 h"),
        "{msg}"
    );
    assert_eq!(kind, "issued_in_future");

    let iat = format!("iat={}", now() - 7200);
    let t = token("ES256", &["--claim", &iat]);
    let (msg, kind, _) = rejected("ES256", &t, &["--max-age", "600"]);
    assert_eq!(msg, "too old: issued 2 h ago, more than --max-age 600 s");
    assert_eq!(kind, "too_old");

    // Leeway: a token expired 30 s ago passes with the default 60 s, fails with 0.
    let t = token("ES256", &["--exp=-30s", "--allow-expired"]);
    assert_eq!(verify("ES256", &t, &[]).0, 0);
    let (msg, ..) = rejected("ES256", &t, &["--leeway", "0"]);
    // 30 s, plus the seconds the two commands took on a loaded machine.
    let ago: u64 = msg
        .strip_prefix("expired ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an expiry message: {msg}"));
    assert!((30..=45).contains(&ago), "{msg}");
    assert!(msg.contains(" s ago"), "{msg}");
}

#[test]
fn claim_checks() {
    let t = token(
        "ES256",
        &[
            "--iss", "bob", "--aud", "web", "--sub", "carol", "--typ", "JWT",
        ],
    );
    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "web", "--iss", "alice"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("issuer mismatch: expected alice, got bob", "wrong_issuer")
    );

    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "api"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("audience mismatch: expected api, got web", "wrong_audience")
    );

    let (msg, _, _) = rejected("ES256", &t, &[]);
    assert_eq!(
        msg,
        "audience mismatch: the token is for web; pass --aud to accept it"
    );

    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "web", "--sub", "dave"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        (
            "subject mismatch: expected dave, got carol",
            "wrong_subject"
        )
    );

    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "web", "--typ", "at+jwt"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("type mismatch: expected at+jwt, got JWT", "wrong_type")
    );

    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "web", "--require", "jti"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("missing required claim jti", "missing_claim")
    );

    let (msg, kind, _) = rejected("ES256", &t, &["--aud", "web", "--require", "tenant"]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("missing required claim tenant", "missing_claim")
    );

    let t = token("ES256", &["--no-exp"]);
    let (msg, ..) = rejected("ES256", &t, &[]);
    assert!(
        msg.starts_with("missing required claim exp (pass --allow-no-exp"),
        "{msg}"
    );
    assert_eq!(verify("ES256", &t, &["--allow-no-exp"]).0, 0);

    // All given checks pass.
    let t = token(
        "ES256",
        &[
            "--iss", "bob", "--aud", "web", "--sub", "carol", "--jti", "1",
        ],
    );
    let args = [
        "--aud",
        "api",
        "--aud",
        "web",
        "--iss",
        "x",
        "--iss",
        "bob",
        "--sub",
        "carol",
        "--require",
        "jti",
        "--typ",
        "jwt",
    ];
    assert_eq!(verify("ES256", &t, &args).0, 0);
}

#[test]
fn algorithm_and_key_selection() {
    let k = keys();
    // An HS256 token against an ES256 key.
    let t = token("HS256", &[]);
    let key = k.public("ES256");
    let (code, _, err) = run(&["verify", "--key", &key, &t]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: algorithm HS256 not allowed: expected ES256"
    );

    // alg: none.
    let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    let (msg, kind, _) = rejected("ES256", none, &[]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("unsecured token (alg none) refused", "unsecured")
    );

    // An algorithm jot does not know.
    let unknown = "eyJhbGciOiJGT08ifQ.eyJzdWIiOiJ4In0.c2ln";
    let (msg, kind, _) = rejected("ES256", unknown, &[]);
    assert_eq!(
        (msg.as_str(), kind.as_str()),
        ("unsupported algorithm FOO", "header")
    );

    // --alg narrows what a JWK Set accepts.
    let set = k.dir().join("mixed.jwks");
    let mixed = crate::harness::ok(&["jwk", "set", &k.public("ES256"), &k.public("EdDSA")]);
    std::fs::write(&set, mixed).unwrap();
    let t = token("EdDSA", &[]);
    let (code, _, err) = run(&[
        "verify",
        "--key",
        set.to_str().unwrap(),
        "--alg",
        "ES256",
        &t,
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        "jot: token rejected: algorithm EdDSA not allowed: expected ES256"
    );
    let (code, _, _) = run(&[
        "verify",
        "--key",
        set.to_str().unwrap(),
        "--alg",
        "EdDSA",
        &t,
    ]);
    assert_eq!(code, 0);

    // A kid the JWK Set does not hold.
    let set = k.dir().join("one.jwks");
    std::fs::write(
        &set,
        crate::harness::ok(&["jwk", "set", &k.public("ES256")]),
    )
    .unwrap();
    let t = token("ES256", &["--kid", "nope"]);
    let (code, _, err) = run(&["verify", "--key", set.to_str().unwrap(), &t]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        format!(
            "jot: token rejected: no key with kid nope: the key in {} has kid ES256-kid",
            set.display()
        )
    );
    // The same with one key: the message names the key's own kid.
    let key = k.public("ES256");
    let (code, _, err) = run(&["verify", "--key", &key, &t]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim_end(),
        format!("jot: token rejected: no key with kid nope: the key in {key} has kid ES256-kid")
    );
}

#[test]
fn messages_say_what_to_do() {
    let k = keys();
    let t = token("ES256", &[]);
    // A text file given as a key: the secret goes to --secret-file.
    let secret = k.secret();
    for args in [
        vec!["encode", "--key", &secret, "--alg", "HS256"],
        vec!["verify", "--key", &secret, &t],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("a text file, not a key")
                && err.contains(&format!("--secret-file {secret}")),
            "{err}"
        );
    }
    // An RSA key without --alg.
    let (code, _, err) = run(&["verify", "--key", &k.public("RS256"), &t]);
    assert_eq!(code, 2);
    assert!(
        err.contains("from an RSA key; give it explicitly (pass --alg)"),
        "{err}"
    );
    // --json on a key error: a JSON object on stdout too, exit 2.
    let (code, out, err) = run(&["verify", "--json", "--key", "/nonexistent", &t]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("jot: error: cannot open the key file"),
        "{err}"
    );
    let v = json(&out);
    assert_eq!(v["error"]["kind"], "error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent"),
        "{v}"
    );
    let (code, out, _) = run(&["decode", "--json", "@/nonexistent"]);
    assert_eq!(code, 2);
    assert_eq!(json(&out)["error"]["kind"], "error");
}

#[test]
fn malformed_tokens() {
    for (token, kind, needle) in [
        ("abc", "malformed", "has 1 segment, a JWS has 3"),
        ("a.b.c.d.e", "encrypted", "JWE"),
        ("a.b.c.d", "malformed", "4 segments"),
        ("e30=.e30.c2ln", "base64", "header is not valid base64url"),
        (
            "eyJhbGciOiJFUzI1NiJ9.e30.c2ln=",
            "base64",
            "signature is not valid base64url",
        ),
        (
            "eyJhbGciOiJFUzI1NiIsImFsZyI6IkVTMjU2In0.e30.c2ln",
            "duplicate_member",
            "twice",
        ),
    ] {
        let (msg, k, _) = rejected("ES256", token, &[]);
        assert_eq!(k, kind, "{token}: {msg}");
        assert!(msg.contains(needle), "{token}: {msg}");
    }
    let huge = format!("eyJhbGciOiJFUzI1NiJ9.{}.c2ln", "A".repeat(70_000));
    let (msg, kind, _) = rejected("ES256", &huge, &[]);
    assert_eq!(kind, "too_large", "{msg}");
}

#[test]
fn key_and_usage_errors_exit_2() {
    let k = keys();
    let t = token("ES256", &[]);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "verify".into(),
                "--key".into(),
                "/nonexistent/key.pem".into(),
                t.clone(),
            ],
            "cannot open the key file",
        ),
        (vec!["verify".into(), t.clone()], "required"),
        (
            vec![
                "verify".into(),
                "--key".into(),
                k.public("RS256"),
                t.clone(),
            ],
            "pass --alg",
        ),
        (
            vec![
                "verify".into(),
                "--secret-env".into(),
                "NOPE".into(),
                "--alg".into(),
                "HS256".into(),
                t.clone(),
            ],
            "NOPE is not set",
        ),
        (
            vec![
                "verify".into(),
                "--secret-file".into(),
                k.secret(),
                t.clone(),
            ],
            "--alg is required",
        ),
        (
            vec!["encode".into(), "--key".into(), k.public("ES256")],
            "private key",
        ),
        (
            vec![
                "encode".into(),
                "--alg".into(),
                "ES384".into(),
                "--key".into(),
                k.private("ES256"),
            ],
            "not for ES384",
        ),
        (
            vec![
                "encode".into(),
                "--alg".into(),
                "HS256".into(),
                "--key".into(),
                k.public("RS256"),
            ],
            "RSA",
        ),
        (
            vec![
                "encode".into(),
                "--key".into(),
                k.private("ES256"),
                "[1]".into(),
            ],
            "JSON object",
        ),
        (
            vec![
                "encode".into(),
                "--key".into(),
                k.private("ES256"),
                "{".into(),
            ],
            "not valid JSON",
        ),
        (
            vec![
                "encode".into(),
                "--key".into(),
                k.private("ES256"),
                "--claim".into(),
                "exp=tomorrow".into(),
            ],
            "invalid claims",
        ),
        (
            vec![
                "encode".into(),
                "--key".into(),
                k.private("ES256"),
                "--header".into(),
                "alg=none".into(),
            ],
            "comes from the key",
        ),
        (
            vec![
                "encode".into(),
                "--key".into(),
                k.private("ES256"),
                "--exp".into(),
                "1y".into(),
            ],
            "no fixed length",
        ),
        (vec!["keygen".into(), "none".into()], "invalid value"),
        (vec!["frobnicate".into()], "unrecognized subcommand"),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(needle),
            "{args:?}: expected {needle:?} in {err}"
        );
    }
}

#[test]
fn weak_keys_are_refused_with_the_reason() {
    let dir = crate::harness::scratch();
    let short = dir.join("short.txt");
    std::fs::write(&short, "s3cr3t-s3cr3t-s3cr3t").unwrap();
    let short = short.to_str().unwrap();
    let (code, _, err) = run(&["encode", "--alg", "HS256", "--secret-file", short]);
    assert_eq!(code, 2);
    assert!(
        err.contains("HS256 needs a secret of at least 32 bytes, got 20"),
        "{err}"
    );
    assert!(!err.contains("s3cr3t"), "the secret is never echoed: {err}");
    let (code, _, err) = run(&[
        "encode",
        "--alg",
        "HS512",
        "--secret-file",
        &keys().secret(),
    ]);
    assert_eq!(code, 0, "64 bytes are enough for HS512: {err}");

    match crate::harness::openssl() {
        Some(_) => {
            crate::harness::run_openssl(
                &dir,
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:1024",
                    "-out",
                    "weak.pem",
                ],
            );
            let weak = dir.join("weak.pem");
            let (code, _, err) =
                run(&["encode", "--alg", "RS256", "--key", weak.to_str().unwrap()]);
            assert_eq!(code, 2);
            assert!(err.contains("1024 bits is too small"), "{err}");
        }
        None => eprintln!("note: openssl not on PATH; skipping the 1024-bit RSA case"),
    }
}

#[test]
fn secrets_are_never_echoed() {
    let k = keys();
    let secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let secret_file = k.secret();
    let t = token("HS256", &[]);
    for alg in ["HS512", "HS256", "RS256"] {
        let (code, out, err) = run(&["verify", "--secret-file", &secret_file, "--alg", alg, &t]);
        assert_ne!(code, 0);
        assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
        let (_, out, err) = run(&["encode", "--secret-file", &secret_file, "--alg", alg]);
        assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
    }
}

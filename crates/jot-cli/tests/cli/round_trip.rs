//! encode → verify for every algorithm, and what encode puts in a token.

use crate::harness::{ALGS, json, keys, now, ok, run, token, verify};

#[test]
fn every_algorithm_round_trips() {
    for alg in ALGS {
        let t = token(
            alg,
            &["--sub", "alice", "--aud", "api", "--claim", "role=admin"],
        );
        let (code, out, err) = verify(alg, &t, &["--aud", "api", "--json"]);
        assert_eq!(code, 0, "{alg}: {err}");
        let v = json(&out);
        assert_eq!(v["header"]["alg"], alg);
        assert_eq!(v["claims"]["sub"], "alice");
        assert_eq!(v["claims"]["role"], "admin");
        // The key file's kid (set by keygen) goes into the header.
        if !alg.starts_with("RS") && !alg.starts_with("PS") {
            assert_eq!(v["header"]["kid"], format!("{alg}-kid"), "{alg}");
        }
    }
}

#[test]
fn verify_on_a_pipe_prints_plain_json_and_human_on_request() {
    let t = token("ES256", &["--sub", "alice"]);
    let (code, out, _) = verify("ES256", &t, &[]);
    assert_eq!(code, 0);
    assert!(!out.contains("//"), "no annotation on a pipe: {out}");
    let claims = json(&out);
    assert_eq!(claims["sub"], "alice");
    assert!(claims["exp"].is_u64());
    let (code, out, _) = verify("ES256", &t, &["--human"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\"exp\": ") && out.contains(" UTC, in "),
        "{out}"
    );
    let (code, _, err) = verify("ES256", &t, &["--human", "--json"]);
    assert_eq!(code, 2, "--human and --json conflict: {err}");
}

#[test]
fn algorithm_is_inferred_from_ec_okp_and_jwk_keys() {
    let k = keys();
    for alg in ["ES256", "ES384", "ES512", "ES256K", "EdDSA", "HS384"] {
        let t = ok(&["encode", "--key", &k.private(alg)]);
        let out = ok(&["verify", "--key", &k.public(alg), "--json", t.trim()]);
        assert_eq!(json(&out)["header"]["alg"], alg);
    }
}

#[test]
fn hmac_secret_from_file_and_environment() {
    let k = keys();
    let secret = k.secret();
    for alg in ["HS256", "HS384", "HS512"] {
        let t = ok(&[
            "encode",
            "--alg",
            alg,
            "--secret-file",
            &secret,
            "--sub",
            "s",
        ]);
        let out = crate::harness::jot()
            .args([
                "verify",
                "--alg",
                alg,
                "--secret-env",
                "JOT_SECRET",
                t.trim(),
            ])
            .env(
                "JOT_SECRET",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            )
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{alg}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("\"sub\": \"s\""));
    }
}

#[test]
fn rsa_key_verifies_several_algorithms() {
    let k = keys();
    let t = token("PS384", &[]);
    let (code, _, err) = run(&[
        "verify",
        "--alg",
        "RS256",
        "--alg",
        "PS384",
        "--key",
        &k.public("RS256"),
        &t,
    ]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn encode_sets_registered_claims_and_headers() {
    let t = token(
        "ES256",
        &[
            "--iss",
            "https://issuer",
            "--sub",
            "alice",
            "--aud",
            "api",
            "--aud",
            "web",
            "--nbf",
            "+0s",
            "--jti",
            "id-1",
            "--typ",
            "at+jwt",
            "--kid",
            "other",
            "--claim",
            "n=5",
            "--claim",
            "list=[1,2]",
            "--claim",
            "s=plain text",
            "--header",
            "cty=x",
            "--header",
            "custom={\"a\":true}",
            r#"{"role":"admin","n":1}"#,
        ],
    );
    let v = json(&ok(&["decode", "--json", &t]));
    let (h, c) = (&v["header"], &v["claims"]);
    assert_eq!(h["alg"], "ES256");
    assert_eq!(h["typ"], "at+jwt");
    assert_eq!(h["kid"], "other");
    assert_eq!(h["cty"], "x");
    assert_eq!(h["custom"]["a"], true);
    assert_eq!(c["iss"], "https://issuer");
    assert_eq!(c["aud"], serde_json::json!(["api", "web"]));
    assert_eq!(c["jti"], "id-1");
    assert_eq!(c["n"], 5, "--claim overrides CLAIMS");
    assert_eq!(c["list"], serde_json::json!([1, 2]));
    assert_eq!(c["s"], "plain text");
    assert_eq!(c["role"], "admin");
    let (iat, exp, nbf) = (
        c["iat"].as_u64().unwrap(),
        c["exp"].as_u64().unwrap(),
        c["nbf"].as_u64().unwrap(),
    );
    assert_eq!(exp - iat, 3600, "exp defaults to one hour");
    assert!(iat.abs_diff(now()) < 30 && nbf.abs_diff(iat) < 5);
}

#[test]
fn encode_exp_forms_and_opt_outs() {
    let t = token("EdDSA", &["--exp", "7d", "--no-iat", "--jti-random"]);
    let c = &json(&ok(&["decode", "--json", &t]))["claims"];
    assert!(c.get("iat").is_none());
    assert_eq!(c["jti"].as_str().unwrap().len(), 22);
    assert!(c["exp"].as_u64().unwrap().abs_diff(now() + 7 * 86_400) < 30);

    let key = keys().private("EdDSA");
    let (code, _, err) = run(&["encode", "--key", &key, "--exp", "1h", "--no-exp"]);
    assert_eq!(code, 2, "--exp and --no-exp conflict: {err}");

    let t = token("EdDSA", &["--no-exp"]);
    let c = &json(&ok(&["decode", "--json", &t]))["claims"];
    assert!(c.get("exp").is_none());

    let t = token("EdDSA", &["--exp", "@2000000000"]);
    assert_eq!(
        json(&ok(&["decode", "--json", &t]))["claims"]["exp"],
        2_000_000_000u64
    );
}

#[test]
fn times_are_explicit_and_never_silently_past() {
    let key = keys().private("EdDSA");
    let claims = |args: &[&str]| {
        let mut all = vec!["encode", "--key", &key];
        all.extend_from_slice(args);
        let t = ok(&all);
        json(&ok(&["decode", "--json", t.trim()]))["claims"].clone()
    };
    // An RFC 3339 date, a Unix time after @, a compound duration, --iat.
    assert_eq!(
        claims(&["--exp", "2100-01-01T00:00:00Z"])["exp"],
        4_102_444_800u64
    );
    assert_eq!(claims(&["--exp", "@4102444800"])["exp"], 4_102_444_800u64);
    let c = claims(&["-e", "1h30m", "--iat=-1m", "-n", "+90"]);
    let (exp, iat, nbf) = (
        c["exp"].as_u64().unwrap(),
        c["iat"].as_u64().unwrap(),
        c["nbf"].as_u64().unwrap(),
    );
    assert!(exp.abs_diff(now() + 5400) < 30, "1h30m is 5400 s: {exp}");
    assert!(iat.abs_diff(now() - 60) < 30 && nbf.abs_diff(now() + 90) < 30);
    // Refused: a bare number, a unit-less trailing number, an expiry in the past.
    for (args, message) in [
        (&["--exp", "1700000000"][..], "@1700000000"),
        (&["--exp", "1h30"], "1h30m or 1h30s"),
        (&["--nbf", "900"], "900s"),
        (&["--exp=-5m"], "--allow-expired"),
        (&["--exp", "@1000000000"], "not in the future"),
        (&["--exp", "2001-09-09T01:46:40Z"], "expired"),
        (&["{\"exp\":1000000000}"], "--allow-expired"),
    ] {
        let mut all = vec!["encode", "--key", &key];
        all.extend_from_slice(args);
        let (code, out, err) = run(&all);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let c = claims(&["--exp", "@1000000000", "--allow-expired"]);
    assert_eq!(c["exp"], 1_000_000_000u64);
}

#[test]
fn verify_reads_durations_for_leeway_and_max_age() {
    let t = token("ES256", &["--exp=-90s", "--allow-expired"]);
    assert_eq!(verify("ES256", &t, &[]).0, 1, "60 s of leeway by default");
    assert_eq!(verify("ES256", &t, &["--leeway", "2m"]).0, 0);
    assert_eq!(verify("ES256", &t, &["--leeway", "120"]).0, 0);
    let old = token("ES256", &["--iat=-2h"]);
    assert_eq!(verify("ES256", &old, &["--max-age", "1h"]).0, 1);
    assert_eq!(verify("ES256", &old, &["--max-age", "2h30m"]).0, 0);
    let (code, _, err) = verify("ES256", &old, &["--max-age", "1h30"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn claims_from_file_and_stdin() {
    let k = keys();
    let path = k.dir().join("claims.json");
    std::fs::write(&path, r#"{"from":"file"}"#).unwrap();
    let arg = format!("@{}", path.display());
    let t = token("ES256", &[&arg]);
    assert_eq!(
        json(&ok(&["decode", "--json", &t]))["claims"]["from"],
        "file"
    );

    let key = k.private("ES256");
    let (code, out, err) =
        crate::harness::run_stdin(&["encode", "--key", &key, "-"], r#"{"from":"stdin"}"#);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json(&ok(&["decode", "--json", out.trim()]))["claims"]["from"],
        "stdin"
    );
}

#[test]
fn token_from_stdin_and_bearer_prefix() {
    let k = keys();
    let t = token("ES384", &["--sub", "piped"]);
    let key = k.public("ES384");
    let (code, out, _) = crate::harness::run_stdin(&["verify", "--key", &key], &format!("{t}\n"));
    assert_eq!(code, 0);
    assert!(out.contains("piped"));
    let (code, out, _) =
        crate::harness::run_stdin(&["verify", "--key", &key, "-"], &format!("Bearer {t}"));
    assert_eq!(code, 0);
    assert!(out.contains("piped"));
    let (code, out, _) = crate::harness::run_stdin(&["decode", "--json"], &t);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["claims"]["sub"], "piped");
    let (code, _, _) = crate::harness::run_stdin(&["decode", "-"], &t);
    assert_eq!(code, 0);
}

#[test]
fn short_flags_as_jwt_cli_users_type_them() {
    let k = keys();
    let (key, public) = (k.private("ES256"), k.public("ES256"));
    let t = ok(&[
        "encode",
        "-k",
        &key,
        "-a",
        "ES256",
        "-s",
        "alice",
        "-i",
        "https://as",
        "-t",
        "at+jwt",
        "-e",
        "1h",
        "-n=-1m",
        "-P",
        "role=admin",
    ]);
    let out = ok(&[
        "verify",
        "-k",
        &public,
        "-a",
        "ES256",
        "-s",
        "alice",
        "-i",
        "https://as",
        "-t",
        "at+jwt",
        "-j",
        t.trim(),
    ]);
    let v = json(&out);
    assert_eq!(v["claims"]["role"], "admin");
    assert_eq!(v["header"]["typ"], "at+jwt");
    let decoded = json(&ok(&["decode", "-j", t.trim()]));
    assert_eq!(decoded["claims"]["sub"], "alice");
}

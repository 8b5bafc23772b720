//! `jot decode`: human and JSON output, the UNVERIFIED banner, colour, and tokens
//! that verify would refuse.

use crate::harness::{jot, json, run, run_stdin, text, token};

#[test]
fn human_output_with_dates_and_banner() {
    let t = token("ES256", &["--sub", "alice", "--exp=+59m30s"]);
    let (code, out, err) = run(&["decode", "--human", &t]);
    assert_eq!(code, 0);
    assert!(err.contains("UNVERIFIED"), "{err}");
    assert!(out.starts_with("Header\n{\n  \"alg\": \"ES256\","), "{out}");
    assert!(out.contains("\nClaims\n{\n"), "{out}");
    assert!(out.contains("\"sub\": \"alice\""), "{out}");
    assert!(out.contains(" UTC, in 59 min"), "{out}");
    assert!(
        out.contains(" UTC, 0 s ago") || out.contains(" UTC, 1 s ago"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn expired_and_unknown_algorithm_tokens_decode() {
    let t = token("EdDSA", &["--exp=-3h", "--allow-expired"]);
    let (code, out, _) = run(&["decode", "--human", &t]);
    assert_eq!(code, 0);
    assert!(out.contains(" UTC, expired 3 h ago"), "{out}");

    let unknown = "eyJhbGciOiJGT08ifQ.eyJzdWIiOiJ4In0.c2ln";
    let (code, out, err) = run(&["decode", "--json", unknown]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json(&out),
        serde_json::json!({"header": {"alg": "FOO"}, "claims": {"sub": "x"}})
    );
    assert!(err.contains("UNVERIFIED"));
    assert!(
        err.contains("unsupported algorithm"),
        "the strict parse's objection is shown: {err}"
    );
}

#[test]
fn json_shape() {
    let t = token("ES384", &["--sub", "bob", "--kid", "k9"]);
    let (code, out, _) = run(&["decode", "--json", &t]);
    assert_eq!(code, 0);
    assert!(out.starts_with("{\"header\":{"), "header first: {out}");
    assert!(out.ends_with("}\n") && out.lines().count() == 1);
    let v = json(&out);
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert_eq!(
        v["header"],
        serde_json::json!({"alg": "ES384", "typ": "JWT", "kid": "k9"})
    );
    assert_eq!(v["claims"]["sub"], "bob");
}

#[test]
fn a_pipe_gets_one_json_document() {
    let t = token("ES256", &["--sub", "alice", "--kid", "k1"]);
    let (code, out, err) = run(&["decode", &t]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("UNVERIFIED"),
        "the banner stays on stderr: {err}"
    );
    assert!(!out.contains("//") && !out.contains("UTC"), "{out}");
    let v = json(&out);
    assert_eq!(v["header"]["kid"], "k1");
    assert_eq!(v["claims"]["sub"], "alice");
    assert_eq!(v.as_object().unwrap().len(), 2);
    assert!(
        out.starts_with("{\n  \"header\": {"),
        "indented, header first: {out}"
    );
    // What `jot decode TOKEN | jq .claims.sub` reads.
    assert_eq!(
        jot()
            .args(["decode", "-"])
            .write_stdin(t)
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn dates_in_utc_or_in_the_local_zone() {
    // 2001-09-09 01:46:40 UTC
    let t = token("ES256", &["--exp", "@1000000000", "--allow-expired"]);
    let (_, out, _) = run(&["decode", "--human", &t]);
    assert!(
        out.contains("\"exp\": 1000000000,  // 2001-09-09 01:46:40 UTC, expired"),
        "{out}"
    );
    let out = jot()
        .args(["decode", "--human", "--date", "local", &t])
        .env("TZ", "JST-9")
        .output()
        .unwrap();
    let out = text(&out.stdout);
    assert!(out.contains("// 2001-09-09 10:46:40 JST, expired"), "{out}");
}

#[test]
fn colour_follows_color_flag_and_no_color() {
    let t = token("ES256", &[]);
    let out = jot()
        .args(["--color", "always", "decode", &t])
        .output()
        .unwrap();
    assert!(
        text(&out.stdout).contains("\u{1b}["),
        "--color always colours"
    );
    let out = jot()
        .args(["decode", "--color", "never", &t])
        .output()
        .unwrap();
    assert!(!text(&out.stdout).contains('\u{1b}'));
    // Auto never colours a pipe, NO_COLOR or not.
    let out = jot()
        .args(["decode", &t])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!text(&out.stdout).contains('\u{1b}'));
    // Unless CLICOLOR_FORCE asks for it; NO_COLOR still wins (anstream's rules).
    let forced = |no_color: bool| {
        let mut cmd = jot();
        cmd.args(["decode", "--human", &t])
            .env("CLICOLOR_FORCE", "1");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        text(&cmd.output().unwrap().stdout)
    };
    assert!(forced(false).contains("\u{1b}["));
    assert!(!forced(true).contains('\u{1b}'));
}

#[test]
fn escape_sequences_in_claims_are_neutralised() {
    // {"alg":"HS256"} . {"sub":"\u001b[31mred"}
    let t = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJcdTAwMWJbMzFtcmVkIn0.c2ln";
    let out = jot()
        .args(["decode", "--color", "never", t])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert!(stdout.contains(r#""sub": "\u001b[31mred""#), "{stdout}");
}

#[test]
fn not_a_jwt_is_rejected() {
    for bad in ["abc", "a.b.c", "e30.bm9wZQ.x", "a.b.c.d.e"] {
        let (code, out, err) = run(&["decode", bad]);
        assert_eq!(code, 1, "{bad}");
        assert!(out.is_empty());
        assert!(err.starts_with("jot: not a JWT:"), "{err}");
    }
    let (code, _, err) = run_stdin(&["decode"], "   \n");
    assert_eq!(code, 2);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn malformed_but_readable_tokens_decode_with_a_warning() {
    // {"alg":"ES256","alg":"ES256"} . {}
    let t = "eyJhbGciOiJFUzI1NiIsImFsZyI6IkVTMjU2In0.e30.c2ln";
    let (code, out, err) = run(&["decode", "--json", t]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["header"]["alg"], "ES256");
    assert!(err.contains("warning:") && err.contains("twice"), "{err}");
}

//! HMAC secrets from `--secret-file`: a file is the secret byte for byte, unless it
//! is UTF-8 text, which loses one trailing `\n` or `\r\n`. Tokens are checked with
//! jot-algorithms and the exact secret bytes, so a dropped or kept byte shows.

use jot_algorithms::{Algorithm, Validation, VerifyingKey, decode};
use serde_json::Value;

use crate::harness::{ok, path_str, run, scratch};

/// 64 random-looking bytes, not UTF-8 (0xff, 0xc3 without continuation), whose last
/// byte is 0x0a, as `head -c 64 /dev/urandom` makes one time in 256.
fn binary_secret() -> Vec<u8> {
    let mut secret: Vec<u8> = (0u8..63).map(|i| i.wrapping_mul(97) ^ 0xa5).collect();
    secret[0] = 0xff;
    secret[1] = 0xc3;
    secret.push(b'\n');
    assert!(std::str::from_utf8(&secret).is_err());
    secret
}

/// Whether `token` verifies with exactly `secret` for `alg`.
fn signed_with(token: &str, alg: Algorithm, secret: &[u8]) -> bool {
    let key = VerifyingKey::hmac(alg, secret).unwrap();
    decode::<Value>(token, &key, &Validation::new()).is_ok()
}

fn encode(alg: &str, file: &str) -> String {
    ok(&["encode", "--alg", alg, "--secret-file", file, "--sub", "s"])
        .trim_end()
        .to_owned()
}

#[test]
fn a_binary_secret_is_used_byte_for_byte() {
    let secret = binary_secret();
    let file = scratch().join("secret.bin");
    std::fs::write(&file, &secret).unwrap();
    let file = path_str(&file);
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let token = encode(alg.as_str(), file);
        assert!(signed_with(&token, alg, &secret), "{alg}: all 64 bytes");
        if alg != Algorithm::HS512 {
            assert!(!signed_with(&token, alg, &secret[..63]), "{alg}: 0x0a kept");
        }
        // And `jot verify` reads the file the same way.
        let (code, _, err) = run(&[
            "verify",
            "--alg",
            alg.as_str(),
            "--secret-file",
            file,
            &token,
        ]);
        assert_eq!(code, 0, "{alg}: {err}");
    }
    // Without its final byte the secret is a different key: tokens from it are refused.
    let short = scratch().join("secret-63.bin");
    std::fs::write(&short, &secret[..63]).unwrap();
    let token = encode("HS256", path_str(&short));
    let (code, _, err) = run(&["verify", "--alg", "HS256", "--secret-file", file, &token]);
    assert_eq!(
        (code, err.as_str()),
        (1, "jot: token rejected: signature invalid\n")
    );
}

#[test]
fn a_text_secret_loses_one_final_newline() {
    let text = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let dir = scratch();
    for (name, contents, secret) in [
        ("lf.txt", format!("{text}\n"), text.to_owned()),
        ("crlf.txt", format!("{text}\r\n"), text.to_owned()),
        ("none.txt", text.to_owned(), text.to_owned()),
        ("two.txt", format!("{text}\n\n"), format!("{text}\n")),
    ] {
        let file = dir.join(name);
        std::fs::write(&file, &contents).unwrap();
        for alg in [Algorithm::HS256, Algorithm::HS512] {
            let token = encode(alg.as_str(), path_str(&file));
            assert!(signed_with(&token, alg, secret.as_bytes()), "{name} {alg}");
        }
    }
}

#[test]
fn help_says_how_the_file_is_read() {
    for command in ["encode", "verify"] {
        let help = ok(&[command, "--help"]);
        assert!(
            help.contains("byte for byte") && help.contains("UTF-8 text"),
            "{command}: {help}"
        );
    }
}

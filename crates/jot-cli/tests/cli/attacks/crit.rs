//! `crit`: empty, naming registered, unknown or absent parameters, malformed.

use jot_test_support::forge::sign_raw;

use super::{es256, es256_args, payload, refused, refused_as};

#[test]
fn crit_empty_unknown_and_registered_are_refused() {
    let key = es256();
    for (header, message) in [
        (
            r#"{"alg":"ES256","crit":[]}"#,
            r#"invalid header: "crit" must not be empty"#,
        ),
        (
            r#"{"alg":"ES256","crit":["exp"],"exp":1}"#,
            r#"invalid header: unknown critical header parameter "exp""#,
        ),
        (
            r#"{"alg":"ES256","crit":["urn:x-attacker"],"urn:x-attacker":true}"#,
            r#"invalid header: unknown critical header parameter "urn:x-attacker""#,
        ),
        (
            r#"{"alg":"ES256","crit":["alg"]}"#,
            r#"invalid header: "crit" names the registered parameter "alg""#,
        ),
        (
            r#"{"alg":"ES256","kid":"ES256-kid","crit":["kid"]}"#,
            r#"invalid header: "crit" names the registered parameter "kid""#,
        ),
        (
            r#"{"alg":"ES256","crit":["absent"]}"#,
            r#"invalid header: "crit" names "absent", which is not in the header"#,
        ),
    ] {
        let t = sign_raw(&key, header, &payload());
        refused_as(&es256_args(), &t, "header", message);
    }
    for header in [
        r#"{"alg":"ES256","crit":"x","x":1}"#,
        r#"{"alg":"ES256","crit":[1]}"#,
        r#"{"alg":"ES256","crit":["x","x"],"x":1}"#,
    ] {
        let t = sign_raw(&key, header, &payload());
        let (msg, kind) = refused(&es256_args(), &t);
        assert_eq!(kind, "header", "{header}: {msg}");
        assert!(msg.contains("crit"), "{header}: {msg}");
    }
}

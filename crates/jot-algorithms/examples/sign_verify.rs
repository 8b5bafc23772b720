//! Signs a token with a freshly generated key, verifies it with the public half
//! (as a JWK, the way an issuer publishes it), and shows what a tampered token
//! and a token for another audience get.
//!
//! ```sh
//! cargo run -p jot-algorithms --example sign_verify
//! ```

use jot_algorithms::{
    Algorithm, Claims, Error, Header, SigningKey, Validation, VerifyingKey, decode, encode,
};
use serde::{Deserialize, Serialize};

/// The application's own claims, beside the registered ones.
#[derive(Debug, Serialize, Deserialize)]
struct Session {
    role: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = SigningKey::generate(Algorithm::ES256)?.with_kid("demo-1");
    let public = key.verifying_key().to_jwk()?;
    println!("public key: {}", serde_json::to_string(&public)?);

    let claims = Claims::new(Session {
        role: "admin".into(),
    })
    .issuer("https://auth.example")
    .subject("alice")
    .audience("api")
    .valid_for(900);
    let token = encode(&key, &Header::jwt(), &claims)?;
    println!("token: {token}");

    let verifier = VerifyingKey::from_jwk_infer(&public)?;
    let validation = Validation::new()
        .issuer("https://auth.example")
        .audience("api");
    let verified = decode::<Session>(&token, &verifier, &validation)?;
    println!(
        "verified: sub {:?}, role {:?}, alg {:?}",
        verified.claims.sub, verified.claims.custom.role, verified.algorithm
    );
    assert_eq!(verified.claims.custom.role, "admin");

    // One character of the signature changed: refused before the claims are read.
    let mut tampered = token.clone().into_bytes();
    let first = token.rfind('.').ok_or("a JWS has three segments")? + 1;
    tampered[first] = if tampered[first] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;
    let refused = decode::<Session>(&tampered, &verifier, &validation);
    println!(
        "tampered: {}",
        refused.as_ref().map(|_| "accepted").unwrap_or("refused")
    );
    assert!(matches!(refused, Err(Error::InvalidSignature)));

    // A valid signature, but the token is not for this API.
    let other = Validation::new()
        .issuer("https://auth.example")
        .audience("billing");
    let refused = decode::<Session>(&token, &verifier, &other);
    println!("other audience: {:?}", refused.as_ref().err());
    assert!(refused.is_err());
    Ok(())
}

//! Encrypts claims to a recipient's public key and decrypts them with its private
//! key; then a nested token (signed, then encrypted); then shows that a token
//! changed in transit, or sent to the wrong key, decrypts to nothing.
//!
//! ```sh
//! cargo run -p jot-jwe --example encrypt_decrypt
//! ```

use jot_jwe::{
    Algorithm, Claims, ContentEncryption, DecryptionKey, DecryptionPolicy, EncryptionKey, Error,
    HeaderOptions, KeyAlgorithm, SigningKey, SystemClock, Validation, decrypt_claims,
    decrypt_then_verify, encrypt_claims, sign_then_encrypt,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The recipient makes a key pair and publishes the public JWK.
    let recipient = DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A256KW)?;
    let public = recipient.encryption_key().to_jwk()?;
    println!(
        "recipient's public key: {}",
        serde_json::to_string(&public)?
    );

    // The sender encrypts to it.
    let to = EncryptionKey::from_jwk_infer(&public)?;
    let claims = Claims::new(()).subject("alice").valid_for(600);
    let token = encrypt_claims(
        &to,
        ContentEncryption::A256GCM,
        &HeaderOptions::jwt(),
        &claims,
    )?;
    println!("encrypted token: {token}");

    let policy = DecryptionPolicy::new();
    let out = decrypt_claims::<()>(
        &recipient,
        &token,
        &policy,
        &Validation::new(),
        &SystemClock,
    )?;
    println!("decrypted: sub {:?}", out.claims.sub);
    assert_eq!(out.claims.sub.as_deref(), Some("alice"));

    // Nested: signed by the sender, then encrypted to the recipient.
    let signer = SigningKey::generate(Algorithm::EdDSA)?;
    let nested = sign_then_encrypt(
        &signer,
        &recipient.encryption_key(),
        ContentEncryption::A128CBC_HS256,
        &claims,
    )?;
    let inner = decrypt_then_verify::<()>(
        &recipient,
        &signer.verifying_key(),
        &nested,
        &Validation::new(),
    )?;
    println!(
        "nested: cty {:?}, sub {:?}",
        inner.jwe_header.cty, inner.token.claims.sub
    );
    assert_eq!(inner.token.claims.sub.as_deref(), Some("alice"));

    // The ciphertext changed in transit: one uniform error, nothing decrypted.
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    let flipped = if parts[3].starts_with('A') { "B" } else { "A" };
    parts[3].replace_range(0..1, flipped);
    let tampered = parts.join(".");
    let refused = decrypt_claims::<()>(
        &recipient,
        &tampered,
        &policy,
        &Validation::new(),
        &SystemClock,
    );
    println!("tampered: {:?}", refused.as_ref().err());
    assert!(matches!(refused, Err(Error::Decryption)));

    // Another recipient's key cannot read it either.
    let stranger = DecryptionKey::generate(KeyAlgorithm::ECDH_ES_A256KW)?;
    let refused =
        decrypt_claims::<()>(&stranger, &token, &policy, &Validation::new(), &SystemClock);
    println!("wrong key: {:?}", refused.as_ref().err());
    assert!(refused.is_err());
    Ok(())
}

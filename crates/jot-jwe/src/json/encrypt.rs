//! [`JweJson::encrypt`]: one content encryption key, wrapped for each recipient.

use serde_json::{Map, Value, json};

use crate::compact::seal;
use crate::header::{REGISTERED, write_object};
use crate::json::{JweJson, Recipient};
use crate::{
    ContentEncryption, EncryptionKey, Error, HeaderOptions, JweJsonError, KeyAlgorithm, base64url,
    content, management,
};

impl JweJson {
    /// Encrypts `plaintext` once, with content encryption `enc`, for every key of
    /// `recipients` (1 to [`JweJson::MAX_RECIPIENTS`]); `aad`, if given, is
    /// authenticated with it.
    ///
    /// One fresh CEK is wrapped for each recipient. The protected header holds `enc`
    /// and `opts`' `zip`, `typ`, `cty` and custom members; each recipient's header
    /// holds its `alg`, its `kid` (the key's, or `opts`' when there is one recipient)
    /// and its algorithm's parameters (`epk`, `apu`, `apv`, `iv`, `tag`, `p2s`,
    /// `p2c`). `dir` and `ECDH-ES` give the recipient its own CEK, so they are only
    /// allowed alone ([`JweJsonError::DirectWithSeveral`]). One recipient makes a
    /// flattened document ([`JweJson::is_flattened`]); both syntaxes can be written.
    ///
    /// ```
    /// use jot_jwe::{ContentEncryption, DecryptionKey, Error, HeaderOptions, JweJson,
    ///               JweJsonError, KeyAlgorithm};
    ///
    /// let a = DecryptionKey::generate(KeyAlgorithm::A128KW)?;
    /// let d = DecryptionKey::generate_dir(ContentEncryption::A128GCM)?;
    /// let both = [&a.encryption_key(), &d.encryption_key()];
    /// let err = JweJson::encrypt(&both, ContentEncryption::A128GCM, &HeaderOptions::new(), None, b"x");
    /// assert!(matches!(err, Err(Error::JweJson(JweJsonError::DirectWithSeveral { .. }))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encrypt(
        recipients: &[&EncryptionKey],
        enc: ContentEncryption,
        opts: &HeaderOptions,
        aad: Option<&[u8]>,
        plaintext: &[u8],
    ) -> Result<JweJson, Error> {
        content::check_enabled(enc)?;
        if recipients.is_empty() {
            return Err(JweJsonError::NoRecipients.into());
        }
        if recipients.len() > Self::MAX_RECIPIENTS {
            return Err(JweJsonError::TooManyRecipients {
                max: Self::MAX_RECIPIENTS,
            }
            .into());
        }
        let several = recipients.len() > 1;
        if several && opts.kid.is_some() {
            return Err(JweJsonError::SharedKid.into());
        }
        for key in recipients {
            if key.enc.is_some_and(|fixed| fixed != enc) {
                return Err(Error::EncryptionNotAllowed { enc });
            }
            if several && matches!(key.alg, KeyAlgorithm::Dir | KeyAlgorithm::ECDH_ES) {
                return Err(JweJsonError::DirectWithSeveral { alg: key.alg }.into());
            }
        }
        let protected = protected_header(enc, opts)?;
        let mut cek = None;
        let mut wrapped = Vec::with_capacity(recipients.len());
        for key in recipients {
            let managed = management::wrap(
                key,
                enc,
                opts.apu.as_deref(),
                opts.apv.as_deref(),
                cek.as_ref()
                    .map(|c: &zeroize::Zeroizing<Vec<u8>>| c.as_slice()),
            )?;
            let mut header = Map::new();
            header.insert("alg".into(), json!(key.alg.as_str()));
            if let Some(kid) = opts.kid.as_deref().or(key.kid.as_deref()) {
                header.insert("kid".into(), json!(kid));
            }
            header.extend(managed.params.into_iter().map(|(k, v)| (k.into(), v)));
            wrapped.push(Recipient {
                header: Some(header),
                encrypted_key: managed.encrypted_key,
            });
            cek.get_or_insert(managed.cek);
        }
        // At least one recipient was wrapped above, which set the CEK.
        let cek = cek.ok_or(Error::Encryption)?;
        let protected_b64 = base64url::encode(&write_object(&protected));
        let aad_b64 = aad.map(base64url::encode);
        let mut authenticated = protected_b64.clone().into_bytes();
        if let Some(a) = &aad_b64 {
            authenticated.push(b'.');
            authenticated.extend_from_slice(a.as_bytes());
        }
        let (iv, ciphertext, tag) = seal(enc, &cek, &authenticated, opts, plaintext)?;
        Ok(JweJson {
            protected_b64: Some(protected_b64),
            protected: protected
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            unprotected: None,
            flattened: wrapped.len() == 1,
            recipients: wrapped,
            aad_b64,
            iv,
            ciphertext,
            tag,
        })
    }
}

/// `enc`, `zip`, `typ`, `cty`, then the caller's custom members (registered names
/// refused, as by [`crate::encrypt`]).
fn protected_header(
    enc: ContentEncryption,
    opts: &HeaderOptions,
) -> Result<Vec<(&str, Value)>, Error> {
    let mut members: Vec<(&str, Value)> = vec![("enc", json!(enc.as_str()))];
    if opts.compress {
        members.push(("zip", json!("DEF")));
    }
    if let Some(typ) = &opts.typ {
        members.push(("typ", json!(typ)));
    }
    if let Some(cty) = &opts.cty {
        members.push(("cty", json!(cty)));
    }
    for (name, value) in &opts.extra {
        if REGISTERED.contains(&name.as_str()) {
            return Err(Error::DuplicateMember {
                name: jot_codec::clip_untrusted(name),
            });
        }
        members.push((name, value.clone()));
    }
    Ok(members)
}

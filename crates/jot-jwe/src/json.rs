//! The JWE JSON serialization (RFC 7516 §7.2), general and flattened: one
//! ciphertext, one or more recipients, each with its own `header` and
//! `encrypted_key`, shared `protected` and `unprotected` headers and optional
//! additional authenticated data (`aad`).
//!
//! Parsing is strict: duplicate members are refused at every depth, a document must
//! not mix the general and the flattened syntax, the recipients are bounded
//! ([`JweJson::MAX_RECIPIENTS`]), the protected header, the shared unprotected
//! header and each recipient's header must be disjoint (RFC 7516 §7.2.1), `crit`
//! and `zip` must be protected, every recipient must have `alg` and `enc` and all
//! the same `enc`. Members jot does not know are ignored (RFC 7516 §7.2.1); a JWS
//! (`payload`, `signature`, `signatures`) is refused as [`Error::Signed`].

use serde_json::{Map, Value, json};

use crate::compact::open;
use crate::header::{parse_object, write_object};
use crate::{
    Decrypter, DecryptionKey, DecryptionPolicy, Error, HeaderError, JweHeader, JweJsonError, Part,
    base64url,
};

mod encrypt;
mod parse;

/// A JWE in the JSON serialization (general or flattened), parsed, **not
/// decrypted**: use [`JweJson::decrypt`].
///
/// ```
/// use jot_jwe::{ContentEncryption, DecryptionKey, DecryptionPolicy, HeaderOptions,
///               JweJson, KeyAlgorithm};
///
/// let alice = DecryptionKey::generate(KeyAlgorithm::RSA_OAEP_256)?.with_kid("alice");
/// let bob = DecryptionKey::generate(KeyAlgorithm::A256KW)?.with_kid("bob");
/// let jwe = JweJson::encrypt(
///     &[&alice.encryption_key(), &bob.encryption_key()],
///     ContentEncryption::A256GCM,
///     &HeaderOptions::new(),
///     Some(b"context"),
///     b"for both",
/// )?;
/// let json = jwe.to_general_json();
///
/// let policy = DecryptionPolicy::new();
/// let parsed = JweJson::parse(&json)?;
/// assert_eq!(parsed.recipients(), 2);
/// let out = parsed.decrypt(&bob, &policy)?;
/// assert_eq!((out.plaintext.as_slice(), out.recipient), (&b"for both"[..], 1));
/// assert_eq!(out.aad.as_deref(), Some(&b"context"[..]));
/// assert_eq!(parsed.decrypt(&alice, &policy)?.recipient, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct JweJson {
    protected_b64: Option<String>,
    protected: Map<String, Value>,
    unprotected: Option<Map<String, Value>>,
    recipients: Vec<Recipient>,
    aad_b64: Option<String>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
    flattened: bool,
}

/// One recipient: its unprotected header and its encrypted key.
#[derive(Clone, Debug)]
struct Recipient {
    header: Option<Map<String, Value>>,
    encrypted_key: Vec<u8>,
}

/// A decrypted [`JweJson`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DecryptedJson {
    /// The recipient's JOSE header: the union of the protected header, the shared
    /// unprotected header and its own header. Only
    /// [`JweJson::protected_header`] is integrity protected.
    pub header: JweHeader,
    /// The plaintext (decompressed, if the protected header said `zip: DEF`).
    pub plaintext: Vec<u8>,
    /// The index of the recipient that was decrypted.
    pub recipient: usize,
    /// The additional authenticated data (`aad`), authenticated by the tag.
    pub aad: Option<Vec<u8>>,
}

/// Parses and decrypts a JWE JSON serialization (general or flattened) of at most
/// the policy's maximum length: [`JweJson::parse_with_limit`] then
/// [`JweJson::decrypt`].
///
/// ```
/// use jot_jwe::{decrypt_json, ContentEncryption, DecryptionKey, DecryptionPolicy,
///               HeaderOptions, JweJson, KeyAlgorithm};
///
/// let key = DecryptionKey::generate(KeyAlgorithm::ECDH_ES)?;
/// let jwe = JweJson::encrypt(&[&key.encryption_key()], ContentEncryption::A128GCM,
///                            &HeaderOptions::new(), None, b"hi")?;
/// let json = jwe.to_flattened_json()?;
/// assert_eq!(decrypt_json(&key, &json, &DecryptionPolicy::new())?.plaintext, b"hi");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decrypt_json(
    key: &(impl Decrypter + ?Sized),
    json: &str,
    policy: &DecryptionPolicy,
) -> Result<DecryptedJson, Error> {
    JweJson::parse_with_limit(json, policy.max_token_len)?.decrypt(key, policy)
}

impl JweJson {
    /// The most recipients a document may have.
    pub const MAX_RECIPIENTS: usize = 16;

    /// Parses a JWE JSON serialization of at most
    /// [`crate::DEFAULT_MAX_TOKEN_LEN`] bytes.
    ///
    /// ```
    /// use jot_jwe::{Error, JweJson, JweJsonError};
    ///
    /// let mixed = r#"{"recipients":[{}],"encrypted_key":"","iv":"","ciphertext":"","tag":"",
    ///                "protected":"eyJhbGciOiJkaXIiLCJlbmMiOiJBMTI4R0NNIn0"}"#;
    /// assert!(matches!(JweJson::parse(mixed), Err(Error::JweJson(JweJsonError::MixedSyntax))));
    /// let dup = r#"{"ciphertext":"","ciphertext":""}"#;
    /// assert!(matches!(JweJson::parse(dup), Err(Error::DuplicateMember { .. })));
    /// ```
    pub fn parse(json: &str) -> Result<JweJson, Error> {
        Self::parse_with_limit(json, crate::DEFAULT_MAX_TOKEN_LEN)
    }

    /// Parses a JWE JSON serialization of at most `max_len` bytes (checked before
    /// anything is parsed).
    pub fn parse_with_limit(json: &str, max_len: usize) -> Result<JweJson, Error> {
        if json.len() > max_len {
            return Err(Error::TooLarge {
                len: json.len(),
                max: max_len,
            });
        }
        let doc = parse::parse_document(json, Self::MAX_RECIPIENTS)?;
        let protected = match &doc.protected {
            None => Map::new(),
            Some(b64) => {
                let bytes = decode(b64, Part::Header)?;
                if bytes.is_empty() {
                    return Err(Error::Base64 { part: Part::Header });
                }
                parse_object(&bytes, "protected header")?
            }
        };
        let recipients = doc
            .recipients
            .into_iter()
            .map(|r| {
                Ok(Recipient {
                    header: r.header,
                    encrypted_key: decode_opt(r.encrypted_key.as_deref(), Part::EncryptedKey)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        if let Some(aad) = &doc.aad {
            base64url::check(aad).map_err(|_| Error::Base64 { part: Part::Aad })?;
        }
        let jwe = JweJson {
            protected_b64: doc.protected,
            protected,
            unprotected: doc.unprotected,
            recipients,
            aad_b64: doc.aad,
            iv: decode_opt(doc.iv.as_deref(), Part::Iv)?,
            ciphertext: decode(&doc.ciphertext, Part::Ciphertext)?,
            tag: decode_opt(doc.tag.as_deref(), Part::Tag)?,
            flattened: doc.flattened,
        };
        jwe.check_headers()?;
        Ok(jwe)
    }

    /// Decrypts the content for the recipient `key` is for: one recipient is chosen
    /// from public data, and decrypted once.
    ///
    /// # Which recipient is decrypted, and why that is no oracle
    ///
    /// This makes **one** decryption attempt, with one key, for one
    /// recipient, chosen from public data only: the recipients' headers and the keys'
    /// public attributes (`kid`, `alg`, the `enc` of a `dir` key, the `epk`'s curve).
    ///
    /// 1. Each recipient's header (protected ∪ unprotected ∪ its own) is offered to the
    ///    [`Decrypter`] as a compact header would be ([`Decrypter::key_for`]): a key set
    ///    picks by `kid`, else by `alg`; a single key is always offered. A recipient is a
    ///    candidate when a key is picked, its `alg` (and fixed `enc`) fit, and neither
    ///    side names a different `kid`.
    /// 2. Candidates whose `kid` equals their key's `kid` come first; among equals, the
    ///    first in document order is taken.
    /// 3. Its CEK is recovered and the content decrypted exactly as in the compact
    ///    serialization: every failure that depends on the key or the tag is
    ///    [`Error::Decryption`]. jot never falls back to another recipient.
    ///
    /// So nothing an attacker can observe (the result, the count or duration of the
    /// attempts) depends on which step failed or on any secret: the attempt is one, and
    /// whether it happens is decided before any secret is touched. With no candidate:
    /// the selection error of the only recipient (as for a compact token), or
    /// [`JweJsonError::NoRecipient`]. Give recipients a `kid` when several share an
    /// `alg`; without one, jot takes the first.
    ///
    /// Every failure after the key is chosen that depends on the key or the tag —
    /// a tampered protected header, `aad`, IV, ciphertext or tag, an encrypted key
    /// that does not unwrap — is [`Error::Decryption`].
    pub fn decrypt(
        &self,
        key: &(impl Decrypter + ?Sized),
        policy: &DecryptionPolicy,
    ) -> Result<DecryptedJson, Error> {
        let (recipient, key, header) = self.choose(key)?;
        let aad = self.authenticated_data();
        let decrypted = open(
            key,
            header,
            &self.recipients[recipient].encrypted_key,
            &aad,
            &self.iv,
            &self.ciphertext,
            &self.tag,
            policy,
        )?;
        Ok(DecryptedJson {
            header: decrypted.header,
            plaintext: decrypted.plaintext,
            recipient,
            aad: self
                .aad_b64
                .as_deref()
                // Checked to be strict base64url by `parse_with_limit` or built by `encrypt`.
                .map(|a| base64url::decode(a).unwrap_or_default()),
        })
    }

    /// How many recipients the document has.
    pub fn recipients(&self) -> usize {
        self.recipients.len()
    }

    /// The `index`th recipient's JOSE header (protected ∪ unprotected ∪ its own), as
    /// found, or `None` past the end.
    pub fn recipient_header(&self, index: usize) -> Option<Map<String, Value>> {
        self.recipients.get(index).map(|r| self.merged(r))
    }

    /// The protected header's members (empty when there is none).
    pub fn protected_header(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The shared unprotected header (`unprotected`), if any.
    pub fn unprotected_header(&self) -> Option<&Map<String, Value>> {
        self.unprotected.as_ref()
    }

    /// The additional authenticated data (`aad`), base64url, if any. It is
    /// authenticated, but only by a successful [`JweJson::decrypt`].
    pub fn aad_b64(&self) -> Option<&str> {
        self.aad_b64.as_deref()
    }

    /// Whether the document was parsed from (or will be written as) the flattened syntax.
    pub fn is_flattened(&self) -> bool {
        self.flattened
    }

    /// The general syntax (`recipients`), whatever the number of recipients.
    pub fn to_general_json(&self) -> String {
        let recipients: Vec<Value> = self
            .recipients
            .iter()
            .map(|r| {
                Value::Object(
                    r.members()
                        .into_iter()
                        .map(|(k, v)| (k.into(), v))
                        .collect(),
                )
            })
            .collect();
        self.write(vec![("recipients", Value::Array(recipients))])
    }

    /// The flattened syntax; [`JweJsonError::TooManyRecipients`] when there are
    /// several recipients.
    pub fn to_flattened_json(&self) -> Result<String, Error> {
        let [only] = &self.recipients[..] else {
            return Err(JweJsonError::TooManyRecipients { max: 1 }.into());
        };
        Ok(self.write(only.members()))
    }

    /// `ASCII(BASE64URL(protected))`, then `'.' || BASE64URL(aad)` when there is an
    /// `aad` (RFC 7516 §5.1 step 14).
    fn authenticated_data(&self) -> Vec<u8> {
        let mut out = self.protected_b64.clone().unwrap_or_default().into_bytes();
        if let Some(aad) = &self.aad_b64 {
            out.push(b'.');
            out.extend_from_slice(aad.as_bytes());
        }
        out
    }

    /// The recipient to decrypt, its key and its header (see the module docs).
    fn choose<'k>(
        &self,
        decrypter: &'k (impl Decrypter + ?Sized),
    ) -> Result<(usize, &'k DecryptionKey, JweHeader), Error> {
        if let [only] = &self.recipients[..] {
            let header = JweHeader::from_members(self.merged(only))?;
            return Ok((0, decrypter.key_for(&header)?, header));
        }
        let mut best: Option<(bool, usize, &'k DecryptionKey, JweHeader)> = None;
        for (index, recipient) in self.recipients.iter().enumerate() {
            // A recipient with an algorithm jot does not know is someone else's.
            let Ok(header) = JweHeader::from_members(self.merged(recipient)) else {
                continue;
            };
            let Ok(key) = decrypter.key_for(&header) else {
                continue;
            };
            let fits = key.alg == header.alg
                && key.enc.is_none_or(|enc| enc == header.enc)
                && !matches!((key.kid(), header.kid.as_deref()), (Some(a), Some(b)) if a != b);
            if !fits {
                continue;
            }
            let by_kid = key.kid().is_some() && key.kid() == header.kid.as_deref();
            if best.as_ref().is_none_or(|(b, ..)| by_kid && !b) {
                best = Some((by_kid, index, key, header));
            }
        }
        best.map(|(_, index, key, header)| (index, key, header))
            .ok_or_else(|| {
                JweJsonError::NoRecipient {
                    recipients: self.recipients.len(),
                }
                .into()
            })
    }

    /// Protected ∪ shared unprotected ∪ the recipient's header (disjoint, checked).
    fn merged(&self, recipient: &Recipient) -> Map<String, Value> {
        let mut out = self.protected.clone();
        for set in [self.unprotected.as_ref(), recipient.header.as_ref()]
            .into_iter()
            .flatten()
        {
            out.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        out
    }

    /// RFC 7516 §7.2.1 and §4.1: disjoint header sets, `crit` and `zip` protected,
    /// `alg` and `enc` in every recipient's header, one `enc` for all.
    fn check_headers(&self) -> Result<(), Error> {
        let unprotected = self.unprotected.as_ref();
        if let Some(shared) = unprotected {
            check_unprotected(shared)?;
            if let Some(name) = shared.keys().find(|k| self.protected.contains_key(*k)) {
                return Err(conflict(name, 0));
            }
        }
        let mut enc: Option<Value> = None;
        for (index, recipient) in self.recipients.iter().enumerate() {
            if let Some(own) = &recipient.header {
                check_unprotected(own)?;
                let shared = |k: &String| unprotected.is_some_and(|u| u.contains_key(k));
                if let Some(name) = own
                    .keys()
                    .find(|k| self.protected.contains_key(*k) || shared(k))
                {
                    return Err(conflict(name, index));
                }
            }
            let merged = self.merged(recipient);
            for name in ["alg", "enc"] {
                if !merged.contains_key(name) {
                    return Err(JweJsonError::MissingParameter {
                        name,
                        recipient: index,
                    }
                    .into());
                }
            }
            match &enc {
                None => enc = merged.get("enc").cloned(),
                Some(first) if Some(first) != merged.get("enc") => {
                    return Err(JweJsonError::EncDiffers.into());
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Writes `protected`, `unprotected`, the recipients' members, `aad`, `iv`,
    /// `ciphertext`, `tag`; members with empty values are absent (RFC 7516 §7.2.1).
    fn write(&self, recipients: Vec<(&'static str, Value)>) -> String {
        let mut out = Vec::with_capacity(8);
        if let Some(p) = &self.protected_b64 {
            out.push(("protected", json!(p)));
        }
        if let Some(u) = &self.unprotected {
            out.push(("unprotected", Value::Object(u.clone())));
        }
        out.extend(recipients);
        if let Some(aad) = &self.aad_b64 {
            out.push(("aad", json!(aad)));
        }
        if !self.iv.is_empty() {
            out.push(("iv", json!(base64url::encode(&self.iv))));
        }
        out.push(("ciphertext", json!(base64url::encode(&self.ciphertext))));
        if !self.tag.is_empty() {
            out.push(("tag", json!(base64url::encode(&self.tag))));
        }
        // `write_object` writes JSON from `str`s and `Value`s: valid UTF-8.
        String::from_utf8(write_object(&out)).unwrap_or_default()
    }
}

impl Recipient {
    /// `header` and `encrypted_key`, when not empty.
    fn members(&self) -> Vec<(&'static str, Value)> {
        let mut out = Vec::with_capacity(2);
        if let Some(h) = &self.header {
            out.push(("header", Value::Object(h.clone())));
        }
        if !self.encrypted_key.is_empty() {
            out.push((
                "encrypted_key",
                json!(base64url::encode(&self.encrypted_key)),
            ));
        }
        out
    }
}

/// `crit` and `zip` must be protected; the registered members must have their types.
fn check_unprotected(set: &Map<String, Value>) -> Result<(), Error> {
    if set.contains_key("crit") {
        return Err(JweJsonError::UnprotectedCrit.into());
    }
    if set.contains_key("zip") {
        return Err(HeaderError::UnprotectedZip.into());
    }
    Ok(())
}

fn conflict(name: &str, recipient: usize) -> Error {
    JweJsonError::HeaderConflict {
        name: jot_codec::clip_untrusted(name),
        recipient,
    }
    .into()
}

fn decode(b64: &str, part: Part) -> Result<Vec<u8>, Error> {
    base64url::decode(b64).map_err(|_| Error::Base64 { part })
}

fn decode_opt(b64: Option<&str>, part: Part) -> Result<Vec<u8>, Error> {
    b64.map_or(Ok(Vec::new()), |b| decode(b, part))
}

#[cfg(test)]
mod tests;

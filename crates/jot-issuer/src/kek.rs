//! Private signing keys at rest, sealed with a key-encryption key ([`Kek`]).
//!
//! The issuer seals a private key before it hands it to the store
//! ([`IssuerStore::add_key`]) and opens it when
//! it loads the keys, so the store (a database, its backups, a data directory) only
//! ever holds ciphertext. The store sees an opaque
//! [`PrivateKeyPem`]: either the plain PKCS#8 PEM
//! of a store written without a KEK, or a sealed key:
//!
//! ```text
//! -----BEGIN JOT SEALED PRIVATE KEY-----
//! base64( version=1 ‖ KEK id (8 bytes) ‖ nonce (12 bytes) ‖ AES-256-GCM(PKCS#8 PEM) ‖ tag (16 bytes) )
//! -----END JOT SEALED PRIVATE KEY-----
//! ```
//!
//! - **The KEK encrypts each private key directly**, with AES-256-GCM (ring) and a
//!   random 96-bit nonce. A data key per private key, itself wrapped by the KEK,
//!   would add a second layer that protects nothing more here: the issuer seals a
//!   handful of keys in its life (one per rotation), far below the 2³² messages a
//!   random nonce allows under one key, and re-sealing under a new KEK
//!   ([`rotate_kek`]) rewrites a few small records either way.
//! - **Associated data** binds the ciphertext to its place: the format version,
//!   the KEK id and the key's `kid`. A sealed key copied onto another `kid` does
//!   not open.
//! - **The KEK id** is the first 8 bytes of SHA-256 over a label and the KEK. It
//!   tells a wrong KEK ([`KekError::Wrong`]) from a damaged record
//!   ([`KekError::Tampered`]), and lets [`rotate_kek`] skip keys already sealed
//!   under the new KEK, so an interrupted rotation can simply be run again.
//! - **A plain PEM still loads** without a KEK (data directories of earlier
//!   versions). Once a KEK is given, the issuer seals every plain private key it
//!   finds when it starts ([`IssuerBuilder::kek`](crate::IssuerBuilder::kek)).
//!
//! A KEK is 32 random bytes, written as base64url without padding (43
//! characters): [`Kek::generate`], [`Kek::to_base64url`], [`Kek::from_base64url`].
//!
//! ```
//! use jot_issuer::kek::{Kek, KekError};
//! use jot_issuer::store::PrivateKeyPem;
//!
//! let kek = Kek::generate()?;
//! let again = Kek::from_base64url(&kek.to_base64url())?;
//! assert_eq!(again.id(), kek.id());
//!
//! let pem = PrivateKeyPem("-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----\n".into());
//! let sealed = kek.seal("kid-1", &pem)?;
//! assert!(jot_issuer::kek::is_sealed(&sealed));
//! assert_eq!(kek.open("kid-1", &sealed)?, pem);
//! assert!(matches!(Kek::generate()?.open("kid-1", &sealed), Err(KekError::Wrong { .. })));
//! assert!(matches!(kek.open("kid-2", &sealed), Err(KekError::Tampered { .. })));
//! # Ok::<(), KekError>(())
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jot_codec::base64url;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::IssuerError;
use crate::store::{IssuerStore, PrivateKeyPem};

/// The length of a KEK, in bytes.
pub const KEK_LEN: usize = 32;

/// The first line of a sealed private key.
const BEGIN: &str = "-----BEGIN JOT SEALED PRIVATE KEY-----";
/// The last line of a sealed private key.
const END: &str = "-----END JOT SEALED PRIVATE KEY-----";
/// The format version this build writes (and the only one it reads).
const VERSION: u8 = 1;
/// The length of a KEK id.
const ID_LEN: usize = 8;
/// The tag AES-256-GCM appends.
const TAG_LEN: usize = 16;
/// Label of the associated data.
const AAD_LABEL: &[u8] = b"jot sealed private key\0";
/// Label of the KEK id's hash.
const ID_LABEL: &[u8] = b"jot kek id\0";

/// A key-encryption key: 32 bytes that seal the issuer's private keys at rest
/// (see the [module documentation](self)). Its `Debug` shows only its id; its
/// bytes are wiped when it is dropped.
#[derive(Clone)]
pub struct Kek {
    bytes: Zeroizing<[u8; KEK_LEN]>,
    id: [u8; ID_LEN],
    cipher: LessSafeKey,
}

/// Why a KEK could not be read, or a private key sealed or opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KekError {
    /// The text is not a KEK: 32 bytes as base64url without padding (43 characters).
    #[error(
        "not a key-encryption key ({reason}): expected 32 random bytes as base64url (43 characters)"
    )]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The store keeps private keys where they must be sealed (a database) and no
    /// KEK was given.
    #[error(
        "this store needs a key-encryption key (KEK) to keep private keys sealed, and none was given"
    )]
    Required,
    /// A stored private key is sealed and no KEK was given.
    #[error(
        "the private key of {kid:?} is sealed with a key-encryption key (KEK {sealed_with}), and none was given"
    )]
    Missing {
        /// The key's `kid`.
        kid: String,
        /// The id of the KEK it is sealed with.
        sealed_with: String,
    },
    /// A stored private key is sealed with another KEK than the one given.
    #[error(
        "the private key of {kid:?} is sealed with KEK {sealed_with}, not with the KEK given ({given})"
    )]
    Wrong {
        /// The key's `kid`.
        kid: String,
        /// The id of the KEK it is sealed with.
        sealed_with: String,
        /// The id of the KEK given.
        given: String,
    },
    /// A sealed private key did not open with the KEK that sealed it: the record
    /// was changed or damaged (or moved to another `kid`).
    #[error("the sealed private key of {kid:?} does not open: it was changed or damaged")]
    Tampered {
        /// The key's `kid`.
        kid: String,
    },
    /// A sealed private key is not in the sealed-key format.
    #[error("the sealed private key of {kid:?} is malformed ({reason})")]
    SealedMalformed {
        /// The key's `kid`.
        kid: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A sealed private key of a newer format than this build reads.
    #[error(
        "the sealed private key of {kid:?} has format version {version}; this version reads {VERSION}"
    )]
    UnsupportedVersion {
        /// The key's `kid`.
        kid: String,
        /// The version found.
        version: u8,
    },
    /// The system random generator failed.
    #[error("the system random generator failed")]
    Random,
}

impl Kek {
    /// A new KEK of 32 random bytes.
    pub fn generate() -> Result<Kek, KekError> {
        let mut bytes = Zeroizing::new([0u8; KEK_LEN]);
        SystemRandom::new()
            .fill(bytes.as_mut())
            .map_err(|_| KekError::Random)?;
        Kek::from_bytes(bytes)
    }

    /// Reads a KEK written by [`Kek::to_base64url`]: 32 bytes as strict base64url
    /// without padding. Whitespace around it (a file's final newline) is ignored.
    pub fn from_base64url(text: &str) -> Result<Kek, KekError> {
        let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
        if text.is_empty() {
            return Err(KekError::Malformed { reason: "empty" });
        }
        let decoded = Zeroizing::new(base64url::decode(text).map_err(|_| KekError::Malformed {
            reason: "not base64url",
        })?);
        let mut bytes = Zeroizing::new([0u8; KEK_LEN]);
        if decoded.len() != KEK_LEN {
            return Err(KekError::Malformed {
                reason: "not 32 bytes",
            });
        }
        bytes.copy_from_slice(&decoded);
        Kek::from_bytes(bytes)
    }

    /// The KEK as base64url without padding (43 characters): what `jot keygen kek`
    /// prints and `JOT_KEK` holds. It is the secret itself: keep it out of logs.
    pub fn to_base64url(&self) -> String {
        base64url::encode(self.bytes.as_ref())
    }

    /// A short public name of this KEK (11 characters), recorded in each key it
    /// seals; safe to print.
    pub fn id(&self) -> String {
        base64url::encode(&self.id)
    }

    /// Seals the private key of `kid` (a plain PKCS#8 PEM).
    pub fn seal(&self, kid: &str, pem: &PrivateKeyPem) -> Result<PrivateKeyPem, KekError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| KekError::Random)?;
        let mut body = Vec::with_capacity(1 + ID_LEN + NONCE_LEN + pem.0.len() + TAG_LEN);
        body.push(VERSION);
        body.extend_from_slice(&self.id);
        body.extend_from_slice(&nonce);
        let mut sealed = Zeroizing::new(pem.0.as_bytes().to_vec());
        self.cipher
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data(&self.id, kid)),
                &mut *sealed,
            )
            .map_err(|_| KekError::Random)?;
        body.extend_from_slice(&sealed);
        Ok(PrivateKeyPem(armor(&body)))
    }

    /// Opens a private key of `kid` sealed by [`Kek::seal`]. A plain PEM is
    /// returned as it is (a store written before a KEK was given).
    pub fn open(&self, kid: &str, stored: &PrivateKeyPem) -> Result<PrivateKeyPem, KekError> {
        let Some(sealed) = Sealed::parse(kid, stored)? else {
            return Ok(stored.clone());
        };
        if sealed.kek_id != self.id {
            return Err(KekError::Wrong {
                kid: kid.to_owned(),
                sealed_with: base64url::encode(&sealed.kek_id),
                given: self.id(),
            });
        }
        let tampered = || KekError::Tampered {
            kid: kid.to_owned(),
        };
        let nonce = Nonce::try_assume_unique_for_key(&sealed.nonce).map_err(|_| tampered())?;
        let mut in_out = Zeroizing::new(sealed.ciphertext);
        let plain = self
            .cipher
            .open_in_place(
                nonce,
                Aad::from(associated_data(&self.id, kid)),
                &mut in_out,
            )
            .map_err(|_| tampered())?;
        let text = std::str::from_utf8(plain).map_err(|_| tampered())?;
        Ok(PrivateKeyPem(text.to_owned()))
    }

    fn from_bytes(bytes: Zeroizing<[u8; KEK_LEN]>) -> Result<Kek, KekError> {
        let key =
            UnboundKey::new(&AES_256_GCM, bytes.as_ref()).map_err(|_| KekError::Malformed {
                reason: "not an AES-256 key",
            })?;
        let mut ctx = digest::Context::new(&digest::SHA256);
        ctx.update(ID_LABEL);
        ctx.update(bytes.as_ref());
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&ctx.finish().as_ref()[..ID_LEN]);
        Ok(Kek {
            bytes,
            id,
            cipher: LessSafeKey::new(key),
        })
    }
}

impl fmt::Debug for Kek {
    /// Only the id, never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kek").field("id", &self.id()).finish()
    }
}

/// Whether a stored private key is sealed (else it is a plain PEM).
pub fn is_sealed(stored: &PrivateKeyPem) -> bool {
    stored.0.trim_start().starts_with(BEGIN)
}

/// The id of the KEK a stored private key is sealed with; `None` for a plain PEM
/// or a sealed key this build cannot read.
pub fn sealed_with(stored: &PrivateKeyPem) -> Option<String> {
    Sealed::parse("", stored)
        .ok()
        .flatten()
        .map(|s| base64url::encode(&s.kek_id))
}

/// Opens a stored private key with `kek`, if any: a plain PEM passes as it is; a
/// sealed one without a KEK is [`KekError::Missing`].
pub(crate) fn open(
    kek: Option<&Kek>,
    kid: &str,
    stored: &PrivateKeyPem,
) -> Result<PrivateKeyPem, KekError> {
    match kek {
        Some(kek) => kek.open(kid, stored),
        None => match Sealed::parse(kid, stored)? {
            None => Ok(stored.clone()),
            Some(sealed) => Err(KekError::Missing {
                kid: kid.to_owned(),
                sealed_with: base64url::encode(&sealed.kek_id),
            }),
        },
    }
}

/// Seals a plain private key when there is a KEK; without one it stays plain.
pub(crate) fn seal(
    kek: Option<&Kek>,
    kid: &str,
    plain: PrivateKeyPem,
) -> Result<PrivateKeyPem, KekError> {
    match kek {
        Some(kek) => kek.seal(kid, &plain),
        None => Ok(plain),
    }
}

/// What [`rotate_kek`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KekRotation {
    /// The keys now sealed under the new KEK (from the old one, or plain).
    pub resealed: Vec<String>,
    /// The keys that already were (an earlier, interrupted rotation).
    pub already: Vec<String>,
}

/// Seals every private key in `store` under `new`: those sealed under `old` are
/// opened with it and sealed again, plain ones (a store written without a KEK)
/// are sealed, and those already sealed under `new` are left alone, so an
/// interrupted rotation can be run again. Every key is checked before anything is
/// written: a key sealed with neither KEK stops it with [`KekError::Wrong`] (or
/// [`KekError::Missing`] without `old`) and changes nothing. Each write is a
/// compare-and-set ([`IssuerStore::replace_private_key`]): a key rotated meanwhile
/// is skipped. Running issuers keep their keys in memory; restart them with the
/// new KEK (their next key load needs it).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use jot_issuer::{Issuer, kek::{Kek, rotate_kek}, store::MemoryStore};
///
/// let store = std::sync::Arc::new(MemoryStore::new());
/// let (old, new) = (Kek::generate()?, Kek::generate()?);
/// let issuer = Issuer::builder("https://auth.example.com")
///     .shared_store(store.clone()).kek(old.clone()).build().await?;
/// let done = rotate_kek(&*store, Some(&old), &new).await?;
/// assert_eq!(done.resealed, [issuer.current_kid()]);
/// // The old KEK no longer opens the store; the new one does.
/// let again = Issuer::builder("https://auth.example.com").shared_store(store.clone());
/// assert!(again.kek(old).build().await.is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
pub async fn rotate_kek(
    store: &dyn IssuerStore,
    old: Option<&Kek>,
    new: &Kek,
) -> Result<KekRotation, IssuerError> {
    let keys = store.load_keys().await?;
    let mut plan = Vec::new();
    let mut done = KekRotation::default();
    for key in &keys {
        let Some(stored) = &key.private_pem else {
            continue;
        };
        if sealed_with(stored).is_some_and(|id| id == new.id()) {
            // Checks that it opens, too.
            new.open(&key.kid, stored)?;
            done.already.push(key.kid.clone());
            continue;
        }
        let plain = open(old, &key.kid, stored)?;
        plan.push((key.kid.clone(), stored.clone(), new.seal(&key.kid, &plain)?));
    }
    for (kid, stored, sealed) in plan {
        if store.replace_private_key(&kid, &stored, sealed).await? {
            tracing::info!(target: "jot_issuer", %kid, kek = %new.id(), "private key sealed under the new KEK");
            done.resealed.push(kid);
        } else {
            tracing::info!(target: "jot_issuer", %kid, "private key changed meanwhile (rotated): left alone");
        }
    }
    Ok(done)
}

/// The parts of a sealed private key.
struct Sealed {
    kek_id: [u8; ID_LEN],
    nonce: [u8; NONCE_LEN],
    ciphertext: Vec<u8>,
}

impl Sealed {
    /// `None` for a plain PEM.
    fn parse(kid: &str, stored: &PrivateKeyPem) -> Result<Option<Sealed>, KekError> {
        let text = stored.0.trim();
        let Some(rest) = text.strip_prefix(BEGIN) else {
            return Ok(None);
        };
        let bad = |reason| KekError::SealedMalformed {
            kid: kid.to_owned(),
            reason,
        };
        let body = rest.strip_suffix(END).ok_or(bad("no end line"))?;
        let body: String = body.split_ascii_whitespace().collect();
        let bytes = STANDARD.decode(body).map_err(|_| bad("not base64"))?;
        let (&version, rest) = bytes.split_first().ok_or(bad("empty"))?;
        if version != VERSION {
            return Err(KekError::UnsupportedVersion {
                kid: kid.to_owned(),
                version,
            });
        }
        if rest.len() < ID_LEN + NONCE_LEN + TAG_LEN {
            return Err(bad("too short"));
        }
        let (id, rest) = rest.split_at(ID_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let mut sealed = Sealed {
            kek_id: [0; ID_LEN],
            nonce: [0; NONCE_LEN],
            ciphertext: ciphertext.to_vec(),
        };
        sealed.kek_id.copy_from_slice(id);
        sealed.nonce.copy_from_slice(nonce);
        Ok(Some(sealed))
    }
}

/// The associated data of a sealed key: label, version, KEK id, `kid`.
fn associated_data(kek_id: &[u8; ID_LEN], kid: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_LABEL.len() + 1 + ID_LEN + kid.len());
    aad.extend_from_slice(AAD_LABEL);
    aad.push(VERSION);
    aad.extend_from_slice(kek_id);
    aad.extend_from_slice(kid.as_bytes());
    aad
}

/// `body` as base64 in 64-column lines between the sealed-key lines.
fn armor(body: &[u8]) -> String {
    let text = STANDARD.encode(body);
    let mut out = String::with_capacity(text.len() + text.len() / 64 + BEGIN.len() + END.len() + 4);
    out.push_str(BEGIN);
    out.push('\n');
    for line in text.as_bytes().chunks(64) {
        // Base64 output is ASCII.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem() -> PrivateKeyPem {
        PrivateKeyPem(
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n"
                .into(),
        )
    }

    #[test]
    fn keks_read_back_and_refuse_what_is_not_one() {
        let kek = Kek::generate().unwrap();
        let text = kek.to_base64url();
        assert_eq!(text.len(), 43);
        let again = Kek::from_base64url(&format!("  {text}\n")).unwrap();
        assert_eq!(again.id(), kek.id());
        assert_eq!(kek.id().len(), 11);
        assert_ne!(Kek::generate().unwrap().id(), kek.id());
        assert!(!format!("{kek:?}").contains(&text));
        for bad in [
            "",
            "\n",
            "not base64url!",
            &text[..42],
            &format!("{text}AA"),
            &format!("{text}="),
        ] {
            assert!(
                matches!(Kek::from_base64url(bad), Err(KekError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn sealed_keys_open_only_with_their_kek_and_kid() {
        let kek = Kek::generate().unwrap();
        let sealed = kek.seal("k1", &pem()).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!is_sealed(&pem()));
        assert!(
            sealed
                .0
                .lines()
                .all(|l| l.len() <= 64 || l.starts_with("-----"))
        );
        assert!(!sealed.0.contains("MC4CAQAwBQYDK2VwBCIEI"));
        assert_eq!(sealed_with(&sealed), Some(kek.id()));
        assert_eq!(sealed_with(&pem()), None);
        assert_eq!(kek.open("k1", &sealed).unwrap(), pem());
        assert_ne!(
            kek.seal("k1", &pem()).unwrap(),
            sealed,
            "a fresh nonce each time"
        );

        let other = Kek::generate().unwrap();
        assert!(
            matches!(other.open("k1", &sealed), Err(KekError::Wrong { sealed_with, given, .. })
            if sealed_with == kek.id() && given == other.id())
        );
        assert!(matches!(
            kek.open("k2", &sealed),
            Err(KekError::Tampered { .. })
        ));
        assert!(matches!(
            open(None, "k1", &sealed),
            Err(KekError::Missing { .. })
        ));
        assert_eq!(open(None, "k1", &pem()).unwrap(), pem());
        assert_eq!(kek.open("k1", &pem()).unwrap(), pem(), "plain PEM passes");

        // One flipped bit of the ciphertext.
        let body: String = sealed
            .0
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let mut bytes = STANDARD.decode(body).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let flipped = PrivateKeyPem(armor(&bytes));
        assert!(matches!(
            kek.open("k1", &flipped),
            Err(KekError::Tampered { .. })
        ));
        bytes[0] = 2;
        assert!(matches!(
            kek.open("k1", &PrivateKeyPem(armor(&bytes))),
            Err(KekError::UnsupportedVersion { version: 2, .. })
        ));
        for bad in [
            format!("{BEGIN}\nAAAA\n"),
            format!("{BEGIN}\n!!!!\n{END}\n"),
            format!("{BEGIN}\n{END}\n"),
            format!("{BEGIN}\nAQ==\n{END}\n"),
        ] {
            assert!(
                matches!(
                    kek.open("k1", &PrivateKeyPem(bad.clone())),
                    Err(KekError::SealedMalformed { .. })
                ),
                "{bad}"
            );
        }
    }
}

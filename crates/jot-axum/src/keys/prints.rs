//! Which key verifies a token: the key's identity (its RFC 7638 thumbprint) as the
//! verified-token cache remembers it, picked by the same rules as
//! [`Verifier::verify`](jot_codec::Verifier::verify) picks the key.

use std::sync::Arc;

use jot_algorithms::{KeySet, VerifyingKey};
use jot_codec::Algorithm;

use super::{Keys, KeysInner};

/// The RFC 7638 SHA-256 thumbprint of a key, as bytes.
pub(crate) type KeyPrint = [u8; 32];

/// The thumbprint of each key of a [`KeySet`], in set order (`None` for a key that
/// has none).
pub(super) type Prints = Arc<[Option<KeyPrint>]>;

impl Keys {
    pub(super) fn new(inner: KeysInner) -> Keys {
        Keys {
            inner,
            prints: None,
        }
    }

    /// A set whose thumbprints were computed once, by [`prints_of`], when it was
    /// loaded, so that a cache hit does not compute one.
    pub(super) fn printed(set: KeySet, prints: Prints) -> Keys {
        Keys {
            inner: KeysInner::Set(set),
            prints: Some(prints),
        }
    }

    /// The thumbprint of the key that verifies a token with this `alg` and `kid`,
    /// picked as [`Verifier::verify`](jot_codec::Verifier::verify) picks it: `None`
    /// when no key would be tried, or when the keys cannot tell (a custom verifier).
    pub(crate) fn print_for(&self, alg: Algorithm, kid: Option<&str>) -> Option<KeyPrint> {
        match &self.inner {
            KeysInner::Key(key) => admits(key, alg, kid).then(|| print(key)).flatten(),
            KeysInner::PerAlgorithm(keys) => {
                let key = keys.iter().find(|k| k.algorithm() == alg)?;
                admits(key, alg, kid).then(|| print(key)).flatten()
            }
            KeysInner::Set(set) => {
                let keys = set.keys();
                let index = match kid {
                    // Every key under one kid is one key (a set refuses a kid shared by
                    // different keys), so the first that takes `alg` stands for all.
                    Some(kid) => keys
                        .iter()
                        .position(|k| k.kid() == Some(kid) && k.algorithm() == alg)?,
                    // Without a kid, only the set's sole key for `alg` is tried.
                    None => {
                        let mut fitting = keys
                            .iter()
                            .enumerate()
                            .filter(|(_, k)| k.algorithm() == alg);
                        let (index, _) = fitting.next()?;
                        if fitting.next().is_some() {
                            return None;
                        }
                        index
                    }
                };
                match &self.prints {
                    Some(prints) => prints.get(index).copied().flatten(),
                    None => print(&keys[index]),
                }
            }
            KeysInner::Custom(_) => None,
        }
    }
}

/// The thumbprints of a set's keys, in set order.
pub(super) fn prints_of(set: &KeySet) -> Prints {
    set.keys().iter().map(print).collect()
}

/// Whether a lone key verifies a token with this `alg` and `kid`: its own algorithm,
/// and a `kid` that differs from the key's only when either is absent.
fn admits(key: &VerifyingKey, alg: Algorithm, kid: Option<&str>) -> bool {
    key.algorithm() == alg
        && match (kid, key.kid()) {
            (Some(token), Some(own)) => token == own,
            _ => true,
        }
}

fn print(key: &VerifyingKey) -> Option<KeyPrint> {
    let text = key.thumbprint().ok()?;
    jot_algorithms::base64url::decode(&text)
        .ok()?
        .try_into()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jot_algorithms::SigningKey;

    fn key(alg: Algorithm, kid: Option<&str>) -> VerifyingKey {
        let key = SigningKey::generate(alg).unwrap().verifying_key();
        match kid {
            Some(kid) => key.with_kid(kid),
            None => key,
        }
    }

    #[test]
    fn picks_the_key_the_verifier_would_try() {
        let a = key(Algorithm::ES256, Some("a"));
        let b = key(Algorithm::ES256, Some("b"));
        let ed = key(Algorithm::EdDSA, None);
        let (pa, pb, ped) = (print(&a).unwrap(), print(&b).unwrap(), print(&ed).unwrap());
        assert_ne!(pa, pb);

        let set = KeySet::from_keys([a.clone(), b.clone(), ed.clone()]);
        for keys in [
            Keys::from(set.clone()),
            Keys::printed(set.clone(), prints_of(&set)),
        ] {
            assert_eq!(keys.print_for(Algorithm::ES256, Some("a")), Some(pa));
            assert_eq!(keys.print_for(Algorithm::ES256, Some("b")), Some(pb));
            assert_eq!(keys.print_for(Algorithm::EdDSA, Some("a")), None, "alg");
            assert_eq!(keys.print_for(Algorithm::ES256, Some("c")), None, "kid");
            // No kid: only a sole key for the algorithm.
            assert_eq!(keys.print_for(Algorithm::ES256, None), None);
            assert_eq!(keys.print_for(Algorithm::EdDSA, None), Some(ped));
        }

        let lone = Keys::from(a.clone());
        assert_eq!(lone.print_for(Algorithm::ES256, None), Some(pa));
        assert_eq!(lone.print_for(Algorithm::ES256, Some("a")), Some(pa));
        assert_eq!(lone.print_for(Algorithm::ES256, Some("b")), None);
        assert_eq!(lone.print_for(Algorithm::ES384, None), None);
        let unnamed = Keys::from(ed.clone());
        assert_eq!(unnamed.print_for(Algorithm::EdDSA, Some("any")), Some(ped));

        let per_alg = Keys::per_algorithm([b, ed]);
        assert_eq!(per_alg.print_for(Algorithm::ES256, Some("b")), Some(pb));
        assert_eq!(per_alg.print_for(Algorithm::ES256, Some("a")), None);
        assert_eq!(per_alg.print_for(Algorithm::EdDSA, None), Some(ped));

        let custom = Keys::custom(Arc::new(a));
        assert_eq!(custom.print_for(Algorithm::ES256, Some("a")), None);
    }
}

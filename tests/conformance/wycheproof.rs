//! The Wycheproof file layout shared by every family (`wycheproof/schemas/`):
//! a file holds groups, a group holds the key and its cases.

use jot_algorithms::{Algorithm, KeyError, Verifier, VerifyingKey};
use serde::Deserialize;

use crate::harness::{Tally, unhex};

/// Where the Wycheproof files are, below the vectors directory.
pub(crate) const DIR: &str = "wycheproof/testvectors_v1";

/// The path of a Wycheproof file below the vectors directory.
pub(crate) fn path(file: &str) -> String {
    format!("{DIR}/{file}")
}

/// One Wycheproof file with groups of type `G`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct File<G> {
    /// How many cases the file holds, as it declares.
    pub(crate) number_of_tests: usize,
    /// The groups.
    pub(crate) test_groups: Vec<G>,
}

impl<G> File<G> {
    /// Reads a file of `testvectors_v1/` and checks the declared case count.
    pub(crate) fn load(file: &str, cases: impl Fn(&G) -> usize) -> File<G>
    where
        G: serde::de::DeserializeOwned,
    {
        let parsed: File<G> = crate::harness::load(&path(file));
        let counted: usize = parsed.test_groups.iter().map(cases).sum();
        assert_eq!(
            counted, parsed.number_of_tests,
            "{file}: numberOfTests does not match the cases found"
        );
        parsed
    }
}

/// The `result` of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Expect {
    /// Must be accepted (and produce exactly the given output).
    Valid,
    /// Must be rejected.
    Invalid,
    /// Legacy or weak but not wrong: the suite decides per flag.
    Acceptable,
}

/// One case: the fields every family shares, and the family's own in `data`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Case<T> {
    /// The case number, unique within the file.
    pub(crate) tc_id: u32,
    /// What the case is about.
    #[serde(default)]
    pub(crate) comment: String,
    /// The flags, explained in the file's `notes`.
    #[serde(default)]
    pub(crate) flags: Vec<String>,
    /// The expected result.
    pub(crate) result: Expect,
    /// The family's fields.
    #[serde(flatten)]
    pub(crate) data: T,
}

impl<T> Case<T> {
    /// `tcId N`, the id used in reports.
    pub(crate) fn id(&self) -> String {
        format!("tcId {}", self.tc_id)
    }

    /// Whether jot must accept this case. `acceptable` cases follow the suite's
    /// `policy` (flag, must accept); `None` when no flag of the case has a policy.
    pub(crate) fn must_accept(&self, policy: &[(&str, bool)]) -> Option<bool> {
        match self.result {
            Expect::Valid => Some(true),
            Expect::Invalid => Some(false),
            Expect::Acceptable => self.flags.iter().find_map(|flag| {
                policy
                    .iter()
                    .find(|(name, _)| name == flag)
                    .map(|&(_, accept)| accept)
            }),
        }
    }
}

/// The message and signature of a signature-verification case (ECDSA, EdDSA, RSA).
#[derive(Debug, Deserialize)]
pub(crate) struct SignatureCase {
    /// The raw message (hex); jot hashes it.
    pub(crate) msg: String,
    /// The signature (hex), in the JOSE form for ECDSA (r || s).
    pub(crate) sig: String,
}

/// The words used in failure messages.
pub(crate) fn verdict(accepted: bool) -> &'static str {
    if accepted { "accepted" } else { "rejected" }
}

/// Runs signature-verification cases against `key` (the group's key, or why jot
/// refused to build it): `Verifier::verify(alg, None, msg, sig)` must accept exactly
/// the cases that must be accepted. A key refused at construction rejects every
/// case, which is right for `invalid` ones and a failure for the others.
pub(crate) fn run_signature_cases(
    tally: &mut Tally,
    alg: Algorithm,
    key: &Result<VerifyingKey, KeyError>,
    cases: &[Case<SignatureCase>],
    policy: &[(&str, bool)],
) {
    for case in cases {
        let Some(must_accept) = case.must_accept(policy) else {
            tally.problem(format!(
                "{}: acceptable with flags {:?}, for which this suite has no policy",
                case.id(),
                case.flags
            ));
            continue;
        };
        if must_accept && matches!(key, Err(KeyError::RsaTooSmall { .. })) {
            tally.exclude(case.id(), "key below jot's minimum (RSA < 2048 bits)");
            continue;
        }
        let outcome = match key {
            Ok(key) => key
                .verify(alg, None, &unhex(&case.data.msg), &unhex(&case.data.sig))
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("key refused: {e}")),
        };
        tally.check(case.id(), outcome.is_ok() == must_accept, || {
            format!(
                "{alg} ({}; flags {:?}; {:?}) must be {}, jot {}{}",
                case.comment,
                case.flags,
                case.result,
                verdict(must_accept),
                verdict(outcome.is_ok()),
                outcome.err().map(|e| format!(": {e}")).unwrap_or_default()
            )
        });
    }
}

/// Checks that another encoding of a group's key (DER, PEM, ...) gives the same key
/// as the reference one (same RFC 7638 thumbprint), or is refused alike.
pub(crate) fn check_same_key(
    tally: &mut Tally,
    what: impl std::fmt::Display,
    reference: &Result<VerifyingKey, KeyError>,
    other: Result<VerifyingKey, KeyError>,
) {
    match (reference, other) {
        (Ok(a), Ok(b)) => {
            let (ta, tb) = (a.thumbprint(), b.thumbprint());
            if ta.is_err() || ta != tb {
                tally.problem(format!("{what}: thumbprints differ ({ta:?} vs {tb:?})"));
            }
        }
        (Err(_), Err(_)) => {}
        (Ok(_), Err(e)) => tally.problem(format!("{what}: refused ({e}) but the JWK loads")),
        (Err(e), Ok(_)) => tally.problem(format!("{what}: loads but the JWK is refused ({e})")),
    }
}

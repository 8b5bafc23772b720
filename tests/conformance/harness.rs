//! What every suite shares: where the vectors are, how a file is read, and the
//! [`Tally`] that counts and reports the vectors of one source file.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Where the vectors come from, for the messages of a missing directory or file.
const PROVENANCE: &str = "the shared/vectors collection (Wycheproof from C2SP/wycheproof, \
    the JOSE cookbook from ietf-jose/cookbook, RFC 7515/7517/7519/7638/7797/8037 examples; \
    see shared/vectors/README.md)";

/// The counts of one source file: every vector either ran (and passed or failed) or
/// was excluded with a reason.
#[derive(Debug)]
pub(crate) struct Tally {
    suite: String,
    /// Vectors that were run against jot.
    pub(crate) ran: usize,
    /// Vectors whose outcome was the expected one.
    pub(crate) passed: usize,
    /// Vectors not run, each with the reason.
    pub(crate) excluded: Vec<(String, String)>,
    failures: Vec<String>,
    total: Option<usize>,
}

impl Tally {
    /// A tally for `source` (a path below the vectors directory) of `suite`.
    pub(crate) fn new(suite: &str, source: &str) -> Tally {
        Tally {
            suite: format!("{suite} [{source}]"),
            ran: 0,
            passed: 0,
            excluded: Vec::new(),
            failures: Vec::new(),
            total: None,
        }
    }

    /// Declares how many vectors the file holds; [`Tally::finish`] then checks that
    /// every one of them was either run or excluded.
    pub(crate) fn expect_total(&mut self, total: usize) {
        self.total = Some(total);
    }

    /// Records one vector that ran: `ok` says whether jot gave the expected outcome,
    /// `detail` what happened otherwise.
    pub(crate) fn check(&mut self, id: impl Display, ok: bool, detail: impl FnOnce() -> String) {
        self.ran += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(format!("{id}: {}", detail()));
        }
    }

    /// Records a vector that is not run, with the reason.
    pub(crate) fn exclude(&mut self, id: impl Display, reason: impl Into<String>) {
        self.excluded.push((id.to_string(), reason.into()));
    }

    /// Records a problem outside any single vector (e.g. two encodings of a group's
    /// key that disagree); it fails the suite like a failed vector.
    pub(crate) fn problem(&mut self, what: impl Display) {
        self.failures.push(what.to_string());
    }

    /// Prints the counts and the exclusions, then asserts that vectors ran and all passed.
    pub(crate) fn finish(self) {
        self.report();
        assert!(self.ran > 0, "{}: no vector ran", self.suite);
        self.assert_clean();
    }

    fn report(&self) {
        eprintln!(
            "suite {}: {} vectors ran, {} passed, {} excluded",
            self.suite,
            self.ran,
            self.passed,
            self.excluded.len()
        );
        let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (id, reason) in &self.excluded {
            by_reason.entry(reason).or_default().push(id);
        }
        for (reason, ids) in by_reason {
            eprintln!("    excluded {} ({}): {reason}", ids.len(), ids.join(", "));
        }
    }

    fn assert_clean(&self) {
        if let Some(total) = self.total {
            assert_eq!(
                self.ran + self.excluded.len(),
                total,
                "{}: {} ran + {} excluded, but the file has {total} vectors",
                self.suite,
                self.ran,
                self.excluded.len()
            );
        }
        assert!(
            self.failures.is_empty() && self.passed == self.ran,
            "{}: {} of {} vectors failed:\n  {}",
            self.suite,
            self.ran - self.passed,
            self.ran,
            self.failures.join("\n  ")
        );
    }
}

/// The vectors directory: `$JOT_VECTORS_DIR`, else `<workspace root>/../shared/vectors`.
///
/// A missing directory fails the test: conformance is not optional.
pub(crate) fn vectors_dir() -> PathBuf {
    let dir = match std::env::var_os("JOT_VECTORS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    };
    assert!(
        dir.is_dir(),
        "conformance vectors not found at {}: set JOT_VECTORS_DIR to {PROVENANCE}, \
         or place it at <workspace root>/../shared/vectors",
        dir.display()
    );
    dir
}

/// Reads and parses one vector file (`path` relative to the vectors directory).
pub(crate) fn load<T: DeserializeOwned>(path: &str) -> T {
    let text = load_text(path);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not the expected JSON: {e}"))
}

/// Reads one vector file as text.
pub(crate) fn load_text(path: &str) -> String {
    let file = vectors_dir().join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; the file belongs to {PROVENANCE}",
            file.display()
        )
    })
}

/// Decodes a Wycheproof hex field.
pub(crate) fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_else(|e| panic!("bad hex {s:?}: {e}"))
}

/// Decodes a base64url field of a JOSE vector.
pub(crate) fn unb64(s: &str) -> Vec<u8> {
    jot_codec::base64url::decode(s).unwrap_or_else(|_| panic!("bad base64url {s:?}"))
}

/// A string member of a JSON vector (a missing one is a broken vector file).
pub(crate) fn str_field<'v>(v: &'v Value, field: &str) -> &'v str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field:?}"))
}

/// `Ok` when `ok`, else the error `what`.
pub(crate) fn ensure(ok: bool, what: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what.to_string()) }
}

/// `Ok` when the strings are equal, else an error showing both.
pub(crate) fn ensure_eq(got: &str, expected: &str, what: &str) -> Result<(), String> {
    ensure(
        got == expected,
        &format!("{what}: got {got}, expected {expected}"),
    )
}

/// An error as the text of a failed check.
pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

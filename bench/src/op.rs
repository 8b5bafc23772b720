//! The operations measured (rows of the tables) and the sink contenders register on.

/// One measured operation: a row of the tables `cargo xtask bench` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// HS256 sign of the small claims.
    Hs256Sign,
    /// HS256 sign of the ~1.8 KB claims.
    Hs256Sign2kb,
    /// HS256 verify + decode + validate of the small claims.
    Hs256Verify,
    /// HS256 verify + decode + validate of the ~1.8 KB claims.
    Hs256Verify2kb,
    /// RS256 sign (2048-bit key).
    Rs256Sign,
    /// RS256 verify + decode + validate.
    Rs256Verify,
    /// PS256 verify + decode + validate.
    Ps256Verify,
    /// ES256 sign.
    Es256Sign,
    /// ES256 verify + decode + validate.
    Es256Verify,
    /// EdDSA (Ed25519) sign.
    EdDsaSign,
    /// EdDSA (Ed25519) verify + decode + validate.
    EdDsaVerify,
}

impl Op {
    /// Every operation, in table order.
    pub const ALL: [Op; 11] = [
        Op::Hs256Sign,
        Op::Hs256Sign2kb,
        Op::Hs256Verify,
        Op::Hs256Verify2kb,
        Op::Rs256Sign,
        Op::Rs256Verify,
        Op::Ps256Verify,
        Op::Es256Sign,
        Op::Es256Verify,
        Op::EdDsaSign,
        Op::EdDsaVerify,
    ];

    /// The criterion group name of this operation.
    ///
    /// ```
    /// assert_eq!(jot_bench::Op::Hs256Verify2kb.id(), "hs256_verify_2kb");
    /// ```
    pub fn id(self) -> &'static str {
        match self {
            Op::Hs256Sign => "hs256_sign",
            Op::Hs256Sign2kb => "hs256_sign_2kb",
            Op::Hs256Verify => "hs256_verify",
            Op::Hs256Verify2kb => "hs256_verify_2kb",
            Op::Rs256Sign => "rs256_sign",
            Op::Rs256Verify => "rs256_verify",
            Op::Ps256Verify => "ps256_verify",
            Op::Es256Sign => "es256_sign",
            Op::Es256Verify => "es256_verify",
            Op::EdDsaSign => "eddsa_sign",
            Op::EdDsaVerify => "eddsa_verify",
        }
    }
}

/// Where contenders register their measured closures: criterion in `benches/jwt.rs`,
/// a run-once checker in the tests.
pub trait Sink {
    /// Measures `f` as `contender` on `op`.
    fn bench<O>(&mut self, op: Op, contender: &str, f: impl FnMut() -> O);

    /// Measures `f` on a fresh input from `setup` each time (setup not measured),
    /// for APIs that take their input by value.
    fn bench_batched<I, O>(
        &mut self,
        op: Op,
        contender: &str,
        setup: impl FnMut() -> I,
        f: impl FnMut(I) -> O,
    );
}

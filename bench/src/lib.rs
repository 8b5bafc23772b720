//! The contenders of `cargo xtask bench`: jot on the crypto provider of this build,
//! the floor built from that provider's raw primitives, and the peer crates enabled
//! by cargo features, each registered on the same operations ([`Op`]) with the same
//! tokens, keys and validation rules (issuer, audience, `exp`).
//!
//! `benches/jwt.rs` measures them with criterion; the tests below run each contender
//! once on every operation, so a peer that rejects the shared tokens fails a test,
//! not a benchmark run.
#![forbid(unsafe_code)]

mod fixture;
mod floor;
mod jot;
mod op;
mod peers;

pub use fixture::Fixture;
pub use op::{Op, Sink};

/// The crypto provider jot uses in this build, as named in contender ids.
pub const PROVIDER: &str = jot::PROVIDER;

/// The crypto provider this build's features ask for; jot is measured only when it
/// equals [`PROVIDER`] (the floor of every enabled provider always is).
pub const INTENDED: &str = jot::INTENDED;

/// Registers every contender of this build on every operation with `sink`.
///
/// Contender ids are `jot-<provider>`, `floor-<provider>` (one per provider feature
/// enabled), `jsonwebtoken-<backend>`, `jwt-simple` and `jwt-compact`.
pub fn register_all<S: Sink>(sink: &mut S, fixture: &Fixture) {
    jot::register(sink, fixture);
    floor::register(sink, fixture);
    peers::register(sink, fixture);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Runs every closure once (each panics on a rejected token) and counts them.
    #[derive(Default)]
    struct Once(BTreeMap<(Op, String), usize>);

    impl Sink for Once {
        fn bench<O>(&mut self, op: Op, contender: &str, mut f: impl FnMut() -> O) {
            drop(f());
            *self.0.entry((op, contender.to_owned())).or_default() += 1;
        }

        fn bench_batched<I, O>(
            &mut self,
            op: Op,
            contender: &str,
            mut setup: impl FnMut() -> I,
            mut f: impl FnMut(I) -> O,
        ) {
            drop(f(setup()));
            *self.0.entry((op, contender.to_owned())).or_default() += 1;
        }
    }

    #[test]
    fn every_contender_runs_every_operation_once_on_the_shared_tokens() {
        let fixture = Fixture::new();
        let mut sink = Once::default();
        register_all(&mut sink, &fixture);
        let jot = format!("jot-{PROVIDER}");
        let floor = format!("floor-{INTENDED}");
        let expected = if PROVIDER == INTENDED {
            vec![&jot, &floor]
        } else {
            vec![&floor]
        };
        for op in Op::ALL {
            for &contender in &expected {
                assert_eq!(
                    sink.0.get(&(op, contender.clone())),
                    Some(&1),
                    "{contender} on {op:?}"
                );
            }
        }
        // Each id is registered at most once per operation (criterion would refuse it).
        assert!(sink.0.values().all(|&n| n == 1));
    }

    #[test]
    fn small_claims_are_about_115_bytes_and_large_about_1_8_kb() {
        let fixture = Fixture::new();
        let small = serde_json::to_vec(&fixture.flat_small).expect("json").len();
        let large = serde_json::to_vec(&fixture.flat_large).expect("json").len();
        assert!((100..=130).contains(&small), "{small}");
        assert!((1_600..=2_000).contains(&large), "{large}");
    }
}

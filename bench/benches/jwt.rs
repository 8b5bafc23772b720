//! jot on this build's crypto provider, the peers enabled by cargo features, and the
//! floor (the provider's raw primitives plus the unavoidable base64url and
//! `serde_json` work), on the same tokens: see `jot_bench::register_all`.
//!
//! Groups are operations (`hs256_sign`, `rs256_verify`, …), functions are contenders
//! (`jot-ring`, `floor-ring`, `jsonwebtoken-rust_crypto`, `jwt-simple`, …);
//! `cargo xtask bench` builds one configuration per provider, runs each, and reads
//! the medians back. `JOT_BENCH_QUICK=1` shortens every measurement (for trying
//! things; the numbers are noisier).
#![allow(clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jot_algorithms::{Algorithm, Claims, Header, KeySet, SigningKey, Validation, VerifyingKey};
use jot_bench::{Fixture, Op, PROVIDER, Sink};

struct Measure<'a>(&'a mut Criterion);

impl Sink for Measure<'_> {
    fn bench<O>(&mut self, op: Op, contender: &str, mut f: impl FnMut() -> O) {
        let mut group = self.0.benchmark_group(op.id());
        group.bench_function(contender, |b| b.iter(&mut f));
        group.finish();
    }

    fn bench_batched<I, O>(
        &mut self,
        op: Op,
        contender: &str,
        mut setup: impl FnMut() -> I,
        mut f: impl FnMut(I) -> O,
    ) {
        let mut group = self.0.benchmark_group(op.id());
        group.bench_function(contender, |b| {
            b.iter_batched(&mut setup, &mut f, BatchSize::SmallInput)
        });
        group.finish();
    }
}

fn contenders(c: &mut Criterion) {
    jot_bench::register_all(&mut Measure(c), &Fixture::new());
}

/// jot alone: key construction and a `KeySet` lookup, per provider.
fn jot_only(c: &mut Criterion) {
    let data = |file: &str| {
        std::fs::read_to_string(format!(
            "{}/../crates/jot-algorithms/tests/data/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("test key")
    };
    let rsa_pem = data("rsa2048.pkcs8.pem");
    let ec_pem = data("p256.pkcs8.pem");
    let ec_jwk = SigningKey::from_pem(Algorithm::ES256, &ec_pem)
        .expect("ec")
        .verifying_key()
        .to_jwk()
        .expect("jwk");
    let ec_jwk_json = serde_json::to_string(&ec_jwk).expect("json");
    let mut g = c.benchmark_group("key_construction");
    g.bench_function(format!("rs256_private_pem-{PROVIDER}"), |b| {
        b.iter(|| SigningKey::from_pem(Algorithm::RS256, black_box(&rsa_pem)).expect("rsa"))
    });
    g.bench_function(format!("es256_private_pem-{PROVIDER}"), |b| {
        b.iter(|| SigningKey::from_pem(Algorithm::ES256, black_box(&ec_pem)).expect("ec"))
    });
    g.bench_function(format!("es256_public_jwk-{PROVIDER}"), |b| {
        b.iter(|| {
            let jwk: jot_algorithms::Jwk =
                serde_json::from_str(black_box(&ec_jwk_json)).expect("jwk");
            VerifyingKey::from_jwk_infer(&jwk).expect("ec")
        })
    });
    g.finish();

    // A 16-key set: decoding through the set costs one kid lookup more than through the key.
    let signers: Vec<SigningKey> = (0..16)
        .map(|i| {
            SigningKey::hmac(Algorithm::HS256, [i as u8 + 1; 32])
                .expect("key")
                .with_kid(format!("key-{i:02}"))
        })
        .collect();
    let set = KeySet::from_keys(signers.iter().map(SigningKey::verifying_key));
    let claims = Claims::new(()).subject("user").valid_for(3600);
    let token = jot_algorithms::encode(&signers[11], &Header::jwt(), &claims).expect("encode");
    let validation = Validation::new();
    let mut g = c.benchmark_group("keyset_verify");
    g.bench_function(format!("jot_keyset_16-{PROVIDER}"), |b| {
        b.iter(|| {
            jot_algorithms::decode::<()>(black_box(&token), &set, &validation).expect("decode")
        })
    });
    g.bench_function(format!("jot_single_key-{PROVIDER}"), |b| {
        let key = signers[11].verifying_key();
        b.iter(|| {
            jot_algorithms::decode::<()>(black_box(&token), &key, &validation).expect("decode")
        })
    });
    g.finish();
}

fn config() -> Criterion {
    if std::env::var_os("JOT_BENCH_QUICK").is_some() {
        Criterion::default()
            .warm_up_time(Duration::from_millis(150))
            .measurement_time(Duration::from_millis(400))
            .sample_size(10)
    } else {
        Criterion::default()
            .warm_up_time(Duration::from_millis(700))
            .measurement_time(Duration::from_secs(2))
            .sample_size(60)
    }
}

criterion_group! { name = benches; config = config(); targets = contenders, jot_only }
criterion_main!(benches);

//! The database stopped and started again under load, two instances on it (a
//! cluster of this test's own): while it is down, token requests fail fast —
//! a 5xx answer or a refused connection within a few seconds, never a hang —
//! and the JWK Set is still served from memory; once it is back, the same
//! processes issue tokens again, without a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jot_test_support::postgres::Cluster;
use tokio::task::JoinSet;

use crate::fleet::{Fleet, SVC, client};
use crate::flows::{jwks_kids, service_token};

/// The longest a token request may take while the database is down: the
/// store's wait for a connection (2 s here) and a margin.
const FAIL_FAST: Duration = Duration::from_secs(6);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_fails_fast_and_heals_without_a_restart() {
    let cluster = Cluster::private();
    let db = cluster.private_database();
    let url = format!("{}?pool_timeout=2&query_timeout=3", db.url());
    let fleet = Fleet::new(&url, "");
    let flags = ["--maintenance-interval", "1s"];
    let instances = [fleet.start(&flags), fleet.start(&flags)];
    let http = client();
    for instance in &instances {
        assert_eq!(
            service_token(&http, &instance.base, SVC.1, None).await.0,
            200
        );
    }

    // Load: client_credentials on both instances until told to stop; each
    // request's outcome and duration is recorded.
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = JoinSet::new();
    for worker in 0..4 {
        let base = instances[worker % 2].base.clone();
        let (http, stop) = (http.clone(), Arc::clone(&stop));
        load.spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let started = Instant::now();
                let outcome = http
                    .post(format!("{base}/token"))
                    .basic_auth(SVC.0, Some(SVC.1))
                    .form(&[("grant_type", "client_credentials")])
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                seen.push((Instant::now(), started.elapsed(), outcome.ok()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let down = Instant::now();
    tokio::task::block_in_place(|| cluster.stop());
    let stopped = Instant::now();

    // Down: the JWK Set is served from memory; tokens fail fast.
    for instance in &instances {
        let started = Instant::now();
        assert_eq!(jwks_kids(&http, &instance.base).await.len(), 1);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let restarted = Instant::now();
    tokio::task::block_in_place(|| cluster.start());
    let up = Instant::now();

    // Back: every instance issues tokens again, no restart.
    for instance in &instances {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, _) = service_token(&http, &instance.base, SVC.1, None).await;
            if status == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{} did not recover",
                instance.base
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    stop.store(true, Ordering::SeqCst);
    let mut seen = Vec::new();
    while let Some(worker) = load.join_next().await {
        seen.extend(worker.unwrap());
    }

    let mut failed_fast = 0;
    for (at, took, outcome) in &seen {
        assert!(*took < FAIL_FAST, "a request took {took:?} ({outcome:?})");
        match outcome {
            Some(200) => {}
            Some(status) => {
                // Only while the database was away (or coming back).
                assert!((500..600).contains(status), "{status}");
                assert!(*at >= down && *at <= up + Duration::from_secs(20));
                failed_fast += 1;
            }
            None => panic!("an instance refused a connection: it must stay up"),
        }
    }
    let during: Vec<_> = seen
        .iter()
        .filter(|(at, took, _)| *at - *took >= stopped && *at < restarted)
        .collect();
    assert!(
        !during.is_empty(),
        "requests were made while the database was down"
    );
    assert!(
        during
            .iter()
            .all(|(_, _, outcome)| outcome.is_some_and(|s| s >= 500)),
        "a request succeeded without the database: {during:?}"
    );
    assert!(failed_fast > 0);
}

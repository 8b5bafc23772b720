//! An instance killed with SIGKILL in the middle of a load of refreshes loses
//! nothing it acknowledged: every refresh token it handed out works exactly once
//! on the other instance. A refresh whose answer never came back may or may not
//! have happened, and either way is consistent (a refused token, or one that
//! still works once); no request is answered with a server error.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jot_test_support::postgres;
use ring::rand::{SecureRandom as _, SystemRandom};
use tokio::task::JoinSet;

use crate::fleet::{Fleet, client};
use crate::flows::{refresh, refresh_token, warm_up};
use crate::support::Cookies;

/// Refresh-token families, one per worker.
const CHAINS: usize = 16;

/// What a worker knows when the instance under it dies.
struct Chain {
    /// The last refresh token the killed instance handed out (acknowledged).
    last: String,
    /// How many refreshes it acknowledged.
    acknowledged: usize,
    /// Whether a refresh of `last` was in flight when the instance died.
    in_flight: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkill_mid_load_loses_nothing_acknowledged() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let (a, b) = (fleet.start(&[]), fleet.start(&[]));
    let http = client();
    let mut browser = Cookies::default();
    let mut tokens = Vec::new();
    for _ in 0..CHAINS {
        tokens.push(refresh_token(&http, &a.base, &mut browser).await);
    }
    warm_up(&http, &a.base).await;
    warm_up(&http, &b.base).await;

    // Workers refresh their chain on A, pausing 0–30 ms between refreshes.
    let dead = Arc::new(AtomicBool::new(false));
    let mut workers = JoinSet::new();
    for token in tokens {
        let (http, base, dead) = (http.clone(), a.base.clone(), Arc::clone(&dead));
        workers.spawn(async move {
            let mut chain = Chain {
                last: token,
                acknowledged: 0,
                in_flight: false,
            };
            loop {
                // Once the kill is under way, nothing new is sent: a chain then
                // ends on its last acknowledged token, unused.
                if dead.load(Ordering::SeqCst) {
                    return chain;
                }
                let sent = tokio::time::timeout(
                    Duration::from_secs(10),
                    http.post(format!("{base}/token"))
                        .basic_auth(crate::fleet::WEB.0, Some(crate::fleet::WEB.1))
                        .form(&[
                            ("grant_type", "refresh_token"),
                            ("refresh_token", &chain.last),
                        ])
                        .send(),
                )
                .await
                .expect("a killed server never leaves a request hanging");
                let response = match sent {
                    Ok(response) => response,
                    Err(_) => {
                        chain.in_flight = true;
                        return chain;
                    }
                };
                let status = response.status().as_u16();
                let Ok(body) = response.json::<serde_json::Value>().await else {
                    chain.in_flight = true;
                    return chain;
                };
                assert_eq!(status, 200, "{body}");
                chain.last = body["refresh_token"].as_str().unwrap().to_owned();
                chain.acknowledged += 1;
                tokio::time::sleep(Duration::from_millis(pause())).await;
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    dead.store(true, Ordering::SeqCst);
    drop(a.jot.stop()); // SIGKILL

    let mut chains = Vec::new();
    while let Some(chain) = workers.join_next().await {
        chains.push(chain.unwrap());
    }
    let acknowledged: usize = chains.iter().map(|c| c.acknowledged).sum();
    assert!(
        acknowledged >= CHAINS,
        "the load ran: {acknowledged} refreshes"
    );
    let settled: Vec<_> = chains.iter().filter(|c| !c.in_flight).collect();
    assert!(
        !settled.is_empty(),
        "every chain was mid-request at the kill"
    );

    for chain in &chains {
        let (status, body) = refresh(&http, &b.base, &chain.last).await;
        if chain.in_flight {
            // The refresh A never answered either committed (the token is used:
            // a reuse, refused) or did not (it works now).
            assert!(
                status == 200 || (status == 400 && body["error"] == "invalid_grant"),
                "{status}: {body}"
            );
            continue;
        }
        assert_eq!(status, 200, "an acknowledged token was lost: {body}");
        let (status, body) = refresh(&http, &b.base, &chain.last).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "exactly once"
        );
    }
}

/// 0 to 30 ms.
fn pause() -> u64 {
    let mut byte = [0u8; 1];
    SystemRandom::new().fill(&mut byte).unwrap();
    u64::from(byte[0]) % 31
}

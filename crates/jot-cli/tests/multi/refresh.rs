//! 200 concurrent refreshes of one refresh token, spread over two instances:
//! exactly one succeeds, every other is `invalid_grant`, and the reuse revokes
//! the family: the winner's new refresh token is refused too, on both.

use std::sync::Arc;

use jot_test_support::postgres;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

use crate::fleet::{Fleet, client};
use crate::flows::{refresh, refresh_token, warm_up};
use crate::support::Cookies;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_refreshes_of_one_token_on_two_instances_make_one_winner() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let (a, b) = (fleet.start(&[]), fleet.start(&[]));
    let http = client();
    let token = refresh_token(&http, &a.base, &mut Cookies::default()).await;
    warm_up(&http, &a.base).await;
    warm_up(&http, &b.base).await;

    let n = 200;
    let barrier = Arc::new(Barrier::new(n));
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let (http, token, barrier) = (http.clone(), token.clone(), Arc::clone(&barrier));
        tasks.spawn(async move {
            barrier.wait().await;
            (i % 2, refresh(&http, &base, &token).await)
        });
    }
    let mut winners = Vec::new();
    let mut losers = [0, 0];
    while let Some(done) = tasks.join_next().await {
        let (instance, (status, body)) = done.unwrap();
        match status {
            200 => winners.push(body),
            400 => {
                assert_eq!(body["error"], "invalid_grant", "{body}");
                losers[instance] += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(losers[0] + losers[1], n - 1);
    assert!(
        losers[0] > 0 && losers[1] > 0,
        "both instances answered: {losers:?}"
    );

    // The reuse revoked the family: the winner's successor is dead on both.
    let successor = winners[0]["refresh_token"].as_str().unwrap();
    for base in [&b.base, &a.base] {
        let (status, body) = refresh(&http, base, successor).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant")),
            "{body}"
        );
    }
    assert_eq!(
        db.psql("SELECT count(*) FROM jot_families"),
        "1",
        "the family is marked revoked"
    );
}

//! Key rotation across instances: two `jot rotate-key` at once publish one next
//! key; every instance publishes it a JWKS max-age before any instance signs
//! with it (so no verifier meets an unknown `kid`); it is promoted once. And
//! scheduled rotation running on two instances at once rotates once.

use std::time::{Duration, Instant};

use jot_test_support::postgres;

use crate::fleet::{Fleet, SVC, client};
use crate::flows::{jwks_kids, kid, service_token};

const MAX_AGE: Duration = Duration::from_secs(2);

/// A token of [`SVC`] from `base`: its `kid`.
async fn signing_kid(http: &reqwest::Client, base: &str) -> String {
    let (status, body) = service_token(http, base, SVC.1, None).await;
    assert_eq!(status, 200, "{body}");
    kid(body["access_token"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_next_key_is_published_everywhere_a_max_age_before_it_signs_anywhere() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "");
    let flags = ["--jwks-max-age", "2s", "--maintenance-interval", "1s"];
    let instances = [fleet.start(&flags), fleet.start(&flags)];
    let http = client();
    let first = signing_kid(&http, &instances[0].base).await;

    // Two operators rotating at once: one next key, the same for both.
    let outputs = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| fleet.jot(&["rotate-key"])))
            .collect();
        runs.into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });
    let started = Instant::now();
    let mut announced = Vec::new();
    for out in &outputs {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kid = text
            .strip_prefix("next ES256 key ")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("{text}"));
        announced.push(kid.to_owned());
    }
    assert_eq!(announced[0], announced[1], "one next key");
    let next = announced[0].clone();
    assert_eq!(db.psql("SELECT count(*) FROM jot_keys WHERE next"), "1");

    // Watch both instances: when each publishes the key, when any signs with it.
    // Each instance is seen at most one polling round after it publishes or
    // switches; the longest round is the resolution of the timing check below,
    // so a loaded machine slows the polling without failing a correct server.
    let mut published: [Option<Instant>; 2] = [None, None];
    let mut signed: Option<Instant> = None;
    let mut switched = [false, false];
    let mut round = Duration::ZERO;
    while switched != [true, true] {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no rotation in 30 s"
        );
        let round_started = Instant::now();
        for (i, instance) in instances.iter().enumerate() {
            let kids = jwks_kids(&http, &instance.base).await;
            if kids.contains(&next) && published[i].is_none() {
                published[i] = Some(Instant::now());
            }
            let kid = signing_kid(&http, &instance.base).await;
            if kid == next {
                signed.get_or_insert_with(Instant::now);
                switched[i] = true;
                // Asked after the signature: every instance must publish the key by now.
                for (j, other) in instances.iter().enumerate() {
                    if published[j].is_none() {
                        assert!(
                            jwks_kids(&http, &other.base).await.contains(&next),
                            "instance {i} signed with {next} before instance {j} published it"
                        );
                        published[j] = Some(Instant::now());
                    }
                }
            } else {
                assert_eq!(kid, first, "only the old key or the next one signs");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        round = round.max(round_started.elapsed());
    }
    let everywhere = published.iter().flatten().max().copied().unwrap();
    let lead = signed.unwrap() - everywhere;
    assert!(
        lead + round >= MAX_AGE,
        "signed {lead:?} after every instance published it (polling rounds up to {round:?}); \
         a verifier may cache the set for {MAX_AGE:?}"
    );

    // Promoted once: the first key retired, the next one current, nothing else.
    assert_eq!(
        db.psql(
            "SELECT kid || ':' || (retired_at IS NOT NULL) || ':' || next FROM jot_keys \
             ORDER BY retired_at NULLS LAST"
        ),
        format!("{first}:true:false\n{next}:false:false")
    );
    for instance in &instances {
        assert_eq!(
            jwks_kids(&http, &instance.base).await,
            [next.clone(), first.clone()]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_rotation_on_two_instances_rotates_once() {
    let db = postgres::shared().database();
    let fleet = Fleet::new(db.url(), "rotate_every = \"4s\"");
    let flags = ["--jwks-max-age", "1s", "--maintenance-interval", "1s"];
    let instances = [fleet.start(&flags), fleet.start(&flags)];
    let http = client();
    let first = signing_kid(&http, &instances[0].base).await;
    let started = Instant::now();
    let second = loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no rotation in 30 s"
        );
        let kids = [
            signing_kid(&http, &instances[0].base).await,
            signing_kid(&http, &instances[1].base).await,
        ];
        if kids[0] != first && kids[0] == kids[1] {
            break kids[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // One rotation: the first key retired once, one current key (the one both
    // sign with); at most the following next key besides.
    assert_eq!(
        db.psql("SELECT string_agg(kid, ',') FROM jot_keys WHERE retired_at IS NOT NULL"),
        first
    );
    assert_eq!(
        db.psql("SELECT kid FROM jot_keys WHERE retired_at IS NULL AND NOT next"),
        second
    );
    let total: usize = db.psql("SELECT count(*) FROM jot_keys").parse().unwrap();
    assert!(total <= 3, "{total} keys");
}

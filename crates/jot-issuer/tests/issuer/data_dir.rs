//! The data directory under attack or after a crash: a deleted private key, a
//! directory open to other users, temporary files left behind, a directory of
//! the first format; and revocations that wait on the disk without holding up
//! token issuing.

use std::path::Path;
use std::time::{Duration, SystemTime};

use jot_issuer::{Issuer, IssuerError, KeyRotation, UserGrant, store::FileStore};

use crate::support::{CLIENT, SECRET, capture_logs, digest, files, start};

/// The store's name for the private key of `kid`.
fn pem_of(dir: &Path, kid: &str) -> std::path::PathBuf {
    dir.join("keys").join(format!("{}.key.pem", digest(kid)))
}

#[tokio::test]
async fn a_deleted_private_key_stops_the_start_unless_told_to_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let lost = issuer.issuer.current_kid();
    drop(issuer);
    std::fs::remove_file(pem_of(dir.path(), &lost)).unwrap();

    // No quiet new key: a typed error that names the key and the fix.
    let build =
        || Issuer::builder("http://127.0.0.1:1").store(FileStore::open(dir.path()).unwrap());
    match build().build().await {
        Err(IssuerError::MissingPrivateKey { kid }) => assert_eq!(kid, lost),
        other => panic!("{other:?}"),
    }
    let message = build().build().await.unwrap_err().to_string();
    assert!(
        message.contains("rotate") && message.contains(&lost),
        "{message}"
    );
    assert!(!files(dir.path()).iter().any(|f| f.ends_with(".key.pem")));

    // Told to: a new key signs, the lost key's public part stays published for
    // the tokens it signed.
    let issuer = build().replace_missing_key(true).build().await.unwrap();
    let kid = issuer.current_kid();
    assert_ne!(kid, lost);
    let published: Vec<_> = issuer
        .jwks()
        .keys
        .iter()
        .map(|k| k.kid.clone().unwrap_or_default())
        .collect();
    assert_eq!(published, [kid.clone(), lost.clone()]);
    assert!(pem_of(dir.path(), &kid).exists());
    // And the next start needs no option.
    drop(issuer);
    assert_eq!(build().build().await.unwrap().current_kid(), kid);

    // An immediate rotation of the directory (what `jot rotate-key --now` does) is
    // the other fix; a planned one cannot help (the lost key would sign meanwhile).
    std::fs::remove_file(pem_of(dir.path(), &kid)).unwrap();
    assert!(build().build().await.is_err());
    let store = FileStore::open(dir.path()).unwrap();
    assert!(matches!(
        KeyRotation::new().run(&store).await,
        Err(IssuerError::MissingPrivateKey { .. })
    ));
    let rotated = KeyRotation::new().now(true).run(&store).await.unwrap();
    assert_eq!(rotated.previous.as_deref(), Some(kid.as_str()));
    assert_eq!(build().build().await.unwrap().current_kid(), rotated.kid);
}

#[cfg(unix)]
#[test]
fn a_data_directory_open_to_others_is_tightened_with_a_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    FileStore::open(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    std::fs::set_permissions(dir.join("clients"), std::fs::Permissions::from_mode(0o755)).unwrap();

    let (logs, guard) = capture_logs();
    FileStore::open(&dir).unwrap();
    drop(guard);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("clients")), 0o700);
    let text = logs.text();
    let warnings: Vec<_> = text.lines().filter(|l| l.contains("WARN")).collect();
    assert_eq!(warnings.len(), 2, "{text}");
    assert!(
        warnings[0].contains("0777") && warnings[0].contains("0700"),
        "{text}"
    );
    assert!(warnings[1].contains("0755"), "{text}");

    // A directory already private is left alone, silently.
    let (logs, guard) = capture_logs();
    FileStore::open(&dir).unwrap();
    drop(guard);
    assert!(!logs.text().contains("WARN"), "{}", logs.text());
}

#[tokio::test]
async fn temporary_files_a_crash_left_are_removed_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    issuer
        .issuer
        .store()
        .put_consent(jot_issuer::store::ConsentRecord {
            sub: "u1".into(),
            client_id: CLIENT.into(),
            scopes: vec![],
            granted_at: 1,
        })
        .await
        .unwrap();
    drop(issuer);
    let consents = dir.path().join("consents").join(digest("u1"));
    let old = SystemTime::now() - Duration::from_secs(120);
    let stale = [
        dir.path().join(".tmp-crashed"),
        dir.path().join("refresh").join(".tmp-AAAA"),
        dir.path().join("pending").join(".take-BBBB"),
        consents.join(".tmp-CCCC"),
    ];
    for path in &stale {
        std::fs::write(path, b"half a record").unwrap();
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    // A fresh one may be another process's write under way: it stays.
    let fresh = dir.path().join("clients").join(".tmp-DDDD");
    std::fs::write(&fresh, b"being written").unwrap();

    let issuer = start(dir.path()).await;
    for path in &stale {
        assert!(!path.exists(), "{}", path.display());
    }
    assert!(fresh.exists());
    assert_eq!(issuer.client_token().await.split('.').count(), 3);
}

/// A directory written by the first format (records named after their ids)
/// opens as it was: clients, keys, refresh tokens and revoked families are
/// renamed to their digests.
#[tokio::test]
async fn a_directory_of_the_first_format_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let kid = issuer.issuer.current_kid();
    let grant = |sub: &str| UserGrant::new(sub, "web");
    let live = issuer.issuer.issue_for_user(grant("erin")).await.unwrap();
    let dead = issuer.issuer.issue_for_user(grant("fred")).await.unwrap();
    issuer
        .issuer
        .revoke(dead.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    drop(issuer);

    // Back to format 1: every record under its id, family marks without their id.
    let rename = |sub: &str, from: String, to: String| {
        std::fs::rename(
            dir.path().join(sub).join(from),
            dir.path().join(sub).join(to),
        )
        .unwrap();
    };
    rename(
        "clients",
        format!("{}.json", digest(CLIENT)),
        format!("{CLIENT}.json"),
    );
    rename(
        "keys",
        format!("{}.json", digest(&kid)),
        format!("{kid}.json"),
    );
    rename(
        "keys",
        format!("{}.key.pem", digest(&kid)),
        format!("{kid}.key.pem"),
    );
    for file in files(&dir.path().join("refresh")) {
        let text = std::fs::read_to_string(dir.path().join("refresh").join(&file)).unwrap();
        let record: serde_json::Value = serde_json::from_str(&text).unwrap();
        let ext = file.rsplit('.').next().unwrap();
        let hash = record["token_hash"].as_str().unwrap();
        rename("refresh", file.clone(), format!("{hash}.{ext}"));
    }
    let marks = files(&dir.path().join("families"));
    assert_eq!(marks.len(), 1);
    let mark: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("families").join(&marks[0])).unwrap(),
    )
    .unwrap();
    let family = mark["family"].as_str().unwrap();
    std::fs::write(
        dir.path()
            .join("families")
            .join(format!("{family}.revoked")),
        serde_json::json!({"until": mark["until"]}).to_string(),
    )
    .unwrap();
    std::fs::remove_file(dir.path().join("families").join(&marks[0])).unwrap();
    std::fs::write(dir.path().join("jot-store.json"), r#"{"format":1}"#).unwrap();

    let issuer = start(dir.path()).await;
    assert_eq!(issuer.issuer.current_kid(), kid);
    let token = issuer.client_token().await;
    assert_eq!(crate::support::peek(&token).0["kid"], kid.as_str());
    assert_eq!(
        issuer
            .refresh(live.refresh_token.as_deref().unwrap())
            .await
            .status,
        200
    );
    issuer
        .refresh(dead.refresh_token.as_deref().unwrap())
        .await
        .assert_error(400, "invalid_grant");
    let marker = std::fs::read_to_string(dir.path().join("jot-store.json")).unwrap();
    assert!(marker.contains("\"format\": 2"), "{marker}");
    let names = files(dir.path());
    assert!(
        names.contains(&format!("clients/{}.json", digest(CLIENT))),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("keys/{}.key.pem", digest(&kid))),
        "{names:?}"
    );
    assert!(
        names.contains(&format!("families/{}.revoked", digest(family))),
        "{names:?}"
    );
}

/// A revocation writes (and syncs) under the store's lock for revoked families;
/// a client asking for a token reads its own record under no lock, so it does not
/// wait. Shown without timing: the family mark the revocation reads first is a
/// named pipe, so the revocation blocks (holding its lock) on the pipe until the
/// test writes into it; the test knows it is blocked there because opening the
/// pipe's other end without blocking succeeds only once a reader has it open.
/// Meanwhile tokens are issued and introspected. With one lock for everything
/// (as before), they would wait for the pipe and time out.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_waiting_on_the_disk_does_not_hold_up_issuing() {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    const O_NONBLOCK: i32 = 0o4000;

    let dir = tempfile::tempdir().unwrap();
    let issuer = start(dir.path()).await;
    let refresh = issuer
        .issuer
        .issue_for_user(UserGrant::new("erin", CLIENT))
        .await
        .unwrap()
        .refresh_token
        .unwrap();
    let record = files(&dir.path().join("refresh")).pop().unwrap();
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("refresh").join(record)).unwrap(),
    )
    .unwrap();
    let pipe = dir.path().join("families").join(format!(
        "{}.revoked",
        digest(record["family"].as_str().unwrap())
    ));
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());

    let revoking = {
        let (http, url) = (issuer.http.clone(), issuer.url.clone());
        tokio::spawn(async move {
            http.post(format!("{url}/revoke"))
                .basic_auth(CLIENT, Some(SECRET))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("token={refresh}"))
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    // Wait until the revocation has the pipe open (it then holds the lock).
    let started = std::time::Instant::now();
    let mut writer = loop {
        let open = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(O_NONBLOCK)
            .open(&pipe);
        match open {
            Ok(writer) => break writer,
            Err(_) => {
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "no revocation reads the mark"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    // Tokens keep coming while the revocation waits on the pipe.
    for _ in 0..5 {
        let token = tokio::time::timeout(Duration::from_secs(20), issuer.client_token())
            .await
            .expect("issuing waited for the revocation");
        let introspected = tokio::time::timeout(Duration::from_secs(20), issuer.introspect(&token))
            .await
            .expect("introspection waited for the revocation");
        assert_eq!(introspected["active"], true);
    }
    assert!(!revoking.is_finished());
    // Release it: the pipe yields an expired mark, and the revocation completes.
    writer.write_all(br#"{"until":0}"#).unwrap();
    drop(writer);
    let status = tokio::time::timeout(Duration::from_secs(20), revoking)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    let family_file = std::fs::metadata(&pipe).unwrap();
    assert!(family_file.is_file(), "the mark replaced the pipe");
}

//! The settings of `jot serve`: client specs, durations, config files.

use std::path::Path;

use super::*;

#[test]
fn client_specs_parse() {
    let spec: ClientSpec = "a:b".parse().unwrap();
    assert_eq!(
        (spec.id(), spec.secret.as_deref(), spec.scopes().len()),
        ("a", Some("b"), 0)
    );
    let spec: ClientSpec = "a:hunter2:x y,z".parse().unwrap();
    assert_eq!(spec.scopes(), ["x", "y", "z"]);
    assert!(!format!("{spec:?}").contains("hunter2"));
    for bad in ["a", ":b", "a:", ""] {
        assert!(bad.parse::<ClientSpec>().is_err(), "{bad}");
    }
}

#[test]
fn durations_parse() {
    assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
    assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5_400));
    assert_eq!(
        parse_duration("2w").unwrap(),
        Duration::from_secs(1_209_600)
    );
    for bad in ["", "0", "m", "5y", "-1", "99999999999999999999d"] {
        assert!(parse_duration(bad).is_err(), "{bad}");
    }
}

#[test]
fn config_files_merge_under_explicit_settings() {
    let dir = std::env::temp_dir().join(format!("jot-serve-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("jot.toml");
    std::fs::write(
        &path,
        "addr = \"127.0.0.1:9\"\ndata_dir = \"data\"\nalg = \"EdDSA\"\nrotate_every = \"never\"\n\
         access_token_lifetime = 60\njwks_max_age = \"2m\"\nmaintenance_interval = 10\n\
         [[client]]\nid = \"c\"\nsecret = \"s\"\nscopes = [\"x\"]\n",
    )
    .unwrap();
    let config = ServeConfig::new()
        .config_file(&path)
        .algorithm(Algorithm::ES384)
        .resolve()
        .unwrap();
    assert_eq!(config.addr, Some("127.0.0.1:9".parse().unwrap()));
    assert_eq!(config.data_dir, Some(dir.join("data")));
    assert_eq!(config.alg, Some(Algorithm::ES384));
    assert_eq!(config.rotation, Some(None));
    assert_eq!(config.access_ttl, Some(Duration::from_secs(60)));
    assert_eq!(config.jwks_max_age, Some(Duration::from_secs(120)));
    assert_eq!(config.maintenance, Some(Duration::from_secs(10)));
    assert_eq!(config.clients[0].scopes(), ["x"]);
    // A flag wins over the file.
    let config = ServeConfig::new()
        .config_file(&path)
        .jwks_max_age(Duration::from_secs(7))
        .maintenance_interval(Duration::from_secs(3))
        .resolve()
        .unwrap();
    assert_eq!(config.jwks_max_age, Some(Duration::from_secs(7)));
    assert_eq!(config.maintenance, Some(Duration::from_secs(3)));
    std::fs::write(&path, "nope = 1\n").unwrap();
    assert!(matches!(
        ServeConfig::new().config_file(&path).resolve(),
        Err(ServeError::Config { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_files_give_tls_files_both_or_neither_relative_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jot.toml");
    std::fs::write(
        &path,
        "tls_cert = \"cert.pem\"\ntls_key = \"/abs/key.pem\"\n",
    )
    .unwrap();
    let config = ServeConfig::new().config_file(&path).resolve().unwrap();
    let tls = config.tls.unwrap();
    assert_eq!(tls.cert, dir.path().join("cert.pem"));
    assert_eq!(tls.key, PathBuf::from("/abs/key.pem"));
    std::fs::write(&path, "tls_cert = \"cert.pem\"\n").unwrap();
    let error = ServeConfig::new().config_file(&path).resolve().unwrap_err();
    assert!(
        error.to_string().contains("tls_cert and tls_key"),
        "{error}"
    );
    std::fs::write(&path, "addr = \"127.0.0.1:9\"\n").unwrap();
    assert!(
        ServeConfig::new()
            .config_file(&path)
            .resolve()
            .unwrap()
            .tls
            .is_none()
    );
}

#[test]
fn config_files_give_hardening_settings_under_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jot.toml");
    std::fs::write(
        &path,
        "cors_origins = [\"https://app.example\"]\nreplace_missing_key = true\n\
         header_timeout = \"5s\"\nbody_timeout = 20\nrequest_timeout = \"1m\"\n\
         idle_timeout = \"2m\"\nmax_connections = 64\n\
         [[client]]\nid = \"api\"\nsecret = \"s\"\nintrospect = true\n",
    )
    .unwrap();
    let flags = LimitSettings {
        header_timeout: Some(Duration::from_secs(2)),
        ..LimitSettings::default()
    };
    let config = ServeConfig::new()
        .config_file(&path)
        .limits(flags)
        .resolve()
        .unwrap();
    assert_eq!(config.cors_origins, ["https://app.example"]);
    assert_eq!(config.replace_missing_key, Some(true));
    let limits = config.limits.resolve();
    assert_eq!(limits.header_timeout, Duration::from_secs(2));
    assert_eq!(limits.body_timeout, Duration::from_secs(20));
    assert_eq!(limits.request_timeout, Duration::from_secs(60));
    assert_eq!(limits.idle_timeout, Duration::from_secs(120));
    assert_eq!(limits.max_connections, 64);
    assert!(config.clients[0].introspect);
    let config = ServeConfig::new()
        .config_file(&path)
        .cors_origin("https://other.example")
        .replace_missing_key(false)
        .resolve()
        .unwrap();
    assert_eq!(config.cors_origins, ["https://other.example"]);
    assert_eq!(config.replace_missing_key, Some(false));
    for bad in [
        "max_connections = 0\n",
        "header_timeout = 0\n",
        "idle_timeout = \"1y\"\n",
    ] {
        std::fs::write(&path, bad).unwrap();
        assert!(
            matches!(
                ServeConfig::new().config_file(&path).resolve(),
                Err(ServeError::Config { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn config_files_turn_on_client_metadata_and_registration_under_the_flags() {
    let text = "client_id_metadata_documents = true\nclient_id_metadata_allow_loopback = true\n\
                dynamic_registration = true\nregistration_initial_access_token_env = \"REG\"\n\
                client_id_metadata_scopes = [\"mcp:tools\"]\nregistration_scopes = [\"a\", \"b\"]\n";
    let path = Path::new("/etc/jot/jot.toml");
    let env = |var: &str| (var == "REG").then(|| "reg-token".to_owned());
    let config = ServeConfig::new().merge_file(text, path, &env).unwrap();
    assert_eq!(config.client_id_metadata_documents, Some(true));
    assert_eq!(config.client_id_metadata_allow_loopback, Some(true));
    assert_eq!(config.dynamic_registration, Some(true));
    assert_eq!(config.client_id_metadata_scopes, ["mcp:tools"]);
    assert_eq!(config.registration_scopes, ["a", "b"]);
    assert_eq!(
        config.registration_token,
        Some(RegistrationToken("reg-token".into()))
    );
    assert!(!format!("{config:?}").contains("reg-token"));
    // Flags win over the file.
    let flags = ServeConfig {
        dynamic_registration: Some(false),
        registration_token: Some(RegistrationToken("flag".into())),
        ..ServeConfig::new()
    };
    let config = flags.merge_file(text, path, &env).unwrap();
    assert_eq!(config.dynamic_registration, Some(false));
    assert_eq!(
        config.registration_token,
        Some(RegistrationToken("flag".into()))
    );
    // Off unless asked; a named variable that is not set is an error.
    let config = ServeConfig::new().merge_file("", path, &env).unwrap();
    assert_eq!(config.client_id_metadata_documents, None);
    assert_eq!(config.dynamic_registration, None);
    let error = ServeConfig::new()
        .merge_file(text, path, &|_| None)
        .unwrap_err();
    assert!(error.to_string().contains("REG is not set"), "{error}");
}

#[test]
fn config_text_takes_secrets_from_the_given_environment_only() {
    let text = "data_dir = \"data\"\n[[client]]\nid = \"c\"\nsecret_env = \"JOT_TEST_C\"\n\
                [[user]]\nusername = \"u\"\npassword_env = \"JOT_TEST_U\"\n";
    let path = Path::new("/etc/jot/jot.toml");
    let env = |var: &str| Some(format!("{var} value"));
    let config = ServeConfig::new().merge_file(text, path, &env).unwrap();
    assert_eq!(config.data_dir, Some(PathBuf::from("/etc/jot/data")));
    assert_eq!(
        config.clients[0].secret.as_deref(),
        Some("JOT_TEST_C value")
    );
    assert_eq!(config.users, [UserSpec::new("u", "JOT_TEST_U value")]);
    // An empty environment: the variables are missing, whatever the process has.
    let err = ServeConfig::new()
        .merge_file(text, path, &|_| None)
        .unwrap_err();
    assert!(
        matches!(&err, ServeError::Config { path: p, reason }
            if p == path && reason.contains("JOT_TEST_C is not set")),
        "{err}"
    );
}

#[test]
fn config_files_give_login_clients_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jot.toml");
    let write = |text: &str| std::fs::write(&path, text).unwrap();
    write(
        "[[client]]\nid = \"spa\"\nredirect_uris = [\"http://127.0.0.1:9000/cb\"]\n\
         post_logout_redirect_uris = [\"http://127.0.0.1:9000/\"]\nscopes = [\"openid\"]\n\
         first_party = true\n\
         [[user]]\nusername = \"alice\"\npassword = \"long enough\"\nname = \"Alice\"\n\
         email = \"a@example.com\"\nemail_verified = true\n",
    );
    let config = ServeConfig::new().config_file(&path).resolve().unwrap();
    let spa = &config.clients[0];
    assert_eq!(spa.secret, None, "no secret: a public client");
    assert_eq!(spa.redirect_uris, ["http://127.0.0.1:9000/cb"]);
    assert_eq!(spa.post_logout_redirect_uris, ["http://127.0.0.1:9000/"]);
    assert!(spa.first_party);
    assert_eq!(
        config.users,
        [UserSpec::new("alice", "long enough").with_profile(
            Some("Alice".into()),
            Some("a@example.com".into()),
            true
        )]
    );
    for bad in [
        "[[user]]\nusername = \"a\"\n",
        "[[user]]\nusername = \"a\"\npassword = \"x\"\npassword_env = \"Y\"\n",
        "[[user]]\nusername = \"a\"\npassword_env = \"JOT_TEST_UNSET_VARIABLE\"\n",
        "[[user]]\nusername = \"a\"\npassword = \"x\"\nrole = \"admin\"\n",
        "[[client]]\nid = \"c\"\nsecret = \"x\"\nsecret_env = \"Y\"\n",
    ] {
        write(bad);
        assert!(
            matches!(
                ServeConfig::new().config_file(&path).resolve(),
                Err(ServeError::Config { .. })
            ),
            "{bad}"
        );
    }
}

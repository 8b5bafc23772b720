//! The provider these suites run on. `cargo xtask ci` runs them once per provider and
//! says which one each run must have (`JOT_EXPECT_PROVIDER`); a build that silently
//! fell back to another provider fails here instead of testing the wrong code.

#[test]
fn the_suites_run_on_the_provider_ci_asked_for() {
    let name = jot_algorithms::provider::NAME;
    assert!(["ring", "aws-lc-rs", "rust-crypto"].contains(&name));
    if let Ok(expected) = std::env::var("JOT_EXPECT_PROVIDER") {
        assert_eq!(
            name, expected,
            "these suites were built for another provider"
        );
    }
    println!("conformance suites on the `{name}` provider");
}

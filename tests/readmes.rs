//! The crate READMEs as a newcomer meets them on crates.io: each starts with the
//! `[dependencies]` lines it needs, at the versions the manifests declare; its Rust
//! examples show every line they run (no hidden `# ` lines, which crates.io and
//! GitHub print); its links work outside this repository; its features are listed;
//! and the axum example of the READMEs is `examples/api_server.rs` word for word.
//! (`cargo xtask examples` builds that program from jot-axum's README alone, its
//! dependency block and its Rust block, and runs it against `jot serve`.)

// Test helpers outside #[test] functions panic on purpose: a failed step fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The published library crates.
const LIBRARIES: [&str; 5] = [
    "jot-codec",
    "jot-algorithms",
    "jot-jwe",
    "jot-axum",
    "jot-issuer",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

fn read(path: impl AsRef<Path>) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn manifest(path: &str) -> toml::Table {
    read(path).parse().expect("a manifest is TOML")
}

/// The fenced blocks of a Markdown text: (info string, body).
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            out.push((info.to_owned(), body.join("\n")));
        }
    }
    out
}

/// The version requirement a dependency line gives (`"1"` or `{ version = "1" }`).
fn version_of(value: &toml::Value) -> Option<&str> {
    match value {
        toml::Value::String(v) => Some(v),
        toml::Value::Table(t) => t.get("version")?.as_str(),
        _ => None,
    }
}

#[test]
fn every_crate_readme_starts_with_its_dependency_lines() {
    let workspace = manifest("Cargo.toml");
    let version = workspace["workspace"]["package"]["version"]
        .as_str()
        .expect("the workspace has a version");
    let shared = workspace["workspace"]["dependencies"]
        .as_table()
        .expect("workspace dependencies");
    for name in LIBRARIES {
        let readme = read(format!("crates/{name}/README.md"));
        let (info, first) = blocks(&readme).into_iter().next().expect("a code block");
        assert_eq!(
            info, "toml",
            "{name}: the README's first block is its dependency lines"
        );
        let before = &readme[..readme.find("```").expect("a block")];
        assert_eq!(
            before.trim(),
            format!("# {name}"),
            "{name}: the block comes first"
        );
        let table: toml::Table = first.parse().expect("the block is TOML");
        let deps = table["dependencies"].as_table().expect("[dependencies]");
        assert_eq!(
            version_of(&deps[name]),
            Some(version),
            "{name}: the crate's own line names its exact version"
        );
        // Every other line names the version the workspace builds with.
        for (dep, value) in deps.iter().filter(|(d, _)| *d != name) {
            let expected = shared
                .get(dep)
                .and_then(version_of)
                .unwrap_or_else(|| panic!("{name}: {dep} is not a workspace dependency"));
            assert_eq!(version_of(value), Some(expected), "{name}: {dep}");
        }
    }
}

#[test]
fn crate_readmes_hide_no_lines_and_link_no_repository_paths() {
    for name in LIBRARIES {
        let readme = read(format!("crates/{name}/README.md"));
        for (info, body) in blocks(&readme) {
            if info.starts_with("rust") {
                for line in body.lines() {
                    assert!(
                        !(line == "#" || line.starts_with("# ")),
                        "{name}: a hidden doctest line shows on crates.io: {line}"
                    );
                }
            }
        }
        assert!(
            !readme.contains("](../") && !readme.contains("](./"),
            "{name}: a relative link is broken on crates.io"
        );
    }
}

/// The features a manifest declares (`default` aside).
fn features(name: &str) -> BTreeSet<String> {
    manifest(&format!("crates/{name}/Cargo.toml"))
        .get("features")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().filter(|k| *k != "default").cloned().collect())
        .unwrap_or_default()
}

#[test]
fn crate_readmes_list_their_features_and_manifests_document_them() {
    for name in LIBRARIES {
        let features = features(name);
        let readme = read(format!("crates/{name}/README.md"));
        let text = read(format!("crates/{name}/Cargo.toml"));
        for feature in &features {
            assert!(
                readme.contains(&format!("| `{feature}` |")),
                "{name}: the README's feature table lacks `{feature}`"
            );
            // `document-features` renders the `## ` comment above each feature.
            let line = text
                .lines()
                .position(|l| l.starts_with(&format!("{feature} = ")))
                .expect("the feature's line");
            let above = text.lines().nth(line - 1).unwrap_or_default();
            assert!(
                above.starts_with("## "),
                "{name}: `{feature}` has no `## ` doc comment"
            );
        }
        let lib = read(format!("crates/{name}/src/lib.rs"));
        if !features.is_empty() {
            assert!(
                lib.contains("document_features::document_features!()"),
                "{name}: its docs do not render the features"
            );
        }
        assert!(
            !lib.contains("doc_auto_cfg"),
            "{name}: doc_auto_cfg is gone from nightly"
        );
        let package = manifest(&format!("crates/{name}/Cargo.toml"));
        assert_eq!(
            package["package"]["documentation"].as_str(),
            Some(format!("https://docs.rs/{name}").as_str()),
            "{name}: the manifest links its documentation"
        );
    }
}

/// The body of the `rust` block that follows `heading` in `markdown`.
fn example_after(markdown: &str, heading: &str) -> String {
    let at = markdown
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading}"));
    blocks(&markdown[at..])
        .into_iter()
        .find(|(info, _)| info.starts_with("rust"))
        .expect("a Rust block")
        .1
}

#[test]
fn the_readme_axum_example_is_the_api_server_example() {
    let example = read("crates/jot-axum/examples/api_server.rs");
    // The file's own doc comment aside, the README shows the whole program.
    let program = example[example.find("use ").expect("a use line")..].trim_end();
    for (readme, heading) in [
        (
            "crates/jot-axum/README.md",
            "## Protect a router with a remote JWKS",
        ),
        ("README.md", "## In an axum server"),
    ] {
        assert_eq!(example_after(&read(readme), heading), program, "{readme}");
        // jot serve puts its issuer URL in `aud` unless told otherwise: the README
        // runs it with the audience the example expects.
        assert!(
            read(readme).contains("jot serve --audience my-api"),
            "{readme}"
        );
    }
    assert!(program.contains(r#".audience("my-api")"#));
}

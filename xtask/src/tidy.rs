//! Repository checks, run as part of the test suite.

use std::fs;

use anyhow::Result;

use crate::workspace_root;

#[test]
fn crates_follow_house_rules() -> Result<()> {
    let mut problems = Vec::new();
    for entry in fs::read_dir(workspace_root().join("crates"))? {
        let dir = entry?.path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !uses_workspace_lints(&fs::read_to_string(&manifest)?) {
            problems.push(format!(
                "{name}: Cargo.toml lacks `[lints] workspace = true`"
            ));
        }
        if !dir.join("README.md").is_file() {
            problems.push(format!("{name}: no README.md"));
        }
        let root = ["src/lib.rs", "src/main.rs"]
            .into_iter()
            .find(|file| dir.join(file).is_file());
        if let Some(root) = root {
            if !fs::read_to_string(dir.join(root))?.contains("#![forbid(unsafe_code)]") {
                problems.push(format!("{name}: {root} lacks `#![forbid(unsafe_code)]`"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "house rules broken:\n{}",
        problems.join("\n")
    );
    Ok(())
}

fn uses_workspace_lints(manifest: &str) -> bool {
    let mut table = "";
    manifest.lines().map(str::trim).any(|line| {
        if line.starts_with('[') {
            table = line;
            return false;
        }
        let line = line.replace(' ', "");
        (table == "[lints]" && line == "workspace=true")
            || (table.is_empty() && line == "lints.workspace=true")
    })
}

#[test]
fn workspace_lints_are_detected() {
    assert!(uses_workspace_lints(
        "[package]\nname = \"a\"\n\n[lints]\nworkspace = true\n"
    ));
    assert!(uses_workspace_lints("lints.workspace = true\n[package]\n"));
    assert!(!uses_workspace_lints("[package]\nlints.workspace = true\n"));
    assert!(!uses_workspace_lints(
        "[package]\nworkspace = true\n[lints]\n"
    ));
}

//! `cargo xtask release <major|minor|patch|VERSION> [--dry-run]`: checks that the
//! workspace can be released at the new version, then (not in a dry run) bumps it,
//! promotes the changelog's Unreleased section, commits and tags. Never publishes.
//! The public API is compared with the last release by `cargo-semver-checks`
//! ([`crate::semver`]).

use std::fs;

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

use crate::{capture, cargo, exec, git, workspace_root};

/// A semantic version `MAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(u64, u64, u64);

impl Version {
    pub(crate) fn major(self) -> u64 {
        self.0
    }

    pub(crate) fn minor(self) -> u64 {
        self.1
    }

    pub(crate) fn parse(s: &str) -> Result<Version> {
        let parts: Vec<&str> = s.trim().split('.').collect();
        ensure!(parts.len() == 3, "version {s:?} is not MAJOR.MINOR.PATCH");
        let n = |p: &str| {
            p.parse::<u64>()
                .with_context(|| format!("version {s:?}: {p:?} is not a number"))
        };
        Ok(Version(n(parts[0])?, n(parts[1])?, n(parts[2])?))
    }

    /// The version after this one for `level` (`major`, `minor`, `patch`, or an explicit
    /// version, which must be greater).
    pub(crate) fn bump(self, level: &str) -> Result<Version> {
        let Version(major, minor, patch) = self;
        let next = match level {
            "major" => Version(major + 1, 0, 0),
            "minor" => Version(major, minor + 1, 0),
            "patch" => Version(major, minor, patch + 1),
            explicit => Version::parse(explicit)?,
        };
        ensure!(
            next > self,
            "the new version {next} is not greater than {self}"
        );
        Ok(next)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let levels: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let [level] = levels.as_slice() else {
        bail!("usage: cargo xtask release <major|minor|patch|VERSION> [--dry-run]");
    };
    let root = workspace_root();
    let manifest_path = root.join("Cargo.toml");
    let manifest = fs::read_to_string(&manifest_path)?;
    let current = workspace_version(&manifest)?;
    let next = current.bump(level)?;
    eprintln!(
        "release: {current} -> {next}{}",
        if dry_run { " (dry run)" } else { "" }
    );

    let dirty = capture(git(&["status", "--porcelain"]).current_dir(root))?;
    match (dirty.trim().is_empty(), dry_run) {
        (true, _) => eprintln!("release: working tree clean"),
        (false, true) => {
            eprintln!("release: working tree NOT clean (a real release would stop here)")
        }
        (false, false) => bail!("the working tree has uncommitted changes:\n{dirty}"),
    }

    let changelog =
        fs::read_to_string(root.join("CHANGELOG.md")).context("reading CHANGELOG.md")?;
    let promote = check_changelog(&changelog, next)?;
    eprintln!(
        "release: CHANGELOG.md {}",
        if promote {
            "Unreleased section will be promoted"
        } else {
            "has the section"
        }
    );

    let metadata: Value = serde_json::from_str(&capture(&mut cargo(&[
        "metadata",
        "--no-deps",
        "--format-version",
        "1",
    ]))?)?;
    let crates = publishable(&metadata);
    ensure!(!crates.is_empty(), "no publishable crate found");
    let problems = check_metadata(&metadata, &current.to_string());
    ensure!(
        problems.is_empty(),
        "crate metadata is incomplete:\n  {}",
        problems.join("\n  ")
    );
    eprintln!("release: metadata complete for {}", crates.join(", "));
    crate::semver::check(&crates, current, next)?;

    let mut package = vec!["package", "--no-verify"];
    if dry_run {
        package.push("--allow-dirty");
    }
    for name in &crates {
        package.extend(["-p", name]);
    }
    exec(&mut cargo(&package))?;

    if dry_run {
        eprintln!(
            "release: dry run passed; `cargo xtask ci` runs this dry run itself, so it was not run again"
        );
        return Ok(());
    }
    crate::ci::run()?;
    fs::write(&manifest_path, set_versions(&manifest, current, next)?)?;
    if promote {
        fs::write(
            root.join("CHANGELOG.md"),
            promote_unreleased(&changelog, next, &today()?),
        )?;
    }
    exec(cargo(&["metadata", "--format-version", "1"]).stdout(std::process::Stdio::null()))?;
    exec(git(&["commit", "-am", &format!("Release {next}")]).current_dir(root))?;
    exec(git(&["tag", &format!("v{next}")]).current_dir(root))?;
    eprintln!("release: committed and tagged v{next}; publish with `cargo publish` when ready");
    Ok(())
}

/// The `version` of `[workspace.package]`.
pub(crate) fn workspace_version(manifest: &str) -> Result<Version> {
    let section = manifest
        .find("[workspace.package]")
        .context("no [workspace.package] in Cargo.toml")?;
    let line = manifest[section..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .find(|l| l.trim_start().starts_with("version"))
        .context("no version in [workspace.package]")?;
    Version::parse(line.split('"').nth(1).context("version is not a string")?)
}

/// Rewrites the workspace version and the `version = "..."` of every internal
/// (`path = "crates/...`) dependency from `current` to `next`.
pub(crate) fn set_versions(manifest: &str, current: Version, next: Version) -> Result<String> {
    let (old, new) = (
        format!("version = \"{current}\""),
        format!("version = \"{next}\""),
    );
    let mut out = String::with_capacity(manifest.len());
    let mut in_package = false;
    let mut changed = 0;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_package = line.trim() == "[workspace.package]";
        }
        let internal = line.contains("path = \"crates/");
        if (in_package && line.trim() == old) || (internal && line.contains(&old)) {
            out.push_str(&line.replace(&old, &new));
            changed += 1;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    ensure!(changed > 0, "no version line to change");
    Ok(out)
}

/// True when the Unreleased section will become `next`; false when `next` already has
/// a section; an error when neither (Keep a Changelog format).
pub(crate) fn check_changelog(changelog: &str, next: Version) -> Result<bool> {
    if changelog
        .lines()
        .any(|l| l.starts_with(&format!("## [{next}]")))
    {
        return Ok(false);
    }
    let Some(start) = changelog.find("## [Unreleased]") else {
        bail!("CHANGELOG.md has no section for {next} and no Unreleased section");
    };
    let body = &changelog[start + "## [Unreleased]".len()..];
    let body = body.split("\n## [").next().unwrap_or_default();
    ensure!(
        body.lines().any(|l| l.trim_start().starts_with("- ")),
        "CHANGELOG.md: the Unreleased section is empty; say what {next} changes"
    );
    Ok(true)
}

/// Renames the Unreleased section to `next` and opens a new, empty Unreleased.
pub(crate) fn promote_unreleased(changelog: &str, next: Version, date: &str) -> String {
    changelog.replacen(
        "## [Unreleased]",
        &format!("## [Unreleased]\n\n## [{next}] - {date}"),
        1,
    )
}

fn today() -> Result<String> {
    Ok(capture(
        std::process::Command::new("date")
            .arg("-u")
            .arg("+%Y-%m-%d"),
    )?
    .trim()
    .to_owned())
}

fn publishable(metadata: &Value) -> Vec<String> {
    packages(metadata)
        .filter(|p| !p["publish"].as_array().is_some_and(Vec::is_empty))
        .filter_map(|p| p["name"].as_str().map(String::from))
        .collect()
}

fn packages(metadata: &Value) -> impl Iterator<Item = &Value> {
    metadata["packages"].as_array().into_iter().flatten()
}

/// Everything crates.io and docs.rs want, and internal dependencies at `version`.
pub(crate) fn check_metadata(metadata: &Value, version: &str) -> Vec<String> {
    let names: Vec<&str> = packages(metadata)
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut problems = Vec::new();
    for p in packages(metadata).filter(|p| !p["publish"].as_array().is_some_and(Vec::is_empty)) {
        let name = p["name"].as_str().unwrap_or("?");
        for field in [
            "description",
            "license",
            "repository",
            "readme",
            "rust_version",
        ] {
            if p[field].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{name}: no {field}"));
            }
        }
        for field in ["keywords", "categories"] {
            if p[field].as_array().is_none_or(Vec::is_empty) {
                problems.push(format!("{name}: no {field}"));
            }
        }
        if p["metadata"]["docs"]["rs"].is_null() {
            problems.push(format!("{name}: no [package.metadata.docs.rs]"));
        }
        if p["version"].as_str() != Some(version) {
            problems.push(format!(
                "{name}: version {} is not the workspace version {version}",
                p["version"]
            ));
        }
        for dep in p["dependencies"].as_array().into_iter().flatten() {
            let dep_name = dep["name"].as_str().unwrap_or_default();
            if names.contains(&dep_name)
                && dep["kind"].is_null()
                && dep["req"].as_str() != Some(&format!("^{version}"))
            {
                problems.push(format!(
                    "{name}: depends on {dep_name} {} instead of ^{version}",
                    dep["req"]
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps() {
        let v = Version::parse("1.4.2").unwrap();
        assert_eq!(v.bump("patch").unwrap(), Version(1, 4, 3));
        assert_eq!(v.bump("minor").unwrap(), Version(1, 5, 0));
        assert_eq!(v.bump("major").unwrap(), Version(2, 0, 0));
        assert_eq!(v.bump("1.10.0").unwrap(), Version(1, 10, 0));
        assert!(v.bump("1.4.2").is_err());
        assert!(v.bump("1.3.9").is_err());
        assert!(v.bump("banana").is_err());
        assert!(Version::parse("1.2").is_err());
        assert_eq!(Version(0, 1, 0).to_string(), "0.1.0");
    }

    #[test]
    fn rewrites_workspace_and_internal_versions_only() {
        let manifest = "[workspace.package]\nversion = \"0.1.0\"\n\n[workspace.dependencies]\njot-codec = { path = \"crates/jot-codec\", version = \"0.1.0\" }\nserde = { version = \"0.1.0\" }\n";
        let out = set_versions(manifest, Version(0, 1, 0), Version(0, 2, 0)).unwrap();
        assert!(out.contains("[workspace.package]\nversion = \"0.2.0\""));
        assert!(out.contains("jot-codec = { path = \"crates/jot-codec\", version = \"0.2.0\" }"));
        assert!(out.contains("serde = { version = \"0.1.0\" }"));
        assert_eq!(workspace_version(&out).unwrap(), Version(0, 2, 0));
    }

    #[test]
    fn changelog_rules() {
        let v = Version(0, 2, 0);
        let with_section = "# Changelog\n\n## [0.2.0] - 2026-01-01\n- x\n";
        assert!(!check_changelog(with_section, v).unwrap());
        let unreleased = "# Changelog\n\n## [Unreleased]\n### Added\n- a thing\n\n## [0.1.0] - 2025-01-01\n- y\n";
        assert!(check_changelog(unreleased, v).unwrap());
        let empty = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2025-01-01\n- y\n";
        assert!(check_changelog(empty, v).is_err());
        assert!(check_changelog("# Changelog\n", v).is_err());
        let promoted = promote_unreleased(unreleased, v, "2026-11-29");
        assert!(
            promoted.contains("## [Unreleased]\n\n## [0.2.0] - 2026-11-29\n### Added\n- a thing")
        );
        assert!(!check_changelog(&promoted, v).unwrap());
    }

    #[test]
    fn metadata_problems_are_named() {
        let meta: Value = serde_json::json!({"packages": [
            {"name": "a", "version": "0.1.0", "publish": null, "description": "d", "license": "MIT",
             "repository": "r", "readme": "README.md", "rust_version": "1.85", "keywords": ["k"],
             "categories": ["c"], "metadata": {"docs": {"rs": {}}},
             "dependencies": [{"name": "b", "req": "^0.0.9", "kind": null}]},
            {"name": "b", "version": "0.1.0", "publish": [], "dependencies": []}
        ]});
        assert_eq!(
            check_metadata(&meta, "0.1.0"),
            ["a: depends on b \"^0.0.9\" instead of ^0.1.0"]
        );
        assert_eq!(publishable(&meta), ["a"]);
    }
}

//! Golden outputs: each case of `tests/golden/` is built with the real binary and its `out/` is
//! compared, file by file and byte for byte, with the case's `expected/`. A missing file, an
//! extra one and a stale expected file all fail. `LIVRET_BLESS=1` writes the outputs as the new
//! expected ones (see tests/golden/README.md).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::*;

/// The cases: the guide (the repository's own project) and the fixture projects.
fn cases() -> Vec<(String, PathBuf)> {
    let golden = repo().join("tests/golden");
    let mut cases = Vec::new();
    for entry in fs::read_dir(&golden).expect("tests/golden") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let project = if name == "guide" { repo() } else { dir.clone() };
        assert!(
            project.join("livret.toml").is_file(),
            "tests/golden/{name} has no livret.toml"
        );
        cases.push((name, project));
    }
    cases.sort();
    cases
}

/// Builds a case into a temporary folder (kept while the first value lives): its `out/`.
fn build(project: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    livret_ok(
        tmp.path(),
        &[
            "build",
            "--root",
            project.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    (tmp, out)
}

/// Every file under `dir`, as relative paths; the theme's static files (fonts, scripts, the
/// favicon), copied as they are, are left out: the manifest names them (see README).
fn files(dir: &Path) -> BTreeSet<String> {
    let theme_static = repo().join("themes/default/static");
    let mut out = BTreeSet::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy();
            let rel = rel.replace('\\', "/");
            if !theme_static.join(&rel).is_file() {
                out.insert(rel);
            }
        }
    }
    out
}

#[test]
fn every_case_builds_exactly_its_expected_output() {
    let cases = cases();
    assert!(cases.len() >= 4, "golden cases: {cases:?}");
    let bless = std::env::var_os("LIVRET_BLESS").is_some_and(|v| v == "1");
    let mut problems = Vec::new();
    for (name, project) in &cases {
        let (_tmp, out) = build(project);
        let expected = repo().join("tests/golden").join(name).join("expected");
        if bless {
            let _ = fs::remove_dir_all(&expected);
            for rel in files(&out) {
                let to = expected.join(&rel);
                fs::create_dir_all(to.parent().unwrap()).unwrap();
                fs::copy(out.join(&rel), to).unwrap();
            }
            continue;
        }
        let built = files(&out);
        let wanted = files(&expected);
        assert!(
            !wanted.is_empty(),
            "tests/golden/{name}/expected is empty: bless it"
        );
        for rel in wanted.difference(&built) {
            problems.push(format!(
                "{name}: expected/{rel} is no longer written (stale)"
            ));
        }
        for rel in built.difference(&wanted) {
            problems.push(format!("{name}: {rel} is written but not in expected/"));
        }
        for rel in built.intersection(&wanted) {
            let a = fs::read(out.join(rel)).unwrap();
            let b = fs::read(expected.join(rel)).unwrap();
            if a != b {
                let line = a
                    .split(|&c| c == b'\n')
                    .zip(b.split(|&c| c == b'\n'))
                    .position(|(x, y)| x != y)
                    .map_or(0, |l| l + 1);
                problems.push(format!(
                    "{name}: {rel} differs from expected/ (line {line})"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "golden outputs differ (if intended, re-bless with LIVRET_BLESS=1):\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_changed_output_is_caught() {
    // The comparison itself: one changed byte in a built page is a difference.
    let (_, project) = cases()
        .into_iter()
        .find(|(n, _)| n == "pages-only")
        .expect("pages-only case");
    let (_tmp, out) = build(&project);
    let expected = repo().join("tests/golden/pages-only/expected/recit.html");
    let mut built = fs::read(out.join("recit.html")).unwrap();
    assert_eq!(built, fs::read(&expected).unwrap());
    built[10] ^= 1;
    assert_ne!(built, fs::read(&expected).unwrap());
}

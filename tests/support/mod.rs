//! Shared test support: the real `livret` binary, throw-away copies of projects, HTML parsing,
//! and Chromium discovery with one browser at a time across all test binaries.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (holds the real guide).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The compiled `livret` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_livret"))
}

/// Runs `livret ARGS` in `dir`.
pub fn livret(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("LIVRET_CHROMIUM")
        // Messages follow livret.toml's lang, else the locale: tests choose theirs.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .output()
        .expect("run livret")
}

/// Like `livret`, and asserts success.
pub fn livret_ok(dir: &Path, args: &[&str]) -> Output {
    let out = livret(dir, args);
    assert!(
        out.status.success(),
        "livret {args:?} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A temporary copy of the real guide (livret.toml, fiches/, themes/).
pub fn guide_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&repo().join("fiches"), &dir.path().join("fiches"));
    copy_dir(&repo().join("themes"), &dir.path().join("themes"));
    fs::copy(repo().join("livret.toml"), dir.path().join("livret.toml")).expect("copy config");
    dir
}

/// A temporary project made of the given `(relative path, content)` files.
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    dir
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Reads and parses an HTML file.
pub fn html(path: &Path) -> scraper::Html {
    scraper::Html::parse_document(
        &fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
}

/// Text of every element matching `selector`.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Values of `attr` on every element matching `selector`.
pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// A hash of every file under `dir` (path and bytes), to prove a folder did not change.
pub fn tree_hash(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    if !dir.exists() {
        return all;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = if entry.file_type().is_file() {
            fs::read(entry.path()).unwrap()
        } else {
            Vec::new()
        };
        all.push((rel, bytes));
    }
    all
}

/// The Chromium to test with, or `None` to skip locally. Under `CI=true` a missing Chromium
/// fails the test: browser tests never skip in CI.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| which(name));
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but no Chromium on PATH: .ci/run must install it");
        }
        eprintln!("skipping: no Chromium on PATH (apt-get install chromium)");
    }
    found
}

/// A tool on PATH, with the same CI rule as `chromium`.
pub fn require_tool(name: &str, install_hint: &str) -> Option<PathBuf> {
    let found = which(name);
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but `{name}` is missing: {install_hint}");
        }
        eprintln!("skipping: `{name}` not found ({install_hint})");
    }
    found
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// Holds a machine-wide lock so that only one test at a time drives a browser (two cores).
pub struct BrowserLock(fs::File);

pub fn browser_lock() -> BrowserLock {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(std::env::temp_dir().join("livret-browser-tests.lock"))
        .expect("lock file");
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own; released when the file is closed.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(rc, 0, "flock failed");
    BrowserLock(file)
}

/// A page of a PDF rendered at `dpi` by pdftoppm (its CropBox): width, height, RGB bytes.
pub fn render_page(pdf: &Path, page: usize, dpi: u32) -> (usize, usize, Vec<u8>) {
    let p = page.to_string();
    let out = Command::new("pdftoppm")
        .args(["-r", &dpi.to_string(), "-f", &p, "-l", &p])
        .arg(pdf)
        .output()
        .expect("run pdftoppm");
    let ppm = out.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !ppm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[start..at]).into_owned());
    }
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, ppm[at + 1..].to_vec())
}

/// One RGB pixel of a page rendered at 72 dpi (one pixel a point), `fx`, `fy` as fractions
/// of its width and height.
pub fn pixel(pdf: &Path, page: usize, fx: f64, fy: f64) -> (u8, u8, u8) {
    let (w, h, rgb) = render_page(pdf, page, 72);
    let (x, y) = (
        ((w - 1) as f64 * fx) as usize,
        ((h - 1) as f64 * fy) as usize,
    );
    let i = (y * w + x) * 3;
    (rgb[i], rgb[i + 1], rgb[i + 2])
}

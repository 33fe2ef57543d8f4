//! Robustness and safety: nothing lost, nothing injected, never a panic.
//!
//! - `bad_input_corpus` runs every case of `tests/bad/<case>/` (a tiny project and its
//!   `expected.txt`) against a project whose `out/` holds a good build: exit code 1, the
//!   expected diagnostic naming the file, no panic, `out/` byte for byte unchanged.
//! - The `out_*` tests cover the `--out` refusals, the files livret keeps, and builds that fail
//!   or are killed halfway.
//! - The `escaping_*` and `urls_*` tests cover HTML escaping and URL schemes end to end.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::*;

/// The good project every corpus case starts from (and breaks).
const GOOD: &[(&str, &str)] = &[
    ("livret.toml", "title = \"Guide\"\n"),
    ("fiches/10-p/_part.toml", "title = \"Partie\"\n"),
    (
        "fiches/10-p/01-x.toml",
        "title = \"Fiche\"\nsummary = \"Texte.\"\n",
    ),
];

/// Cases whose bad input cannot live in git (binary, huge, special files) and is made here.
const GENERATED: &[&str] = &[
    "deep-nesting-toml",
    "invalid-utf8",
    "invalid-utf8-config",
    "too-large",
    "too-large-config",
    "non-utf8-file-name",
    "non-utf8-folder-name",
    "unreadable-file",
    "unreadable-folder",
    "fifo",
    "symlink-fiche",
    "symlink-fiches-outside",
    "symlink-theme-static",
    "symlink-theme-outside",
];

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// How a case runs livret: as the current user, or as `nobody` (when root, whom file
/// permissions do not stop, must meet an unreadable file).
#[derive(Clone, Copy, PartialEq)]
enum As {
    Me,
    Nobody,
}

const NOBODY: u32 = 65534;

/// Runs `livret ARGS` in `dir`, with extra environment variables.
fn run(dir: &Path, args: &[&str], who: As, env: &[(&str, &str)]) -> Output {
    let program = match who {
        As::Me => bin(),
        // `nobody` may not be allowed into the folder the tests were built in: run a copy
        // from the case's own temporary folder (which belongs to nobody by then).
        As::Nobody => {
            let copy = dir.parent().unwrap().join("livret");
            fs::copy(bin(), &copy).unwrap();
            chmod(&copy, 0o755);
            copy
        }
    };
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("LIVRET_CHROMIUM");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if who == As::Nobody {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(NOBODY) != 0
                    || libc::setuid(NOBODY) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    cmd.output().expect("run livret")
}

fn write_bytes(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn chown_all(dir: &Path, uid: u32) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        std::os::unix::fs::lchown(entry.path(), Some(uid), Some(uid)).unwrap();
    }
}

/// Non-UTF-8 bytes as a file name.
fn raw_name(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// Makes the part of a case that cannot be stored in git. Returns who must run the build.
fn generate(case: &str, project: &Path, outside: &Path) -> As {
    let fiche = |rel: &str, bytes: &[u8]| write_bytes(project, rel, bytes);
    match case {
        "deep-nesting-toml" => {
            let depth = 100_000;
            let text = format!(
                "title = \"Fiche\"\nfigures = {}{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            fiche("fiches/10-p/01-x.toml", text.as_bytes());
        }
        "invalid-utf8" => fiche(
            "fiches/10-p/01-x.toml",
            b"title = \"Fiche\"\nsummary = \"Caf\xe9 noir\"\n",
        ),
        "invalid-utf8-config" => fiche(
            "livret.toml",
            b"title = \"Guide\"\npublisher = \"Soci\xe9t\xe9\"\n",
        ),
        "too-large" | "too-large-config" => {
            let mut text = b"title = \"Grand\"\ndescription = \"\"\"\n".to_vec();
            text.resize(10 * 1024 * 1024, b'a');
            text.extend_from_slice(b"\n\"\"\"\n");
            if case == "too-large" {
                let text = [b"kind = \"page\"\n".as_slice(), &text].concat();
                fiche("fiches/10-p/01-x.toml", &text);
            } else {
                fiche("livret.toml", &text);
            }
        }
        "non-utf8-file-name" => {
            let name = raw_name(b"02-caf\xe9.toml");
            fs::write(project.join("fiches/10-p").join(name), "title = \"Café\"\n").unwrap();
        }
        "non-utf8-folder-name" => {
            // Sorts before 10-p: its files must not be taken for the files of a part.
            let dir = project.join("fiches").join(raw_name(b"05-\xe9t\xe9"));
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("_part.toml"), "title = \"Été\"\n").unwrap();
            fs::write(dir.join("01-y.toml"), "title = \"Soleil\"\n").unwrap();
        }
        "unreadable-file" => {
            let path = project.join("fiches/10-p/01-x.toml");
            fs::write(&path, "title = \"Secret\"\n").unwrap();
            chmod(&path, 0o000);
            return if is_root() { As::Nobody } else { As::Me };
        }
        "unreadable-folder" => {
            let dir = project.join("fiches/20-q");
            fs::create_dir_all(&dir).unwrap();
            fs::write(dir.join("_part.toml"), "title = \"Cachée\"\n").unwrap();
            fs::write(dir.join("01-y.toml"), "title = \"Cachée\"\n").unwrap();
            chmod(&dir, 0o000);
            return if is_root() { As::Nobody } else { As::Me };
        }
        "fifo" => {
            let path = std::ffi::CString::new(
                project
                    .join("fiches/10-p/02-y.toml")
                    .to_str()
                    .unwrap()
                    .as_bytes(),
            )
            .unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
        }
        "symlink-fiche" => {
            fs::write(outside.join("secret.toml"), "title = \"Secret\"\n").unwrap();
            std::os::unix::fs::symlink(
                outside.join("secret.toml"),
                project.join("fiches/10-p/02-y.toml"),
            )
            .unwrap();
        }
        "symlink-fiches-outside" => {
            write(outside, "fiches/10-p/_part.toml", "title = \"Ailleurs\"\n");
            write(outside, "fiches/10-p/01-x.toml", "title = \"Ailleurs\"\n");
            let _ = fs::remove_dir_all(project.join("fiches"));
            std::os::unix::fs::symlink(outside.join("fiches"), project.join("fiches")).unwrap();
        }
        "symlink-theme-static" => {
            fs::write(outside.join("id_rsa"), "PRIVATE KEY").unwrap();
            fs::create_dir_all(project.join("themes/default/static")).unwrap();
            std::os::unix::fs::symlink(
                outside.join("id_rsa"),
                project.join("themes/default/static/cle.txt"),
            )
            .unwrap();
        }
        "symlink-theme-outside" => {
            write(outside, "theme/static/id_rsa", "PRIVATE KEY");
            fs::create_dir_all(project.join("themes")).unwrap();
            std::os::unix::fs::symlink(outside.join("theme"), project.join("themes/lien")).unwrap();
        }
        _ => {}
    }
    As::Me
}

/// Every case folder of `tests/bad/`, sorted.
fn corpus() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(repo().join("tests/bad"))
        .expect("tests/bad")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Runs one corpus case; returns what went wrong, if anything.
fn run_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_str().unwrap();
    let expected = fs::read_to_string(case.join("expected.txt"))
        .map_err(|e| format!("{name}: no expected.txt: {e}"))?;
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    let first = *expected
        .first()
        .ok_or_else(|| format!("{name}: empty expected.txt"))?;
    // The first line starts with the file it names: `fiches/10-p/01-x.toml:3:1: error: …`.
    let file = first
        .split_once(':')
        .map(|(f, _)| f)
        .filter(|f| !f.is_empty() && !f.contains(' '))
        .ok_or_else(|| format!("{name}: expected.txt must start with the file's path"))?;

    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let outside = tmp.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    for (rel, text) in GOOD {
        write(&project, rel, text);
    }
    livret_ok(&project, &["build"]);
    let out_dir = project.join("out");
    let before = tree_hash(&out_dir);
    if before.len() < 5 {
        return Err(format!("{name}: the good build wrote almost nothing"));
    }

    // Swap the bad input in.
    for old in ["livret.toml", "fiches", "themes"] {
        let path = project.join(old);
        if path.is_dir() {
            fs::remove_dir_all(&path).unwrap();
        } else if path.exists() {
            fs::remove_file(&path).unwrap();
        }
    }
    for entry in walkdir::WalkDir::new(case).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(case).unwrap();
        if rel == Path::new("expected.txt") {
            continue;
        }
        if entry.file_type().is_dir() {
            fs::create_dir_all(project.join(rel)).unwrap();
        } else {
            fs::copy(entry.path(), project.join(rel)).unwrap();
        }
    }
    let who = generate(name, &project, &outside);
    if who == As::Nobody {
        chown_all(tmp.path(), NOBODY);
    }

    let started = std::time::Instant::now();
    let output = run(&project, &["build"], who, &[]);
    let elapsed = started.elapsed();
    let stderr = stderr(&output);

    // Let the temporary folder be cleaned whatever the case did to permissions.
    for entry in walkdir::WalkDir::new(tmp.path()).into_iter().flatten() {
        if entry.file_type().is_dir() {
            let _ = fs::set_permissions(entry.path(), fs::Permissions::from_mode(0o755));
        }
    }

    let mut problems = Vec::new();
    if output.status.code() != Some(1) {
        problems.push(format!("exit code {:?}, expected 1", output.status.code()));
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("a panic".to_string());
    }
    if !stderr.contains(file) {
        problems.push(format!("stderr does not name {file}"));
    }
    for line in &expected {
        if !stderr.contains(line) {
            problems.push(format!("stderr lacks `{line}`"));
        }
    }
    if !stderr.contains("help: ") && !stderr.contains("livret: error: ") {
        problems.push("no help line".to_string());
    }
    if tree_hash(&out_dir) != before {
        problems.push("out/ changed".to_string());
    }
    if project.join(".out.livret-tmp").exists() {
        problems.push("a staging folder was left behind".to_string());
    }
    if elapsed.as_secs() > 20 {
        problems.push(format!("took {elapsed:?}"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: {}\n--- stderr (first 2000 bytes) ---\n{}",
            problems.join("; "),
            stderr.chars().take(2000).collect::<String>()
        ))
    }
}

#[test]
fn bad_input_corpus() {
    let cases = corpus();
    assert!(
        cases.len() >= 30,
        "the corpus must hold at least 30 cases, found {}",
        cases.len()
    );
    for name in GENERATED {
        assert!(
            cases.iter().any(|c| c.ends_with(name)),
            "generated case {name} has no folder in tests/bad/"
        );
    }
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Rewrites every `.toml` of a project with `f`.
fn rewrite_toml(root: &Path, f: impl Fn(&str) -> Vec<u8>) -> usize {
    let mut count = 0;
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        let path = entry.path();
        let in_theme = path
            .strip_prefix(root)
            .is_ok_and(|p| p.starts_with("themes"));
        if path.extension().is_some_and(|e| e == "toml") && !in_theme {
            let text = fs::read_to_string(path).unwrap();
            fs::write(path, f(&text)).unwrap();
            count += 1;
        }
    }
    count
}

/// CRLF line endings (a fork edited on Windows) build the very same site as LF.
#[test]
fn crlf_builds_like_lf() {
    let lf = guide_copy();
    livret_ok(lf.path(), &["build"]);
    let crlf = guide_copy();
    let files = rewrite_toml(crlf.path(), |t| t.replace('\n', "\r\n").into_bytes());
    assert!(files > 10);
    livret_ok(crlf.path(), &["build"]);
    let (a, b) = (
        tree_hash(&lf.path().join("out")),
        tree_hash(&crlf.path().join("out")),
    );
    assert!(a.len() > 20);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert!(x.1 == y.1, "{} differs between LF and CRLF sources", x.0);
    }
    // Errors in a CRLF file are located as in an LF one, and the excerpt has no stray \r.
    write(
        crlf.path(),
        "fiches/10-repenser/01-riace.toml",
        "title = \"R\"\r\nsumary = \"x\"\r\n",
    );
    let result = livret(crlf.path(), &["build"]);
    let err = stderr(&result);
    assert!(
        err.contains("fiches/10-repenser/01-riace.toml:2:1: erreur : clé inconnue `sumary`"),
        "{err}"
    );
    assert!(!err.contains('\r'), "{err:?}");
}

/// A byte-order mark at the start of every file (some Windows editors add one) is accepted
/// and ignored: the site is the same as without.
#[test]
fn bom_is_accepted_and_ignored() {
    let plain = guide_copy();
    livret_ok(plain.path(), &["build"]);
    let bom = guide_copy();
    let files = rewrite_toml(bom.path(), |t| {
        [b"\xEF\xBB\xBF".as_slice(), t.as_bytes()].concat()
    });
    assert!(files > 10);
    livret_ok(bom.path(), &["build"]);
    assert!(tree_hash(&plain.path().join("out")) == tree_hash(&bom.path().join("out")));
}

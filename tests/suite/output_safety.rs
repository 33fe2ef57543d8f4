//! Output safety: livret writes only into `out/`, only what it owns, and a build that
//! fails — a bad template, a write error, a full disk, a kill — leaves the previous `out/`
//! exactly as it was.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

const GOOD: &[(&str, &str)] = &[
    ("livret.toml", "title = \"Guide\"\n"),
    ("fiches/10-p/_part.toml", "title = \"Partie\"\n"),
    (
        "fiches/10-p/01-x.toml",
        "title = \"Fiche\"\nsummary = \"Texte.\"\n",
    ),
    (
        "fiches/10-p/02-y.toml",
        "title = \"Autre\"\nsummary = \"Texte.\"\n",
    ),
];

fn good_project() -> tempfile::TempDir {
    project(GOOD)
}

/// The good project in `p/` inside a temporary folder, leaving room around it.
fn good_project_in_subfolder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("p");
    for (rel, text) in GOOD {
        write(&root, rel, text);
    }
    (tmp, root)
}

/// `livret ARGS` in `dir` with a chosen `$HOME`.
fn livret_home(dir: &Path, args: &[&str], home: &Path) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("HOME", home)
        .output()
        .expect("run livret")
}

fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "expected a usage error:\n{err}");
    assert!(err.contains(needle), "stderr lacks `{needle}`:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Every `--out` that could hold the user's work is refused, and nothing is written anywhere.
#[test]
fn out_refuses_protected_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let root = home.join("livres/guide");
    for (rel, text) in GOOD {
        write(&root, rel, text);
    }
    fs::create_dir_all(root.join("themes/default")).unwrap();
    fs::create_dir_all(root.join("src")).unwrap();
    let before = tree_hash(tmp.path());
    let cases: &[(&str, &str)] = &[
        (".", "it is the project folder"),
        ("fiches", "it is the fiches folder"),
        ("fiches/10-p", "it is inside the fiches folder"),
        ("themes", "it is the themes folder"),
        ("themes/default/static", "it is inside the themes folder"),
        ("src", "it is the source folder"),
        ("..", "it contains the project folder"),
        ("../../..", "it contains the project folder"),
        ("/", "it is the file-system root"),
        ("fiches/../fiches", "it is the fiches folder"),
    ];
    for (out, needle) in cases {
        let result = livret_home(&root, &["build", "--out", out], &home);
        assert_refused(&result, needle);
        let result = livret_home(&root, &["build", "--force", "--out", out], &home);
        assert_refused(&result, needle);
    }
    // The home folder itself, and an ancestor of it (through an absolute path).
    let result = livret_home(&root, &["build", "--out", home.to_str().unwrap()], &home);
    assert_refused(&result, "it is your home folder");
    let result = livret_home(
        &root,
        &["build", "--out", tmp.path().to_str().unwrap()],
        &home,
    );
    assert_refused(&result, "it contains the project folder");
    // A symbolic link does not disguise a protected folder.
    std::os::unix::fs::symlink(root.join("fiches"), tmp.path().join("lien")).unwrap();
    let result = livret_home(&root, &["build", "--out", "../../../lien"], &home);
    assert_refused(&result, "it is the fiches folder");
    fs::remove_file(tmp.path().join("lien")).unwrap();
    let result = livret_home(&root, &["build", "--out", ""], &home);
    assert_refused(&result, "--out"); // clap: a value is required
    // A file is not a folder.
    assert_eq!(
        tree_hash(tmp.path()),
        before,
        "a refused build wrote something"
    );
    let result = livret_home(&root, &["build", "--out", "livret.toml"], &home);
    assert_refused(&result, "exists and is not a folder");
    assert_eq!(
        tree_hash(tmp.path()),
        before,
        "a refused build wrote something"
    );
}

/// A non-empty folder without livret's manifest is refused; `--force` writes into it and keeps
/// every file that was there.
#[test]
fn out_refuses_a_foreign_folder_unless_forced() {
    let dir = good_project();
    let site = dir.path().join("site");
    write(&site, "index.php", "<?php echo 1;");
    write(&site, "docs/manuel.pdf", "PDF");
    let before = tree_hash(&site);
    let result = livret(dir.path(), &["build", "--out", "site"]);
    assert_refused(&result, "is not empty and was not written by livret");
    assert_eq!(tree_hash(&site), before);

    livret_ok(dir.path(), &["build", "--out", "site", "--force"]);
    assert_eq!(
        fs::read_to_string(site.join("index.php")).unwrap(),
        "<?php echo 1;"
    );
    assert_eq!(
        fs::read_to_string(site.join("docs/manuel.pdf")).unwrap(),
        "PDF"
    );
    assert!(site.join("x.html").is_file() && site.join(".livret-manifest").is_file());
    // Now it has a manifest: a rebuild needs no --force, and still keeps the user's files.
    livret_ok(dir.path(), &["build", "--out", "site"]);
    assert!(site.join("index.php").is_file() && site.join("docs/manuel.pdf").is_file());
    let manifest = fs::read_to_string(site.join(".livret-manifest")).unwrap();
    assert!(!manifest.contains("index.php") && manifest.contains("x.html"));
    // An empty folder needs no --force.
    fs::create_dir_all(dir.path().join("vide")).unwrap();
    livret_ok(dir.path(), &["build", "--out", "vide"]);
    // A file of the user where livret needs to write is never overwritten without --force.
    fs::remove_file(site.join("y.html")).unwrap();
    write(&site, "y.html", "ma page");
    let mut manifest_lines: Vec<&str> = manifest.lines().filter(|l| *l != "y.html").collect();
    manifest_lines.push("");
    fs::write(site.join(".livret-manifest"), manifest_lines.join("\n")).unwrap();
    let before = tree_hash(&site);
    let result = livret(dir.path(), &["build", "--out", "site"]);
    assert_refused(&result, "y.html exists and was not written by livret");
    assert_eq!(tree_hash(&site), before);
}

/// The user's dotfiles and other files in `out/` survive every rebuild; a removed fiche's page
/// disappears; folders livret did not create stay.
#[test]
fn out_keeps_the_users_files_and_drops_stale_pages() {
    let dir = good_project();
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    assert!(out.join("y.html").is_file());
    let mine: &[(&str, &str)] = &[
        (".git/HEAD", "ref: refs/heads/gh-pages\n"),
        (".git/objects/ab/cdef", "blob"),
        (".nojekyll", ""),
        ("CNAME", "guide.example.org\n"),
        (".well-known/security.txt", "Contact: mailto:a@b.org\n"),
        ("robots.txt", "User-agent: *\n"),
        ("fonts/ma-police.woff2", "woff2"),
    ];
    for (rel, text) in mine {
        write(&out, rel, text);
    }
    fs::create_dir_all(out.join("vide")).unwrap();

    // Rebuild, then remove a fiche and rebuild.
    livret_ok(dir.path(), &["build"]);
    fs::remove_file(dir.path().join("fiches/10-p/02-y.toml")).unwrap();
    livret_ok(dir.path(), &["build"]);
    assert!(
        !out.join("y.html").exists(),
        "the removed fiche's page is still published"
    );
    assert!(out.join("x.html").is_file());
    for (rel, text) in mine {
        assert_eq!(
            fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}")),
            *text,
            "{rel} changed"
        );
    }
    assert!(
        out.join("vide").is_dir(),
        "an empty folder of the user was removed"
    );
    let manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    assert!(!manifest.contains("y.html") && !manifest.contains("CNAME"));
    assert!(!dir.path().join(".out.livret-tmp").exists());
}

/// When `out/` holds only livret's files, the new site replaces it in one step (a new folder);
/// with files of the user in it, the folder stays and files are moved in one by one.
#[test]
fn out_is_swapped_whole_when_it_holds_only_livrets_files() {
    let dir = good_project();
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    fs::set_permissions(&out, fs::Permissions::from_mode(0o750)).unwrap();
    let first = fs::metadata(&out).unwrap().ino();
    livret_ok(dir.path(), &["build"]);
    let second = fs::metadata(&out).unwrap();
    assert_ne!(second.ino(), first, "out/ was not swapped");
    assert_eq!(
        second.mode() & 0o777,
        0o750,
        "the swap lost out/'s permissions"
    );
    assert!(
        !dir.path().join(".out.livret-tmp").exists(),
        "the old site was left behind"
    );

    write(&out, "CNAME", "guide.example.org\n");
    livret_ok(dir.path(), &["build"]);
    assert_eq!(fs::metadata(&out).unwrap().ino(), second.ino());
    assert!(out.join("CNAME").is_file());

    // Both ways give the same files.
    fs::remove_file(out.join("CNAME")).unwrap();
    let fresh = good_project();
    livret_ok(fresh.path(), &["build"]);
    assert_eq!(tree_hash(&out), tree_hash(&fresh.path().join("out")));
}

/// A rebuild keeps the files whose bytes did not change (hard-linked from the previous site,
/// same inode) and writes the others afresh; a file changed in `out/` behind livret's back, or
/// replaced by a FIFO, is never taken for an unchanged one.
#[test]
fn out_rebuild_reuses_exactly_the_unchanged_files() {
    let dir = good_project();
    let out = dir.path().join("out");
    let inodes = |out: &Path| -> std::collections::BTreeMap<String, u64> {
        walkdir::WalkDir::new(out)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let meta = e.metadata().unwrap();
                assert_eq!(
                    meta.nlink(),
                    1,
                    "{} still linked elsewhere",
                    e.path().display()
                );
                let rel = e.path().strip_prefix(out).unwrap().display().to_string();
                (rel, meta.ino())
            })
            .collect()
    };
    livret_ok(dir.path(), &["build"]);
    let first = inodes(&out);

    // Nothing changed: every file is the same file, but the two livret streams or rewrites.
    livret_ok(dir.path(), &["build"]);
    let second = inodes(&out);
    let renewed: Vec<&String> = first.keys().filter(|k| first[*k] != second[*k]).collect();
    assert_eq!(renewed, [".livret-manifest", "print.html"]);

    // One fiche changed: its page is new, its neighbour's page (same titles) is not.
    write(
        dir.path(),
        "fiches/10-p/02-y.toml",
        "title = \"Autre\"\nsummary = \"Neuf.\"\n",
    );
    livret_ok(dir.path(), &["build"]);
    let third = inodes(&out);
    assert_ne!(third["y.html"], second["y.html"]);
    assert_eq!(third["x.html"], second["x.html"]);
    assert!(
        fs::read_to_string(out.join("y.html"))
            .unwrap()
            .contains("Neuf.")
    );

    // Same length, other bytes, same inode: compared, not trusted.
    let page = out.join("x.html");
    let mut bytes = fs::read(&page).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    fs::OpenOptions::new()
        .write(true)
        .open(&page)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
        .unwrap();
    assert_eq!(fs::metadata(&page).unwrap().ino(), third["x.html"]);
    // A FIFO where a page was: neither opened for good nor waited on.
    fs::remove_file(out.join("404.html")).unwrap();
    let fifo =
        std::ffi::CString::new(out.join("404.html").into_os_string().into_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let mut child = Command::new(bin())
        .arg("build")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the build waited on a FIFO in out/");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    assert_ne!(fs::metadata(&page).unwrap().ino(), third["x.html"]);
    assert!(fs::metadata(out.join("404.html")).unwrap().is_file());
    let fresh = good_project();
    write(
        fresh.path(),
        "fiches/10-p/02-y.toml",
        "title = \"Autre\"\nsummary = \"Neuf.\"\n",
    );
    livret_ok(fresh.path(), &["build"]);
    assert_eq!(tree_hash(&out), tree_hash(&fresh.path().join("out")));
}

/// A tampered manifest or a symbolic link inside `out/` never makes livret delete or write
/// outside `out/`.
#[test]
fn out_never_deletes_or_writes_through_links_or_a_tampered_manifest() {
    let (tmp, root) = good_project_in_subfolder();
    let victim = tmp.path().join("victime");
    write(&victim, "x.html", "not livret's");
    write(&victim, "a.html", "not livret's");
    write(tmp.path(), "secret.txt", "secret");
    let out = root.join("out");
    livret_ok(&root, &["build"]);
    write(&out, "CNAME", "x\n"); // file by file from now on

    // The manifest claims files outside out/, and a folder that is a link to elsewhere.
    let mut manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    manifest.push_str("../../secret.txt\n/etc/hostname\nlien/a.html\n..\n\n");
    fs::write(out.join(".livret-manifest"), manifest).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("lien")).unwrap();
    let before = tree_hash(&victim);
    livret_ok(&root, &["build"]);
    assert_eq!(tree_hash(&victim), before);
    assert_eq!(
        fs::read_to_string(tmp.path().join("secret.txt")).unwrap(),
        "secret"
    );
    assert!(Path::new("/etc/hostname").exists());

    // A folder livret writes into, replaced by a link to elsewhere: refused before any change.
    fs::remove_dir_all(out.join("fonts")).unwrap();
    std::os::unix::fs::symlink(&victim, out.join("fonts")).unwrap();
    let out_before = tree_hash(&out);
    let result = livret(&root, &["build"]);
    assert_refused(
        &result,
        "is a symbolic link: livret never writes through a link",
    );
    assert_eq!(tree_hash(&victim), before);
    assert_eq!(tree_hash(&out), out_before);
    assert!(!root.join(".out.livret-tmp").exists());
}

/// An `out/` that is a symbolic link to a folder elsewhere is written through the link (the
/// user chose it), staged beside the real folder, and stays a link.
#[test]
fn out_as_a_link_to_another_folder() {
    let (tmp, root) = good_project_in_subfolder();
    let www = tmp.path().join("www/guide");
    fs::create_dir_all(&www).unwrap();
    std::os::unix::fs::symlink(&www, root.join("out")).unwrap();
    livret_ok(&root, &["build"]);
    livret_ok(&root, &["build"]);
    assert!(
        fs::symlink_metadata(root.join("out"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(www.join("x.html").is_file());
    assert!(!root.join(".out.livret-tmp").exists());
    assert!(!tmp.path().join("www/.guide.livret-tmp").exists());
}

/// A second build into the same folder while one runs stops at once, touching nothing; a
/// build into a sibling folder (same parent) is not disturbed by it. The first build is really
/// running: stopped (SIGSTOP) while it holds its staging folder.
#[test]
fn out_concurrent_build_is_refused_and_a_sibling_build_is_not() {
    let dir = large_project(300);
    livret_ok(dir.path(), &["build"]);
    let out = dir.path().join("out");
    let before = tree_hash(&out);
    let staging = dir.path().join(".out.livret-tmp");
    let mut child = Command::new(bin())
        .arg("build")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !staging.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no staging folder"
        );
        assert!(child.try_wait().unwrap().is_none(), "the build ended early");
        std::thread::sleep(Duration::from_millis(1));
    }
    // SAFETY: kill on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) }, 0);
    let same = livret(dir.path(), &["build"]);
    let sibling = livret(dir.path(), &["build", "--out", "www"]);
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGCONT) }, 0);
    assert!(child.wait().unwrap().success());
    assert_refused(&same, "another livret build is writing into");
    assert!(
        sibling.status.success(),
        "a build into www/ was refused because one writes into out/:\n{}",
        stderr(&sibling)
    );
    assert!(dir.path().join("www/f7.html").is_file());
    assert_eq!(tree_hash(&out), before);
    assert!(!staging.exists());
    livret_ok(dir.path(), &["build"]);
}

/// Runs `livret ARGS` in `dir` as a user the mode bits apply to: this user when it is not
/// root, else `nobody` through setpriv. `None` (skip) only outside CI, when that is impossible.
fn livret_as_user(dir: &Path, args: &[&str]) -> Option<Output> {
    // SAFETY: geteuid has no preconditions.
    let mut command = if unsafe { libc::geteuid() } != 0 {
        Command::new(bin())
    } else if Path::new("/usr/bin/setpriv").is_file() {
        let mut c = Command::new("/usr/bin/setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"])
            .arg(bin());
        c
    } else {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true but setpriv is missing: cannot test as a normal user"
        );
        eprintln!("skipping: running as root without setpriv");
        return None;
    };
    let out = command
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .expect("run livret");
    let err = stderr(&out);
    assert!(!err.contains("setpriv:"), "setpriv failed: {err}");
    Some(out)
}

/// A read-only `out/` (`chmod a-w out`) never jams later builds: a build over it either
/// succeeds (the new site keeps the mode) or fails cleanly, and leaves no staging folder that
/// the next build cannot remove; after `chmod u+w out` every build succeeds. As a normal user,
/// for whom mode bits count (root ignores them).
#[test]
fn out_read_only_never_blocks_the_next_build() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o777)).unwrap();
    let root = tmp.path().join("p");
    for (rel, text) in GOOD {
        write(&root, rel, text);
    }
    fs::set_permissions(&root, fs::Permissions::from_mode(0o777)).unwrap();
    let out = root.join("out");
    let staging = root.join(".out.livret-tmp");
    let ok = |result: &Output, what: &str| {
        assert!(result.status.success(), "{what}: {}", stderr(result));
        assert!(!stderr(result).contains("panicked"));
    };
    let Some(first) = livret_as_user(&root, &["build"]) else {
        return;
    };
    ok(&first, "first build");

    // Only livret's files in out/: the new site is swapped in whole, and keeps the mode.
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    let over = livret_as_user(&root, &["build"]).unwrap();
    ok(&over, "build over a read-only out/");
    assert!(!staging.exists(), "a staging folder was left behind");
    assert_eq!(fs::metadata(&out).unwrap().mode() & 0o777, 0o555);
    let again = livret_as_user(&root, &["build"]).unwrap();
    ok(&again, "second build over a read-only out/");
    assert!(!staging.exists(), "a staging folder was left behind");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    ok(
        &livret_as_user(&root, &["build"]).unwrap(),
        "after chmod u+w",
    );
    assert!(!staging.exists());

    // A file of the user's in out/: file by file, which a read-only out/ refuses. The build
    // fails, names the folder, changes nothing, and leaves nothing behind.
    fs::write(out.join("CNAME"), "guide.example.org\n").unwrap();
    ok(&livret_as_user(&root, &["build"]).unwrap(), "with CNAME");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    let before = tree_hash(&out);
    let refused = livret_as_user(&root, &["build"]).unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("out"), "{}", stderr(&refused));
    assert_eq!(tree_hash(&out), before);
    assert!(!staging.exists(), "a failed build left its staging folder");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    ok(
        &livret_as_user(&root, &["build"]).unwrap(),
        "after chmod u+w",
    );
    assert!(!staging.exists());
    assert_eq!(
        fs::read_to_string(out.join("CNAME")).unwrap(),
        "guide.example.org\n"
    );
}

/// A real write failure — the system refuses to let livret write a file larger than 64 KiB
/// (RLIMIT_FSIZE) — fails the build with exit code 1 and leaves `out/` as it was.
#[test]
fn out_intact_after_a_write_failure() {
    let dir = guide_copy();
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    let before = tree_hash(&out);
    let largest = before.iter().map(|(_, b)| b.len()).max().unwrap();
    assert!(largest > 64 * 1024, "the guide has no file above the limit");
    // Something to rebuild: a changed fiche.
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let text = fs::read_to_string(&riace).unwrap();
    fs::write(&riace, text.replace("Riace", "Riace (modifié)")).unwrap();

    let mut cmd = Command::new(bin());
    cmd.arg("build").current_dir(dir.path());
    // SAFETY: setrlimit and signal are async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            // Without this, exceeding the limit kills the process (SIGXFSZ) instead of
            // failing the write: both must leave out/ intact, the error is the harder case.
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let result = cmd.output().unwrap();
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(err.contains("File too large"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(tree_hash(&out), before, "a failed build changed out/");
    assert!(!dir.path().join(".out.livret-tmp").exists());
    // The next build, without the limit, publishes the change.
    livret_ok(dir.path(), &["build"]);
    assert!(
        fs::read_to_string(out.join("print.html"))
            .unwrap()
            .contains("Riace (modifié)")
    );
}

/// Unmounts a tmpfs when dropped.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk (a small tmpfs): the build fails with exit code 1, `out/` is intact, and no
/// partial staging folder is left to fill the disk further.
#[test]
fn out_intact_when_the_disk_is_full() {
    let dir = guide_copy();
    let disk = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"])
        .arg(disk.path())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        // Mounting needs root (CAP_SYS_ADMIN); out_intact_after_a_write_failure covers the
        // same path without it.
        eprintln!("skipping: cannot mount a tmpfs here (not root?)");
        return;
    }
    let _mount = Mount(disk.path().to_path_buf());
    let out = disk.path().join("out");
    let out_arg = out.to_str().unwrap();
    livret_ok(dir.path(), &["build", "--out", out_arg]);
    let before = tree_hash(&out);
    // Fiches near the 1 MiB limit make a site far larger than the disk.
    for i in 0..4 {
        let body = "Un long texte qui remplit le disque. ".repeat(25_000);
        write(
            dir.path(),
            &format!("fiches/10-repenser/0{i}z-gros.toml"),
            &format!("slug = \"gros-{i}\"\ntitle = \"Gros\"\nsummary = \"\"\"\n{body}\n\"\"\"\n"),
        );
    }
    let result = livret(dir.path(), &["build", "--out", out_arg]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(tree_hash(&out), before, "a failed build changed out/");
    assert!(!disk.path().join(".out.livret-tmp").exists());
}

/// A project of `n` generated fiches, long enough to build that it can be killed midway.
fn large_project(n: usize) -> tempfile::TempDir {
    let dir = project(&[
        ("livret.toml", "title = \"Gros livret\"\n"),
        ("fiches/10-p/_part.toml", "title = \"Partie\"\n"),
    ]);
    let body = "Une phrase de la fiche, avec un peu de *Markdown*. ".repeat(30);
    for i in 0..n {
        write(
            dir.path(),
            &format!("fiches/10-p/{i:05}-f.toml"),
            &format!(
                "slug = \"f{i}\"\ntitle = \"Fiche {i}\"\nsummary = \"\"\"{body}\"\"\"\n\n[[how]]\nbody = \"{body}\"\n"
            ),
        );
    }
    dir
}

/// Starts a build and sends it `signal` while it writes pages into its staging folder (the
/// staging mark is there, so the folder is not the previous site swapped out). False when the
/// build ended before the signal reached it.
fn kill_while_staging(dir: &Path, staging: &Path, signal: i32) -> bool {
    let mut child = Command::new(bin())
        .arg("build")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let staged = fs::read_dir(staging).map(|d| d.count()).unwrap_or(0);
        if staged >= 40 && staging.join(".livret-staging").exists() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the build never staged files"
        );
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // SAFETY: kill on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = child.wait().unwrap();
    match status.signal() {
        Some(s) => {
            assert_eq!(s, signal, "the build died of another signal: {status}");
            true
        }
        None => false,
    }
}

/// Kills a build (SIGKILL, then Ctrl-C's SIGINT) while it writes thousands of pages: the
/// previous `out/` is intact, and the next build cleans the leftover staging folder up.
#[test]
fn out_intact_after_a_build_is_killed_midway() {
    let dir = large_project(2000);
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    let before = tree_hash(&out);
    assert!(before.len() > 2000);
    // Change every page, so a partial commit could not go unnoticed.
    let config = dir.path().join("livret.toml");
    fs::write(&config, "title = \"Gros livret, deuxième édition\"\n").unwrap();
    let staging = dir.path().join(".out.livret-tmp");

    for signal in [libc::SIGKILL, libc::SIGINT] {
        // A loaded machine can let the build finish between the look at its staging folder
        // and the signal: then out/ is put back as it was and the kill is tried again.
        let mut killed = false;
        for _attempt in 0..5 {
            if kill_while_staging(dir.path(), &staging, signal) {
                killed = true;
                break;
            }
            fs::write(&config, "title = \"Gros livret\"\n").unwrap();
            livret_ok(dir.path(), &["build"]);
            assert_eq!(tree_hash(&out), before, "the same input gave another out/");
            fs::write(&config, "title = \"Gros livret, deuxième édition\"\n").unwrap();
        }
        assert!(
            killed,
            "the build could not be caught while it staged files"
        );
        assert_eq!(tree_hash(&out), before, "a killed build changed out/");
    }
    // The next build starts from the leftover staging folder and succeeds.
    assert!(
        staging.exists(),
        "expected the killed build's staging folder"
    );
    livret_ok(dir.path(), &["build"]);
    assert!(!staging.exists());
    let index = fs::read_to_string(out.join("f7.html")).unwrap();
    assert!(index.contains("deuxième édition"));
}

/// Clears the immutable attribute of a file when dropped.
struct Immutable(PathBuf);

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// A file-by-file commit that fails halfway (a target the system refuses to replace: an
/// immutable file) names the file, exits 1, and leaves a manifest that lists every file livret
/// may have moved in: once the cause is gone, the next build completes without `--force`.
#[test]
fn out_file_by_file_commit_failing_halfway_is_repaired_by_the_next_build() {
    let dir = good_project();
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    write(&out, "CNAME", "guide.example.org\n"); // a file of the user: file by file
    // Every page changes, and a new page sorts before x.html: it is moved in before the failure.
    fs::write(
        dir.path().join("livret.toml"),
        "title = \"Guide, deuxième édition\"\n",
    )
    .unwrap();
    write(
        dir.path(),
        "fiches/10-p/00-a.toml",
        "slug = \"a-new\"\ntitle = \"Nouvelle\"\n",
    );
    let blocked = out.join("x.html");
    let immutable = Command::new("chattr")
        .arg("+i")
        .arg(&blocked)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !immutable {
        eprintln!("skipping: chattr +i is not available here (not root, or the file system)");
        return;
    }
    let guard = Immutable(blocked.clone());
    let result = livret(dir.path(), &["build"]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("x.html") && err.contains("Operation not permitted"),
        "{err}"
    );
    assert!(
        out.join("a-new.html").is_file(),
        "the commit did not get halfway"
    );
    let manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    assert!(
        manifest.lines().any(|l| l == "a-new.html"),
        "not journaled:\n{manifest}"
    );
    assert!(out.join("CNAME").is_file());

    drop(guard);
    livret_ok(dir.path(), &["build"]);
    assert!(
        fs::read_to_string(&blocked)
            .unwrap()
            .contains("deuxième édition")
    );
    assert_eq!(
        fs::read_to_string(out.join("CNAME")).unwrap(),
        "guide.example.org\n"
    );
    // The same site as a fresh build, plus the user's CNAME.
    fs::remove_file(out.join("CNAME")).unwrap();
    let fresh = good_project();
    fs::write(
        fresh.path().join("livret.toml"),
        "title = \"Guide, deuxième édition\"\n",
    )
    .unwrap();
    write(
        fresh.path(),
        "fiches/10-p/00-a.toml",
        "slug = \"a-new\"\ntitle = \"Nouvelle\"\n",
    );
    livret_ok(fresh.path(), &["build"]);
    assert!(tree_hash(&out) == tree_hash(&fresh.path().join("out")));
}

/// The folder livret checks is the folder it writes: `--out link/..` is checked and written as
/// the same place, never resolved one way to check and another way to write into `fiches/`.
#[test]
fn out_is_written_where_it_was_checked() {
    let (tmp, root) = good_project_in_subfolder();
    let work = tmp.path().join("work");
    fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(root.join("fiches/10-p"), work.join("l")).unwrap();
    let fiches = tree_hash(&root.join("fiches"));
    let result = Command::new(bin())
        .args(["build", "--force", "--root"])
        .arg(&root)
        .args(["--out", "l/.."])
        .current_dir(&work)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
    assert_eq!(
        tree_hash(&root.join("fiches")),
        fiches,
        "livret wrote into fiches/"
    );
    assert!(work.join("x.html").is_file() && work.join("l").is_symlink());
}

/// A theme file named like something livret writes — a page, a PDF, a file of livret's own —
/// is refused alike by `check` and `build`, located at the theme file, before anything is
/// written. (Before: `css/x.html` and `static/x.html/a.txt` passed `check` and failed `build`;
/// `css/livret.pdf` built once, as out/livret.pdf, and then broke every later build.)
#[test]
fn check_and_build_agree_on_theme_file_names() {
    let cases: &[(&str, &str)] = &[
        ("themes/default/css/x.html", "the page of"),
        (
            "themes/default/static/x.html/a.txt",
            "inside a folder `x.html`",
        ),
        (
            "themes/default/css/livret.pdf",
            "a file livret writes itself",
        ),
        (
            "themes/default/css/livret-imposition.pdf",
            "a file livret writes itself",
        ),
        (
            "themes/default/css/print.html",
            "a file livret writes itself",
        ),
        ("themes/default/css/favicon.svg", "static/favicon.svg"),
        (
            "themes/default/static/style.css",
            "the stylesheet css/style.css",
        ),
        ("themes/default/css/fonts", "fonts"),
    ];
    for (file, needle) in cases {
        let dir = good_project();
        livret_ok(dir.path(), &["build"]);
        let out = dir.path().join("out");
        let before = tree_hash(&out);
        write(dir.path(), file, "a { color: red }\n");
        for command in ["check", "build"] {
            let result = livret(dir.path(), &[command]);
            let err = stderr(&result);
            assert_eq!(result.status.code(), Some(1), "{command} {file}:\n{err}");
            assert!(
                err.contains(file) && err.contains(needle),
                "{command} {file}:\n{err}"
            );
            assert!(err.contains("help:"), "{err}");
            assert_eq!(tree_hash(&out), before, "{command} {file} changed out/");
        }
        // Once the file is renamed, builds work again, every time.
        fs::remove_file(dir.path().join(file)).unwrap();
        livret_ok(dir.path(), &["build"]);
        livret_ok(dir.path(), &["build"]);
    }
}

//! Writing `out/`: every file is first written into a staging folder beside `out/`, and moved in
//! only when the whole build succeeded. A manifest in `out/` lists what livret wrote, so a
//! rebuild removes its own stale files and nothing else: the user's files (`.git`, `CNAME`,
//! `.nojekyll` they wrote…) are never touched, and an `--out` that could hold anything else
//! (the project, its sources, an ancestor, `/`, home) is refused.

pub mod claims;
mod folder;
mod lock;
pub mod names;
pub mod record;

use folder::checked_out;
pub use folder::{check_out_dir, resolved as resolved_path};
use lock::{Lock, lock};

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The list of files livret wrote, one relative path a line.
pub use crate::output::names::MANIFEST;
use crate::output::names::MANIFEST_TMP;
const STAGING_MARK: &str = ".livret-staging";

/// A build in progress: files land in a staging folder until `commit`.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    files: Mutex<BTreeSet<String>>,
    force: bool,
    committed: bool,
    /// The files the previous build wrote into `out/` (its manifest): those `write` may reuse.
    previous: BTreeSet<String>,
    /// Held for the whole build: see `lock`.
    _lock: Option<Lock>,
}

/// Whether `rel` is a safe relative output path (no `..`, not absolute, no empty parts).
pub fn is_safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\0'))
}

/// Whether a file other than `rel` was already claimed directly in `folder` (whose creation
/// it then did). A range query on the sorted set: no scan.
fn folder_claimed(files: &BTreeSet<String>, folder: &str, rel: &str) -> bool {
    let prefix = format!("{folder}/");
    files
        .range(prefix.clone()..)
        .take_while(|f| f.starts_with(&prefix))
        .any(|f| f != rel && !f[prefix.len()..].contains('/'))
}

impl Staging {
    /// Starts a build into `out` (checked with `check_out_dir` first).
    pub fn new(root: &Path, out: &Path, force: bool) -> Result<Staging> {
        // The real folder (a linked out/ resolved): staging beside it is on the same file
        // system, so that moving files in cannot fail halfway for that reason.
        let out = checked_out(root, out, force)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock = lock(&parent, &out, &name)?;
        let dir = parent.join(format!(".{name}.livret-tmp"));
        if fs::symlink_metadata(&dir).is_ok() {
            if is_leftover(&dir) {
                remove_tree(&dir).map_err(|e| Error::io(&dir, e))?;
            } else {
                return Err(Error::Usage(format!(
                    "{} exists and is not a livret staging folder: look inside, then remove it",
                    dir.display()
                )));
            }
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        fs::write(dir.join(STAGING_MARK), b"").map_err(|e| Error::io(&dir, e))?;
        // Unreadable: nothing is reused, and `commit` reports the problem.
        let previous = read_manifest(&out).unwrap_or_default();
        Ok(Staging {
            out,
            dir,
            files: Mutex::new(BTreeSet::new()),
            force,
            committed: false,
            previous,
            _lock: lock,
        })
    }

    fn claim(&self, rel: &str) -> Result<PathBuf> {
        if !is_safe_rel(rel) || rel == MANIFEST || rel == MANIFEST_TMP || rel == STAGING_MARK {
            return Err(Error::other(format!(
                "refusing to write `{rel}`: not a plain path inside the output folder"
            )));
        }
        let mut files = self
            .files
            .lock()
            .map_err(|_| Error::Invariant("a writer thread failed".into()))?;
        if !files.insert(rel.to_string()) {
            return Err(Error::other(format!(
                "two outputs want the same file `{rel}`: check slugs and theme asset names"
            )));
        }
        let path = self.dir.join(rel);
        // Pages sit at the top of the staging folder, which exists; a folder (fonts/…) is made
        // once, by the first file in it.
        if let Some((folder, _)) = rel.rsplit_once('/')
            && !folder_claimed(&files, folder, rel)
            && let Some(parent) = path.parent()
        {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        Ok(path)
    }

    /// Writes one output file.
    ///
    /// A file the previous build wrote with exactly these bytes is not written again: it is
    /// hard-linked into the staging folder. Creating and deleting thousands of files is most of
    /// the system's work in a rebuild (on ext4 without a journal, each deleted file slows the
    /// next creations for minutes, and `discard` makes each deletion wait for the disk); a
    /// link allocates nothing, and deleting the previous site then only drops a link. Unchanged
    /// files also keep their modification time, which rsync and HTTP caches use.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.claim(rel)?;
        if self.wrote_before(rel) && reuse(&self.out, rel, &path, bytes) {
            return Ok(());
        }
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Whether the previous build's manifest lists `rel`: livret wrote that file, so this build
    /// may replace it; a file it does not list is the user's and is left alone.
    pub fn wrote_before(&self, rel: &str) -> bool {
        self.previous.contains(rel)
    }

    /// Opens one output file for streaming.
    pub fn create(&self, rel: &str) -> Result<std::io::BufWriter<fs::File>> {
        let path = self.claim(rel)?;
        let file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(std::io::BufWriter::with_capacity(256 * 1024, file))
    }

    /// Puts the staged site in place of `out/`, and records the new manifest. Returns the
    /// number of files written.
    ///
    /// When `out/` holds only files livret wrote (the usual case), the staging folder and
    /// `out/` are exchanged in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`): a reader,
    /// or livret killed at any point, sees the old site or the new one, never a mix (livret
    /// does not fsync: after a power cut, the file system's own guarantees apply). Otherwise (the
    /// user keeps `.git/`, `CNAME`… in `out/`, or the system cannot exchange), every file is
    /// checked first, then moved in one by one, the stale files of the previous build are
    /// removed, and the user's files are left alone; meanwhile the manifest lists the old and
    /// the new files, so a build killed halfway is repaired by the next one.
    pub fn commit(mut self) -> Result<usize> {
        let files = std::mem::take(
            &mut *self
                .files
                .lock()
                .map_err(|_| Error::Invariant("a writer thread failed".into()))?,
        );
        let out = self.out.clone();
        let previous = read_manifest(&out)?;
        let swapped = self.swap(&files, &previous)?;
        if swapped != Swap::No {
            self.committed = true;
        }
        if swapped == Swap::Exchanged {
            // The previous site is now in the staging folder's place: delete it only if it
            // still holds nothing but livret's files (the user may have added one meanwhile).
            if owned_only(&self.dir, &previous) {
                let _ = remove_tree(&self.dir);
            } else {
                eprintln!(
                    "livret: warning: files appeared in {} during the build; the previous site, \
                     with them, is kept in {}",
                    out.display(),
                    self.dir.display()
                );
            }
        }
        if swapped != Swap::No {
            return Ok(files.len());
        }

        // File by file. Everything is checked before anything in out/ changes.
        self.check_targets(&files, &previous)?;
        fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        write_manifest(&out, previous.union(&files))?;
        for rel in &files {
            let from = self.dir.join(rel);
            let to = out.join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
        for stale in previous.difference(&files) {
            if !is_safe_rel(stale) || stale == MANIFEST || through_link(&out, stale) {
                continue; // a tampered manifest never makes livret delete outside out/
            }
            let path = out.join(stale);
            if fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
            // Remove the folders livret made for it, when now empty.
            let mut parent = Path::new(stale.as_str()).parent();
            while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
                let dir = out.join(p);
                let owned = files
                    .iter()
                    .any(|f| f.starts_with(&format!("{}/", p.display())));
                if owned || fs::remove_dir(&dir).is_err() {
                    break;
                }
                parent = p.parent();
            }
        }
        write_manifest(&out, &files)?;
        self.committed = true;
        let _ = remove_tree(&self.dir);
        Ok(files.len())
    }

    /// Exchanges the staging folder with `out/` when `out/` holds nothing but livret's files
    /// (or does not exist yet). With `Swap::No`, nothing changed.
    fn swap(&self, files: &BTreeSet<String>, previous: &BTreeSet<String>) -> Result<Swap> {
        let meta = match fs::symlink_metadata(&self.out) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io(&self.out, e)),
        };
        if let Some(m) = &meta
            && (!m.is_dir() || !owned_only(&self.out, previous))
        {
            return Ok(Swap::No);
        }
        write_manifest(&self.dir, files)?;
        let mark = self.dir.join(STAGING_MARK);
        fs::remove_file(&mark).map_err(|e| Error::io(&mark, e))?;
        // The new folder keeps the old one's permissions, set last: once it is read-only
        // (`chmod a-w out`), nothing more can be written or removed in it.
        let own = fs::symlink_metadata(&self.dir).map(|m| m.permissions());
        if let Some(m) = &meta {
            let _ = fs::set_permissions(&self.dir, m.permissions());
        }
        let (moved, done) = match meta {
            None => (fs::rename(&self.dir, &self.out), Swap::Moved),
            Some(_) => (exchange(&self.dir, &self.out), Swap::Exchanged),
        };
        if moved.is_err() {
            // Nothing moved (e.g. a file system without RENAME_EXCHANGE): file by file instead.
            if let Ok(own) = own {
                let _ = fs::set_permissions(&self.dir, own);
            }
            fs::write(&mark, b"").map_err(|e| Error::io(&mark, e))?;
            let staged = self.dir.join(MANIFEST);
            fs::remove_file(&staged).map_err(|e| Error::io(&staged, e))?;
            return Ok(Swap::No);
        }
        Ok(done)
    }

    /// Refuses, before anything moves, every target that cannot or must not be replaced.
    fn check_targets(&self, files: &BTreeSet<String>, previous: &BTreeSet<String>) -> Result<()> {
        for rel in files {
            let parts: Vec<&str> = rel.split('/').collect();
            let mut path = self.out.clone();
            for (i, part) in parts.iter().enumerate() {
                path.push(part);
                let last = i + 1 == parts.len();
                let meta = match fs::symlink_metadata(&path) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                    Err(e) => return Err(Error::io(&path, e)),
                };
                let problem = if !last && meta.file_type().is_symlink() {
                    "is a symbolic link: livret never writes through a link in the output folder"
                } else if !last && !meta.is_dir() {
                    "is a file where livret needs a folder"
                } else if last && meta.is_dir() {
                    "is a folder where livret needs to write a file"
                } else if last && !self.force && !previous.contains(rel) {
                    "exists and was not written by livret: move it away or pass --force"
                } else {
                    continue;
                };
                return Err(Error::Usage(format!("{} {problem}", path.display())));
            }
        }
        Ok(())
    }
}

/// How `Staging::swap` went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Swap {
    /// Nothing changed: commit file by file.
    No,
    /// out/ did not exist: the staging folder became out/.
    Moved,
    /// The staging folder and out/ were exchanged: the previous site is in the staging path.
    Exchanged,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Removes a folder of livret's (a staging folder, or the previous site swapped out) with
/// everything in it. A folder in it that its owner cannot write (the previous `out/` was
/// `chmod a-w`, and the site swapped in kept that mode) is made writable first: livret's own
/// leftovers must never stand in the way of the next build. Links are never followed.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            for entry in walkdir::WalkDir::new(dir).follow_links(false) {
                let Ok(entry) = entry else { continue };
                if entry.file_type().is_dir() {
                    let _ = make_writable(entry.path());
                }
            }
            fs::remove_dir_all(dir)
        }
        other => other,
    }
}

/// Gives a folder's owner read, write and search permission on it.
#[cfg(unix)]
fn make_writable(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::symlink_metadata(dir)?.permissions().mode();
    fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o700))
}

#[cfg(not(unix))]
fn make_writable(dir: &Path) -> std::io::Result<()> {
    let mut permissions = fs::symlink_metadata(dir)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    fs::set_permissions(dir, permissions)
}

/// Whether a folder holds only what livret wrote: the files of `listed`, its manifest, and
/// the folders around them. Links, other files and empty folders of the user make it false.
fn owned_only(dir: &Path, listed: &BTreeSet<String>) -> bool {
    for item in walkdir::WalkDir::new(dir).min_depth(1).follow_links(false) {
        let Ok(entry) = item else { return false };
        let Some(rel) = entry
            .path()
            .strip_prefix(dir)
            .ok()
            .and_then(Path::to_str)
            .map(|r| r.replace('\\', "/"))
        else {
            return false;
        };
        let ft = entry.file_type();
        let owned = if ft.is_dir() {
            let prefix = format!("{rel}/");
            listed.iter().any(|f| f.starts_with(&prefix))
        } else if ft.is_file() {
            listed.contains(&rel) || rel == MANIFEST || rel == MANIFEST_TMP
        } else {
            false
        };
        if !owned {
            return false;
        }
    }
    true
}

/// Whether a folder at the staging path is livret's own leftover (a build that was killed,
/// or the previous site just swapped out), safe to delete whole.
fn is_leftover(dir: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return false;
    };
    if !meta.is_dir() {
        return false;
    }
    if fs::symlink_metadata(dir.join(STAGING_MARK)).is_ok_and(|m| m.is_file()) {
        return true;
    }
    // An old site swapped out (with its manifest), or an empty folder swapped out.
    match read_manifest(dir) {
        Ok(listed) => owned_only(dir, &listed),
        Err(_) => false,
    }
}

/// Whether a folder on the way to `rel` inside `out` is a symbolic link.
fn through_link(out: &Path, rel: &str) -> bool {
    let mut path = out.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    parts[..parts.len().saturating_sub(1)].iter().any(|part| {
        path.push(part);
        fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink())
    })
}

fn write_manifest<'a>(dir: &Path, files: impl IntoIterator<Item = &'a String>) -> Result<()> {
    let mut manifest = String::new();
    for rel in files {
        manifest.push_str(rel);
        manifest.push('\n');
    }
    let tmp = dir.join(MANIFEST_TMP);
    let mut f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(manifest.as_bytes())
        .map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    fs::rename(&tmp, dir.join(MANIFEST)).map_err(|e| Error::io(dir, e))
}

fn read_manifest(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(MANIFEST);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Links `out/rel` to `target` if it is a regular file holding exactly `bytes`. Reads through
/// no symbolic link (the file's own name, nor a folder on its way), blocks on no FIFO, and
/// checks that the name linked is the file compared. Any doubt: false, and the caller writes.
#[cfg(unix)]
fn reuse(out: &Path, rel: &str, target: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    if rel.contains('/') && through_link(out, rel) {
        return false;
    }
    let old = out.join(rel);
    let Ok(mut file) = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(&old)
    else {
        return false;
    };
    let Ok(meta) = file.metadata() else {
        return false;
    };
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    // Compare piece by piece: no allocation, and a difference stops the read early.
    let mut buf = [0u8; 16 * 1024];
    let mut rest = bytes;
    while !rest.is_empty() {
        let want = rest.len().min(buf.len());
        if file.read_exact(&mut buf[..want]).is_err() || buf[..want] != rest[..want] {
            return false;
        }
        rest = &rest[want..];
    }
    if fs::hard_link(&old, target).is_err() {
        return false; // another file system, no hard links, too many links…
    }
    match fs::symlink_metadata(target) {
        Ok(linked) if linked.ino() == meta.ino() && linked.dev() == meta.dev() => true,
        _ => {
            // Replaced between the comparison and the link: write it afresh.
            let _ = fs::remove_file(target);
            false
        }
    }
}

#[cfg(not(unix))]
fn reuse(_: &Path, _: &str, _: &Path, _: &[u8]) -> bool {
    false
}

/// Exchanges two paths in one atomic step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths that outlive the call, which only reads them.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_paths() {
        assert!(is_safe_rel("index.html"));
        assert!(is_safe_rel("fonts/a.woff2"));
        assert!(!is_safe_rel("../x"));
        assert!(!is_safe_rel("/etc/passwd"));
        assert!(!is_safe_rel("a//b"));
        assert!(!is_safe_rel(""));
    }

    #[test]
    fn staging_never_writes_outside_its_folder() -> crate::error::TestResult {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().join("p");
        fs::create_dir_all(&root)?;
        let out = root.join("out");
        let staging = Staging::new(&root, &out, false)?;
        for rel in [
            "../evil.html",
            "/tmp/evil.html",
            "a/../../evil.html",
            "",
            ".",
            "a//b",
            "a\\..\\b",
            MANIFEST,
            STAGING_MARK,
        ] {
            assert!(staging.write(rel, b"x").is_err(), "{rel:?} accepted");
        }
        staging.write("ok.html", b"x")?;
        assert!(
            staging.write("ok.html", b"y").is_err(),
            "two outputs, one file"
        );
        assert_eq!(staging.commit()?, 1);
        let mut all = Vec::new();
        for entry in walkdir::WalkDir::new(tmp.path()).min_depth(1) {
            let path = entry?.into_path();
            all.push(path.strip_prefix(tmp.path())?.display().to_string());
        }
        all.sort();
        assert_eq!(
            all,
            ["p", "p/out", "p/out/.livret-manifest", "p/out/ok.html"]
        );
        Ok(())
    }
}

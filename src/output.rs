//! Writing `out/`: every file is first written into a staging folder beside `out/`, and moved in
//! only when the whole build succeeded. A manifest in `out/` lists what livret wrote, so a
//! rebuild removes its own stale files and nothing else: the user's files (`.git`, `CNAME`,
//! `.nojekyll` they wrote…) are never touched, and an `--out` that could hold anything else
//! (the project, its sources, an ancestor, `/`, home) is refused.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The list of files livret wrote, one relative path a line.
pub const MANIFEST: &str = ".livret-manifest";
const STAGING_MARK: &str = ".livret-staging";

/// A build in progress: files land in a staging folder until `commit`.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    files: Mutex<BTreeSet<String>>,
    force: bool,
    committed: bool,
}

/// Refuses an output folder that could hold the user's own work.
pub fn check_out_dir(root: &Path, out: &Path, force: bool) -> Result<()> {
    let root = absolute(root)?;
    let out_abs = absolute(out)?;
    let mut protected: Vec<(PathBuf, &str)> = vec![
        (root.clone(), "the project folder"),
        (root.join(crate::load::FICHES_DIR), "the fiches folder"),
        (root.join(crate::theme::THEMES_DIR), "the themes folder"),
        (root.join("src"), "the source folder"),
        (PathBuf::from("/"), "the file-system root"),
    ];
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        protected.push((absolute(Path::new(&home))?, "your home folder"));
    }
    for (path, what) in &protected {
        if out_abs == *path || path.starts_with(&out_abs) {
            return Err(Error::Usage(format!(
                "refusing to write into {}: it is {what}{}; pick a dedicated folder such as out/",
                out.display(),
                if out_abs == *path {
                    ""
                } else {
                    " or contains it"
                },
            )));
        }
        if out_abs.starts_with(path)
            && *what != "the project folder"
            && *what != "your home folder"
            && *what != "the file-system root"
        {
            return Err(Error::Usage(format!(
                "refusing to write into {}: it is inside {what}; pick a folder such as out/",
                out.display()
            )));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::Usage(format!(
                "{} exists and is not a folder",
                out.display()
            )));
        }
        let has_manifest = out.join(MANIFEST).is_file();
        let empty = fs::read_dir(out)
            .map_err(|e| Error::io(out, e))?
            .next()
            .is_none();
        if !has_manifest && !empty && !force {
            return Err(Error::Usage(format!(
                "{} is not empty and was not written by livret (no {MANIFEST}): refusing to mix \
                 the site with other files; empty it, choose another --out, or pass --force",
                out.display()
            )));
        }
    }
    Ok(())
}

/// An absolute, lexically normalised path (symlinks of existing ancestors resolved).
fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io(path, e))?
            .join(path)
    };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // Resolve the longest existing ancestor, so symlinks cannot disguise a protected folder.
    let mut existing = normal.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    let mut resolved = fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
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

impl Staging {
    /// Starts a build into `out` (checked with `check_out_dir` first).
    pub fn new(root: &Path, out: &Path, force: bool) -> Result<Staging> {
        check_out_dir(root, out, force)?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let dir = parent.join(format!(".{name}.livret-tmp"));
        if dir.exists() {
            if dir.join(STAGING_MARK).is_file() {
                fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            } else {
                return Err(Error::Usage(format!(
                    "{} exists and is not a livret staging folder: remove it",
                    dir.display()
                )));
            }
        }
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        fs::write(dir.join(STAGING_MARK), b"").map_err(|e| Error::io(&dir, e))?;
        Ok(Staging {
            out: out.to_path_buf(),
            dir,
            files: Mutex::new(BTreeSet::new()),
            force,
            committed: false,
        })
    }

    fn claim(&self, rel: &str) -> Result<PathBuf> {
        if !is_safe_rel(rel) || rel == MANIFEST || rel == STAGING_MARK {
            return Err(Error::Other(format!(
                "refusing to write `{rel}`: not a plain path inside the output folder"
            )));
        }
        let mut files = self
            .files
            .lock()
            .map_err(|_| Error::Other("a writer thread failed".into()))?;
        if !files.insert(rel.to_string()) {
            return Err(Error::Other(format!(
                "two outputs want the same file `{rel}`: check slugs and theme asset names"
            )));
        }
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        Ok(path)
    }

    /// Writes one output file.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.claim(rel)?;
        fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
    }

    /// Opens one output file for streaming.
    pub fn create(&self, rel: &str) -> Result<std::io::BufWriter<fs::File>> {
        let path = self.claim(rel)?;
        let file = fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(std::io::BufWriter::with_capacity(256 * 1024, file))
    }

    /// Moves the staged files into `out/`, removes the files of the previous build that are no
    /// longer produced, and records the new manifest. Returns the number of files written.
    pub fn commit(mut self) -> Result<usize> {
        let files = std::mem::take(
            &mut *self
                .files
                .lock()
                .map_err(|_| Error::Other("a writer thread failed".into()))?,
        );
        let out = self.out.clone();
        let previous = read_manifest(&out)?;
        // Conflicts first, before anything in out/ changes.
        if !self.force {
            for rel in &files {
                let target = out.join(rel);
                if target.exists() && !previous.contains(rel) {
                    return Err(Error::Usage(format!(
                        "{} exists and was not written by livret: move it away or pass --force",
                        target.display()
                    )));
                }
            }
        }
        fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
        for rel in &files {
            let from = self.dir.join(rel);
            let to = out.join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            if to.is_dir() {
                return Err(Error::Usage(format!(
                    "{} is a folder, livret needs to write a file there",
                    to.display()
                )));
            }
            fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
        }
        for stale in previous.difference(&files) {
            if !is_safe_rel(stale) {
                continue; // a tampered manifest never makes livret delete outside out/
            }
            let path = out.join(stale);
            if path.is_file() {
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
        let mut manifest = String::new();
        for rel in &files {
            manifest.push_str(rel);
            manifest.push('\n');
        }
        let tmp = out.join(format!("{MANIFEST}.tmp"));
        let mut f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(manifest.as_bytes())
            .map_err(|e| Error::io(&tmp, e))?;
        drop(f);
        fs::rename(&tmp, out.join(MANIFEST)).map_err(|e| Error::io(&out, e))?;
        self.committed = true;
        let _ = fs::remove_dir_all(&self.dir);
        Ok(files.len())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether the previous build's manifest in `out` lists `rel`: livret wrote that file, so a
/// rebuild may replace it; a file it does not list is the user's and is left alone.
pub fn manifest_lists(out: &Path, rel: &str) -> Result<bool> {
    Ok(read_manifest(out)?.contains(rel))
}

fn read_manifest(out: &Path) -> Result<BTreeSet<String>> {
    let path = out.join(MANIFEST);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(str::to_string).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(Error::io(&path, e)),
    }
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
}

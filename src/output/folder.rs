//! Which folder may receive the site: never the project, its sources, an ancestor of them,
//! `/` or the home folder, nor a non-empty folder livret did not write (without `--force`).
//! `build`, `pdf` and `serve` all ask here before they create or serve anything.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

use super::names::MANIFEST;

/// Refuses an output folder that could hold the user's own work; returns the checked folder
/// (absolute, normalised, links resolved). `build`, `pdf` and `serve` call it before anything
/// else, whatever their content gives: one rule for every command.
pub fn check_out_dir(root: &Path, out: &Path, force: bool) -> Result<PathBuf> {
    checked_out(root, out, force)
}

/// A folder that must not become, or hold, the output folder.
struct Protected {
    path: PathBuf,
    what: &'static str,
    /// Whether a folder inside it is refused too (`fiches/x`), or only the folder itself and
    /// its ancestors (the project, home and `/` may hold `out/`).
    inside_refused: bool,
}

impl Protected {
    /// Refused itself, with its ancestors and everything inside it.
    fn whole(path: PathBuf, what: &'static str) -> Protected {
        Protected {
            path,
            what,
            inside_refused: true,
        }
    }

    /// Refused itself and with its ancestors; a folder inside it is fine.
    fn around(path: PathBuf, what: &'static str) -> Protected {
        Protected {
            path,
            what,
            inside_refused: false,
        }
    }
}

/// `check_out_dir`, returning the folder that was checked: absolute, normalised, links
/// resolved. Writing goes there, so `--out link/..` cannot be checked as one folder and
/// written as another.
pub(super) fn checked_out(root: &Path, out: &Path, force: bool) -> Result<PathBuf> {
    if out.as_os_str().is_empty() {
        return Err(Error::Usage(
            "the output folder is empty: pass --out DIR, or leave it out for <root>/out".into(),
        ));
    }
    let root = absolute(root)?;
    let out_abs = absolute(out)?;
    let mut protected = vec![
        Protected::around(root.clone(), "the project folder"),
        Protected::whole(
            root.join(crate::source::walk::FICHES_DIR),
            "the fiches folder",
        ),
        Protected::whole(
            root.join(crate::render::theme::THEMES_DIR),
            "the themes folder",
        ),
        Protected::whole(root.join("src"), "the source folder"),
        Protected::around(PathBuf::from("/"), "the file-system root"),
    ];
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        protected.push(Protected::around(
            absolute(Path::new(&home))?,
            "your home folder",
        ));
    }
    // The most precise reason first: the folder itself, then what it contains, then where it is.
    let refuse = |reason: String| {
        Err(Error::Usage(format!(
            "refusing to write into {}: {reason}; pick a dedicated folder such as out/",
            out.display()
        )))
    };
    if let Some(p) = protected.iter().find(|p| out_abs == p.path) {
        return refuse(format!("it is {}", p.what));
    }
    if let Some(p) = protected.iter().find(|p| p.path.starts_with(&out_abs)) {
        return refuse(format!("it contains {}", p.what));
    }
    if let Some(p) = protected
        .iter()
        .find(|p| p.inside_refused && out_abs.starts_with(&p.path))
    {
        return refuse(format!("it is inside {}", p.what));
    }
    if out_abs.exists() {
        if !out_abs.is_dir() {
            return Err(Error::Usage(format!(
                "{} exists and is not a folder",
                out.display()
            )));
        }
        let has_manifest = out_abs.join(MANIFEST).is_file();
        let empty = fs::read_dir(&out_abs)
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
    Ok(out_abs)
}

/// An absolute, lexically normalised path (symlinks of existing ancestors resolved).
pub(super) fn absolute(path: &Path) -> Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io(path, e))?
            .join(path)
    };
    Ok(resolved(&joined))
}

/// `path` with `.` and `..` resolved lexically, and the links of its longest existing
/// ancestor resolved, so that a symbolic link cannot disguise where it leads (the output
/// folder's checks, and the files `livret pdf` lets Chromium read).
pub fn resolved(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
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
    resolved.extend(rest.iter().rev());
    resolved
}

//! The lock that keeps two builds from writing into the same output folder at once: a file
//! beside it, `.<out>.livret-lock`, held with `flock` and removed before it is released.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Holds an exclusive lock for the whole build on `.<out>.livret-lock`, a file beside the
/// output folder named after it, so that a second build into the same folder stops instead of
/// deleting this one's staging folder, while builds into sibling folders (`out/`, `www/`) run
/// side by side. The file exists only while a build holds it: the holder removes it before
/// letting go, and a build that locked a file already removed (it opened it just before)
/// tries again with a new one, so two builds never hold two different files.
#[cfg(unix)]
pub(super) fn lock(parent: &Path, out: &Path, name: &str) -> Result<Option<Lock>> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let path = parent.join(format!(".{name}.livret-lock"));
    for _ in 0..100 {
        let Ok(file) = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
        else {
            return Ok(None); // cannot lock here (read-only parent, unusual file system)
        };
        // SAFETY: flock on a descriptor we own; released when `file` is closed.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::WouldBlock {
                return Err(Error::Usage(format!(
                    "another livret build is writing into {}: wait for it to finish",
                    out.display()
                )));
            }
            return Ok(None);
        }
        let same = match (file.metadata(), fs::symlink_metadata(&path)) {
            (Ok(held), Ok(named)) => held.ino() == named.ino() && held.dev() == named.dev(),
            _ => false,
        };
        if same {
            return Ok(Some(Lock { _file: file, path }));
        }
    }
    Ok(None)
}

/// The lock of one output folder, removed and released when dropped.
pub struct Lock {
    /// Open for as long as the lock is held.
    _file: fs::File,
    path: PathBuf,
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held: whoever locks the old file next sees it is gone.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(not(unix))]
pub(super) fn lock(_: &Path, _: &Path, _: &str) -> Result<Option<Lock>> {
    Ok(None)
}

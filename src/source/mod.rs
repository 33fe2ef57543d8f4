//! Reading what the user wrote: each file's text (`Source`: read once, size-limited, UTF-8,
//! byte-order mark and Windows line endings removed, so every offset and column counts in one
//! text), its TOML checked against the schema (`schema`) and read into serde types (`de`,
//! `fiche`, `config`), inline fields' limits (`inline`), locating a piece of a field in its
//! file (`locate`), and the walk of `fiches/` in document order (`walk`).

pub mod config;
pub mod de;
pub mod fiche;
pub mod inline;
pub mod locate;
pub mod schema;
pub mod slips;
pub mod walk;

use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::message::{FileMsg, Message};

/// Larger files are refused: no fiche is a megabyte of text.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The text of one user file, as every later step sees it: without a byte-order mark, with
/// `\n` line endings (lines and columns of diagnostics are those an editor shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl Source {
    /// Reads a user's file.
    pub fn read(path: &Path) -> Result<Source, Diagnostic> {
        let bytes = read_bytes(path)?;
        Source::decode(path, &bytes)
    }

    /// Decodes a file's bytes (read elsewhere, e.g. by `serve`, which hashes them).
    pub fn decode(path: &Path, bytes: &[u8]) -> Result<Source, Diagnostic> {
        Ok(Source {
            path: path.to_path_buf(),
            text: decode_text(path, bytes)?,
        })
    }

    /// A source from text in memory (tests, the fuzzer), normalised like a file.
    pub fn new(path: impl Into<PathBuf>, text: &str) -> Source {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Source {
            path: path.into(),
            text: text.replace("\r\n", "\n"),
        }
    }

    /// A diagnostic at a byte offset of the text.
    pub fn at(&self, offset: usize, message: impl Into<Message>) -> Diagnostic {
        Diagnostic::at_offset(&self.path, &self.text, offset, message)
    }

    /// A diagnostic at the first occurrence of `needle`, or about the whole file.
    pub fn at_text(&self, needle: &str, message: impl Into<Message>) -> Diagnostic {
        Diagnostic::at_text(&self.path, &self.text, needle, message)
    }
}

/// A diagnostic when `path` (a folder of the project, such as `fiches/` or a theme) resolves,
/// through a symbolic link, to a place outside the project `root`: livret never publishes
/// files from elsewhere on the disk.
pub fn outside_project(root: &Path, path: &Path) -> Option<Diagnostic> {
    let root = std::fs::canonicalize(root).ok()?;
    let real = std::fs::canonicalize(path).ok()?;
    if real.starts_with(&root) {
        return None;
    }
    Some(Diagnostic::file(
        path,
        FileMsg::LinkedOutside(real.display().to_string()),
    ))
}

/// Reads a user's file: regular files only (a FIFO would block the build forever, a device
/// could be endless), at most `MAX_FILE_BYTES`, bounded even if the file grows while read.
fn read_bytes(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| io_diagnostic(path, &e))?;
    if !meta.is_file() {
        // A FIFO would block the build forever, a device could be endless.
        return Err(Diagnostic::file(path, FileMsg::NotRegular));
    }
    let too_large = |len: u64| Diagnostic::file(path, FileMsg::TooLarge(len));
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| io_diagnostic(path, &e))?;
    // Bounded even if the file grows while it is read.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_diagnostic(path, &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn io_diagnostic(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::file(path, FileMsg::CannotRead(e.to_string()))
}

/// Windows line endings become `\n`, so text fields are the same whatever the editor (lines and
/// columns of diagnostics do not change).
fn decode_text(path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) if s.contains("\r\n") => Ok(s.replace("\r\n", "\n")),
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
            Err(Diagnostic::at_offset(
                path,
                &valid,
                valid.len(),
                FileMsg::NotUtf8,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let d = decode_text(Path::new("f.toml"), b"title = \"a\"\nbody = \"\xff\"").unwrap_err();
        assert_eq!((d.line, d.col), (2, 9));
    }

    #[test]
    fn bom_and_crlf_are_removed_once() -> crate::error::TestResult {
        let s = Source::decode(Path::new("f.toml"), b"\xEF\xBB\xBFtitle = 1\r\nx = 2\r\n")?;
        assert_eq!(s.text, "title = 1\nx = 2\n");
        assert_eq!(
            Source::new("f.toml", "\u{feff}a\r\nb"),
            Source::new("f.toml", "a\nb")
        );
        Ok(())
    }
}

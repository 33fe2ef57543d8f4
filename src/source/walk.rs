//! Reading the `fiches/` tree from disk: a depth-first walk sorted by file name (the document
//! order), file decoding (UTF-8, BOM, size limit), parallel parsing, and collection of every
//! problem found into one report. The only other module that reads the user's files is `config`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Result};
use crate::source::fiche::{self, Doc, Part};
use crate::text::slug::name_slug;

pub const FICHES_DIR: &str = "fiches";
pub const PART_FILE: &str = "_part.toml";
/// Larger files are refused: no fiche is a megabyte of text.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One parsed entry file.
#[derive(Debug, Clone)]
pub struct LoadedEntry {
    pub path: PathBuf,
    /// Slug derived from the file name (ordering digits dropped).
    pub name_slug: String,
    pub source: String,
    pub doc: Doc,
    /// The notes and links its Markdown fields cite (scanned while parsing, in parallel).
    pub cited: crate::text::markdown::Scan,
}

impl LoadedEntry {
    /// An entry read from `path`: its name's slug and the references it cites are derived here.
    pub fn new(path: PathBuf, source: String, doc: Doc) -> LoadedEntry {
        LoadedEntry {
            name_slug: name_slug(&path),
            cited: crate::text::markdown::scan_all(doc.markdown_fields()),
            path,
            source,
            doc,
        }
    }
}

/// One part folder with its entries, in order.
#[derive(Debug, Clone)]
pub struct LoadedPart {
    pub path: PathBuf,
    pub name_slug: String,
    pub source: String,
    pub part: Part,
    pub entries: Vec<LoadedEntry>,
}

/// The tree in document order.
#[derive(Debug, Clone)]
pub enum Node {
    Entry(LoadedEntry),
    Part(LoadedPart),
}

/// A file found by the walk, before parsing.
pub enum Found {
    Entry { path: PathBuf, part: Option<usize> },
    Part { dir: PathBuf },
}

/// What `fiches_lenient` read: every file that parsed, every problem, and the slugs of the files
/// that did not parse (so that cross-file checks do not report links to them as unknown).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub nodes: Vec<Node>,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_slugs: Vec<String>,
}

/// Like `fiches`, but keeps going: a part whose `_part.toml` is broken still holds its entries
/// (under an empty placeholder part), so `booklet` can check the rest of the folder in the same
/// run. Only a missing `fiches/` folder stops it.
pub fn fiches_lenient(root: &Path) -> Result<Loaded> {
    fiches_lenient_with(root, &parse_found)
}

/// Like `fiches_lenient`, with each file the walk finds parsed by `parse` (called in parallel):
/// `livret serve` passes one that reuses what it parsed before when the file did not change.
pub fn fiches_lenient_with(
    root: &Path,
    parse: &(dyn Fn(&Found) -> Result<Parsed, Vec<Diagnostic>> + Sync),
) -> Result<Loaded> {
    let dir = root.join(FICHES_DIR);
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "no {} folder: create it and put fiches in it (livret new \"Titre\")",
            dir.display()
        )));
    }
    if let Some(d) = outside_project(root, &dir) {
        return Err(Error::Content(vec![d]));
    }
    let mut diagnostics = Vec::new();
    let found = walk(&dir, &mut diagnostics);

    // Parse in parallel, keep document order.
    let parsed: Vec<Result<Parsed, Vec<Diagnostic>>> = found.par_iter().map(parse).collect();

    let mut nodes: Vec<Node> = Vec::new();
    let mut broken_slugs = Vec::new();
    let mut part_index: Vec<Option<usize>> = Vec::new(); // walk part number -> nodes index
    for (found, result) in found.iter().zip(parsed) {
        match (found, result) {
            (Found::Part { dir }, Err(d)) => {
                diagnostics.extend(d);
                part_index.push(Some(nodes.len()));
                nodes.push(Node::Part(LoadedPart {
                    path: dir.join(PART_FILE),
                    name_slug: name_slug(dir),
                    source: String::new(),
                    part: Part {
                        title: String::new(),
                        intro: None,
                        slug: None,
                    },
                    entries: Vec::new(),
                }));
            }
            (Found::Entry { path, .. }, Err(d)) => {
                diagnostics.extend(d);
                broken_slugs.push(name_slug(path));
                if let Some(slug) = read_text(path)
                    .ok()
                    .and_then(|s| crate::source::schema::top_level_str(&s, "slug"))
                {
                    broken_slugs.push(slug);
                }
            }
            (Found::Part { .. }, Ok(Parsed::Part(p))) => {
                part_index.push(Some(nodes.len()));
                nodes.push(Node::Part(p));
            }
            (Found::Entry { part: None, .. }, Ok(Parsed::Entry(e))) => nodes.push(Node::Entry(e)),
            (Found::Entry { part: Some(k), .. }, Ok(Parsed::Entry(e))) => {
                if let Some(Some(i)) = part_index.get(*k)
                    && let Some(Node::Part(p)) = nodes.get_mut(*i)
                {
                    p.entries.push(e);
                }
            }
            _ => {}
        }
    }
    for node in &nodes {
        if let Node::Entry(e) = node
            && let Doc::Fiche(_) = e.doc
        {
            diagnostics.push(
                Diagnostic::file(&e.path, "a numbered fiche must be inside a part folder")
                    .with_help(
                        "move it into a part folder (fiches/10-name/ with a _part.toml), \
                         or make it an unnumbered page with kind = \"page\"",
                    ),
            );
        }
    }
    Diagnostic::sort(&mut diagnostics);
    Ok(Loaded {
        nodes,
        diagnostics,
        broken_slugs,
    })
}

/// One parsed file: an entry, or a part's `_part.toml` (its entries are added by the walk).
#[derive(Debug, Clone)]
pub enum Parsed {
    Entry(LoadedEntry),
    Part(LoadedPart),
}

/// Reads and parses one file the walk found (for a part folder, its `_part.toml`).
pub fn parse_found(found: &Found) -> Result<Parsed, Vec<Diagnostic>> {
    match found {
        Found::Entry { path, .. } => {
            let source = read_text(path).map_err(|d| vec![d])?;
            // Every unknown key, wrong type and missing key of the file, not only serde's first.
            let tree = crate::source::schema::validated_entry(path, &source)?;
            let doc = fiche::from_tree(path, &source, tree).map_err(|d| vec![d])?;
            let inline = crate::source::inline::check(
                path,
                &source,
                &crate::source::inline::entry_fields(&doc),
            );
            if !inline.is_empty() {
                return Err(inline);
            }
            Ok(Parsed::Entry(LoadedEntry::new(path.clone(), source, doc)))
        }
        Found::Part { dir } => {
            let path = dir.join(PART_FILE);
            if !path.is_file() {
                return Err(vec![
                    Diagnostic::file(dir, "this part folder has no _part.toml")
                        .with_help("add a _part.toml with the part's title: title = \"…\""),
                ]);
            }
            let source = read_text(&path).map_err(|d| vec![d])?;
            let tree =
                crate::source::schema::validated(&path, &source, &crate::source::schema::PART)?;
            let part = fiche::part_from_tree(&path, &source, tree).map_err(|d| vec![d])?;
            let title = [(
                "title",
                part.title.as_str(),
                crate::source::inline::Shown::InLink,
            )];
            let inline = crate::source::inline::check(&path, &source, &title);
            if !inline.is_empty() {
                return Err(inline);
            }
            Ok(Parsed::Part(LoadedPart {
                name_slug: name_slug(dir),
                path,
                source,
                part,
                entries: Vec::new(),
            }))
        }
    }
}

/// The sorted depth-first walk. Problems with names and nesting become diagnostics.
fn walk(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<Found> {
    let mut found = Vec::new();
    let mut parts = 0usize;
    let mut walker = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
    while let Some(item) = walker.next() {
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                // A part folder that cannot be listed: this is its one diagnostic.
                if let Some(Found::Part { dir: part }) = found.last()
                    && *part == path
                {
                    found.pop();
                    parts -= 1;
                }
                diagnostics.push(
                    Diagnostic::file(&path, format!("cannot read: {e}"))
                        .with_help("check that the file or folder exists and is readable"),
                );
                continue;
            }
        };
        let path = entry.path().to_path_buf();
        let Some(name) = entry.file_name().to_str() else {
            diagnostics.push(
                Diagnostic::file(&path, "this file name is not valid UTF-8")
                    .with_help("rename it using letters, digits and dashes"),
            );
            if entry.file_type().is_dir() {
                walker.skip_current_dir(); // its files belong to no known part
            }
            continue;
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            diagnostics.push(
                Diagnostic::file(&path, "symbolic links are not followed in fiches/")
                    .with_help("replace the link by the file or folder itself"),
            );
            continue;
        }
        if ft.is_dir() {
            if entry.depth() > 1 {
                diagnostics.push(
                    Diagnostic::file(&path, "parts cannot be nested")
                        .with_help("keep one level of part folders directly under fiches/"),
                );
                walker.skip_current_dir(); // reported once, not once per file inside
            } else {
                found.push(Found::Part { dir: path });
                parts += 1;
            }
            continue;
        }
        if !name.ends_with(".toml") {
            continue; // images, notes, READMEs: not content
        }
        if name == PART_FILE {
            if entry.depth() == 1 {
                diagnostics.push(
                    Diagnostic::file(&path, "_part.toml belongs inside a part folder")
                        .with_help("move it into a folder such as fiches/10-name/"),
                );
            }
            continue;
        }
        let part = match entry.depth() {
            1 => None,
            // Inside the part folder walked last (a skipped folder's files never come here).
            2 => match parts.checked_sub(1) {
                Some(k) => Some(k),
                None => continue,
            },
            _ => continue, // inside a nested folder, already reported
        };
        found.push(Found::Entry { path, part });
    }
    found
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
    Some(
        Diagnostic::file(
            path,
            format!(
                "this folder is a symbolic link to {}, outside the project",
                real.display()
            ),
        )
        .with_help("copy the folder into the project instead of linking to it"),
    )
}

/// Reads a content file as text: regular files only, size limit, UTF-8 check with a located
/// error, BOM removed.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| io_diagnostic(path, &e))?;
    if !meta.is_file() {
        // A FIFO would block the build forever, a device could be endless.
        return Err(Diagnostic::file(
            path,
            "this is not a regular file (a pipe, socket or device?)",
        )
        .with_help("replace it by an ordinary text file"));
    }
    let too_large = |len: u64| {
        Diagnostic::file(
            path,
            format!("file is too large ({len} bytes, the limit is 1 MiB)"),
        )
        .with_help("split the content into several fiches, or remove pasted binary data")
    };
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
    decode_text(path, &bytes)
}

fn io_diagnostic(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::file(path, format!("cannot read this file: {e}"))
        .with_help("check that it exists and that you may read it")
}

/// Decodes bytes as UTF-8 text (without BOM), as an `Error`.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    decode_text(path, bytes).map_err(Error::from)
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
            let mut d = Diagnostic::at_offset(
                path,
                &valid,
                valid.len(),
                "this file is not valid UTF-8 text",
            );
            d.help = Some("save the file as UTF-8 in your editor (\"Encoding: UTF-8\")".into());
            Err(d)
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
}

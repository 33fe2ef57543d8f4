//! Reading the `fiches/` tree from disk: a depth-first walk sorted by file name (the document
//! order), file decoding (UTF-8, BOM, size limit), parallel parsing, and collection of every
//! problem found into one report. The only other module that reads the user's files is `config`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Diagnostic, Error, Result};
use crate::message::FileMsg;
use crate::source::fiche::{self, Doc, Part};
use crate::source::{Source, outside_project};
use crate::text::slug::name_slug;

pub const FICHES_DIR: &str = "fiches";
pub const PART_FILE: &str = "_part.toml";

/// One parsed entry file.
#[derive(Debug, Clone)]
pub struct LoadedEntry {
    /// The file as read (its path, its text).
    pub source: Source,
    /// Slug derived from the file name (ordering digits dropped).
    pub name_slug: String,
    pub doc: Doc,
    /// The notes and links its Markdown fields cite (scanned while parsing, in parallel).
    pub cited: crate::text::markdown::Scan,
}

impl LoadedEntry {
    /// An entry read from `source`: its name's slug and the references it cites are derived
    /// here.
    pub fn new(source: Source, doc: Doc) -> LoadedEntry {
        LoadedEntry {
            name_slug: name_slug(&source.path),
            cited: crate::text::markdown::scan_all(doc.markdown_fields()),
            source,
            doc,
        }
    }
}

/// One part folder with its entries, in order.
#[derive(Debug, Clone)]
pub struct LoadedPart {
    /// Its `_part.toml` as read (empty when that file is broken).
    pub source: Source,
    pub name_slug: String,
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
        return Err(Error::Said(Box::new(
            FileMsg::NoFiches(dir.display().to_string()).into(),
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
                    source: Source::new(dir.join(PART_FILE), ""),
                    name_slug: name_slug(dir),
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
                if let Some(slug) = Source::read(path)
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
            diagnostics.push(Diagnostic::file(
                &e.source.path,
                FileMsg::NumberedOutsidePart,
            ));
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
        Found::Entry { path, .. } => parse_entry(Source::read(path).map_err(|d| vec![d])?),
        Found::Part { dir } => {
            let path = dir.join(PART_FILE);
            if !path.is_file() {
                return Err(vec![Diagnostic::file(dir, FileMsg::PartWithoutToml)]);
            }
            parse_part(dir, Source::read(&path).map_err(|d| vec![d])?)
        }
    }
}

/// Parses one file the walk found from bytes already read (`livret serve` reads them itself,
/// to hash them): the file is read once.
pub fn parse_read(found: &Found, bytes: &[u8]) -> Result<Parsed, Vec<Diagnostic>> {
    match found {
        Found::Entry { path, .. } => parse_entry(Source::decode(path, bytes).map_err(|d| vec![d])?),
        Found::Part { dir } => parse_part(
            dir,
            Source::decode(&dir.join(PART_FILE), bytes).map_err(|d| vec![d])?,
        ),
    }
}

/// Parses the `_part.toml` of the part folder `dir`.
fn parse_part(dir: &Path, source: Source) -> Result<Parsed, Vec<Diagnostic>> {
    let tree = crate::source::schema::validated(&source, &crate::source::schema::PART)?;
    let part = fiche::part_from_tree(&source, tree).map_err(|d| vec![d])?;
    let title = [(
        "title",
        part.title.as_str(),
        crate::source::inline::Shown::InLink,
    )];
    let inline = crate::source::inline::check(&source, &title);
    if !inline.is_empty() {
        return Err(inline);
    }
    Ok(Parsed::Part(LoadedPart {
        name_slug: name_slug(dir),
        source,
        part,
        entries: Vec::new(),
    }))
}

/// Parses one entry file already read (`livret serve` reads the bytes itself, to hash them).
pub fn parse_entry(source: Source) -> Result<Parsed, Vec<Diagnostic>> {
    // Every unknown key, wrong type and missing key of the file, not only serde's first.
    let tree = crate::source::schema::validated_entry(&source)?;
    let doc = fiche::from_tree(&source, tree).map_err(|d| vec![d])?;
    let inline = crate::source::inline::check(&source, &crate::source::inline::entry_fields(&doc));
    if !inline.is_empty() {
        return Err(inline);
    }
    Ok(Parsed::Entry(LoadedEntry::new(source, doc)))
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
                diagnostics.push(Diagnostic::file(
                    &path,
                    FileMsg::CannotReadEntry(e.to_string()),
                ));
                continue;
            }
        };
        let path = entry.path().to_path_buf();
        let Some(name) = entry.file_name().to_str() else {
            diagnostics.push(Diagnostic::file(&path, FileMsg::NameNotUtf8));
            if entry.file_type().is_dir() {
                walker.skip_current_dir(); // its files belong to no known part
            }
            continue;
        };
        let ft = entry.file_type();
        if ft.is_symlink() {
            diagnostics.push(Diagnostic::file(&path, FileMsg::SymlinkInFiches));
            continue;
        }
        if ft.is_dir() {
            if entry.depth() > 1 {
                diagnostics.push(Diagnostic::file(&path, FileMsg::NestedParts));
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
                diagnostics.push(Diagnostic::file(&path, FileMsg::PartTomlOutside));
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

//! Incremental rebuilds for `livret serve`: a `Session` remembers, between two rebuilds, what it
//! parsed (each content file by path, with its size, times and content hash), the compiled
//! theme, and what `out/` holds (a fingerprint of the inputs of every page and print block, and
//! the print blocks themselves). A rebuild re-walks `fiches/` (names and metadata only),
//! re-parses only the files that changed, assembles the booklet again (cheap, linear), and
//! re-renders only the outputs whose inputs changed: the edited entry's page and print block,
//! its neighbours' pages when its title changed, the index and the print sommaire when a
//! sommaire line changed, the later print blocks when its note count changed. When the booklet's
//! structure (order, slugs, numbers, parts), `livret.toml` or the theme changed, everything is
//! rendered again and written through the same staged, atomic path as `livret build`.
//! Otherwise the few changed files are written straight into `out/`, each one atomically.
//! Either way `out/` ends byte-identical to a full `livret build` of the same input, and a
//! rebuild that fails writes nothing.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use rayon::prelude::*;

use crate::booklet::{Booklet, Item};
use crate::build::{self, BuildOptions, Project, keep};
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::fiche::Doc;
use crate::load::{self, Found, LoadedEntry, Parsed};
use crate::output::{self, MANIFEST};
use crate::render::{Fields, Renderer};
use crate::theme::{self, Theme};

/// A file whose last change is more recent than this, when it was last looked at, is read again
/// even if its size and times did not change: its next change could have come within the same
/// tick of the file system's clock (as `git` does for "racily clean" files).
const SETTLE: Duration = Duration::from_secs(2);

/// A serve session: rebuilds `options.out` from `options.root`, reusing what did not change.
pub struct Session {
    options: BuildOptions,
    /// Every content file read by the last rebuild, by path.
    files: HashMap<OsString, Arc<Seen>>,
    /// The documents of the last booklet, with the file they were parsed from: the next
    /// rebuild moves them into its booklet instead of copying them from `files` (a document
    /// is many small strings).
    docs: Docs,
    /// The compiled theme, with the fingerprint of what it was compiled from.
    theme: Option<(u64, Theme)>,
    /// What `out/` holds, when this session wrote it.
    last: Option<Last>,
    /// Counts rebuilds: stands in for a fingerprint that cannot be known, so that it never
    /// matches the previous one.
    rebuilds: u64,
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    /// Everything was rendered again (first build, or the structure, config or theme changed).
    pub full: bool,
    /// The files written into the output folder, sorted.
    pub written: Vec<String>,
    /// HTML pages of the site (entries, index, print edition).
    pub pages: usize,
    pub millis: u128,
}

/// Documents by path (as an `OsString`: hashing a `Path` walks its components), each with the
/// reading of the file it was parsed from.
type Docs = HashMap<OsString, (Arc<Seen>, Doc)>;

/// One content file as last read.
struct Seen {
    stamp: Stamp,
    /// When `stamp` was taken.
    checked: SystemTime,
    /// Hash of the file's bytes.
    hash: u64,
    parsed: std::result::Result<Parsed, Vec<Diagnostic>>,
}

/// The metadata that changes when a file's content does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    /// Status change time and inode (Unix): unlike the modification time, no tool sets them.
    changed: Option<SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let (changed, inode) = {
            use std::os::unix::fs::MetadataExt;
            let changed = u64::try_from(meta.ctime()).ok().and_then(|s| {
                let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
                SystemTime::UNIX_EPOCH.checked_add(Duration::new(s, nanos))
            });
            (changed, meta.ino())
        };
        #[cfg(not(unix))]
        let (changed, inode) = (None, 0);
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            changed,
            inode,
        }
    }

    /// Whether a file with this stamp, looked at `checked`, had been left alone long enough
    /// that any later change must show in its stamp.
    fn settled(&self, checked: SystemTime) -> bool {
        let last = match (self.modified, self.changed) {
            (Some(m), Some(c)) => m.max(c),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => return false,
        };
        checked.duration_since(last).is_ok_and(|d| d > SETTLE)
    }
}

/// What `out/` holds, as the last successful rebuild left it.
struct Last {
    keys: Keys,
    /// The output manifest's stamp: another program rebuilding `out/` changes it.
    manifest: Option<Stamp>,
    /// The print edition around its items.
    head: String,
    tail: String,
    /// Every print block, in document order.
    blocks: Vec<Vec<u8>>,
}

/// Fingerprints of the inputs of every output: equal fingerprints, equal output. They follow
/// what `render` reads for each output, and must follow it when it changes (tests/incremental.rs
/// compares the result with full builds after every kind of edit).
#[derive(Clone)]
struct Keys {
    /// Structure (order, slugs, kinds, numbers, parts), config, theme, PDF presence: when it
    /// changes, everything is rendered again.
    global: u64,
    /// `index.html`: the sommaire's lines and the pages shown before the sommaire.
    index: u64,
    /// The print edition's frame (it holds the sommaire).
    frame: u64,
    /// Each entry's web page (0 for an entry without one).
    pages: Vec<u64>,
    /// Each print block, in document order.
    blocks: Vec<u64>,
}

/// Freshly rendered outputs, not yet written.
#[derive(Default)]
struct Rendered {
    /// Web pages, by entry index.
    pages: Vec<(usize, Vec<u8>)>,
    /// Print blocks, by position in document order.
    blocks: Vec<(usize, Vec<u8>)>,
    index: Option<Vec<u8>>,
    frame: Option<(String, String)>,
}

impl Session {
    pub fn new(options: BuildOptions) -> Session {
        Session {
            options,
            files: HashMap::new(),
            docs: HashMap::new(),
            theme: None,
            last: None,
            rebuilds: 0,
        }
    }

    /// Brings the output folder up to date with the project. On any problem nothing is written
    /// and the output folder keeps the last good build.
    pub fn rebuild(&mut self) -> Result<Rebuilt> {
        let start = Instant::now();
        self.rebuilds += 1;
        let project = self.load()?;
        let result = self.write(&project, start);
        let files = &self.files;
        self.docs = project
            .booklet
            .entries
            .into_iter()
            .filter_map(|e| Some((Arc::clone(files.get(e.path.as_os_str())?), e.path, e.doc)))
            .map(|(seen, path, doc)| (path.into_os_string(), (seen, doc)))
            .collect();
        result
    }

    /// Renders and writes what changed in `project` since the last rebuild (everything when
    /// its structure, config or theme changed).
    fn write(&mut self, project: &Project, start: Instant) -> Result<Rebuilt> {
        let has_pdf = self.options.out.join(crate::PDF_NAME).is_file();
        let keys = self.keys(&project.booklet, has_pdf);
        let pages = 2 + project
            .booklet
            .entries
            .iter()
            .filter(|e| e.has_page())
            .count();
        let manifest = manifest_stamp(&self.options.out);
        let (full, written) = match self.last.take() {
            // Same structure, config and theme, and out/ is still as this session left it.
            Some(last) if last.keys.global == keys.global && last.manifest == manifest => {
                (false, self.update(project, has_pdf, keys, last)?)
            }
            last => {
                self.last = last;
                (true, self.render_all(project, keys, start)?)
            }
        };
        Ok(Rebuilt {
            full,
            written,
            pages,
            millis: start.elapsed().as_millis(),
        })
    }

    /// Loads the project like `build::load_project`, parsing only the files that changed and
    /// compiling the theme only when its files or the config changed.
    fn load(&mut self) -> Result<Project> {
        let before = &self.files;
        let docs = Mutex::new(std::mem::take(&mut self.docs));
        let now = Mutex::new(HashMap::with_capacity(before.len()));
        let theme = &mut self.theme;
        let project = build::load_project_with(
            &self.options.root,
            |root| load::fiches_lenient_with(root, &|found| parse(before, &docs, &now, found)),
            |root, config, path| cached_theme(theme, root, config, path),
        );
        self.files = now.into_inner().unwrap_or_else(|e| e.into_inner());
        project
    }

    /// The fingerprints of every output of `booklet`.
    fn keys(&self, booklet: &Booklet, has_pdf: bool) -> Keys {
        let content = |path: &Path| match self.files.get(path.as_os_str()) {
            Some(seen) => seen.hash,
            None => hash(&("not read", self.rebuilds)), // never equal to the last one
        };
        let entries = &booklet.entries;
        let part_content: Vec<u64> = booklet.parts.iter().map(|p| content(&p.path)).collect();
        let entry_content: Vec<u64> = entries.iter().map(|e| content(&e.path)).collect();

        let mut global = DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut global);
        serde_json::to_string(&booklet.config)
            .unwrap_or_default()
            .hash(&mut global);
        self.theme.as_ref().map(|(key, _)| *key).hash(&mut global);
        has_pdf.hash(&mut global);
        let mut toc = DefaultHasher::new();
        for item in &booklet.order {
            match *item {
                Item::Part(p) => {
                    let part = &booklet.parts[p];
                    (0u8, &part.slug, &part.path, &part.entries).hash(&mut global);
                    part_content[p].hash(&mut toc);
                }
                Item::Entry(i) => {
                    let e = &entries[i];
                    let kind = match e.doc {
                        Doc::Fiche(_) => 0u8,
                        Doc::Page(_) => 1,
                        Doc::Sommaire(_) => 2,
                    };
                    (1u8, &e.slug, &e.path, kind, e.number, e.part).hash(&mut global);
                    sommaire_line(&e.doc).hash(&mut toc);
                }
            }
        }
        let toc = toc.finish();

        // A web page shows its entry, its part's title and its neighbours' titles.
        let title = |i: Option<usize>| i.map(|i| entries[i].doc.title());
        let pages = entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                if !e.has_page() {
                    return 0;
                }
                let part = e.part.map(|p| part_content[p]);
                hash(&(entry_content[i], part, title(e.prev), title(e.next)))
            })
            .collect();
        // A print block shows its entry, its part's title and its notes, if any, numbered after
        // all the notes before it; the sommaire's block shows the sommaire.
        let blocks = booklet
            .order
            .iter()
            .map(|item| match *item {
                Item::Part(p) => hash(&(0u8, part_content[p])),
                Item::Entry(i) => {
                    let e = &entries[i];
                    let sommaire = matches!(e.doc, Doc::Sommaire(_)).then_some(toc);
                    let part = e.part.map(|p| part_content[p]);
                    let notes_before = (!e.notes.is_empty()).then_some(e.notes_before);
                    hash(&(1u8, entry_content[i], part, notes_before, sommaire))
                }
            })
            .collect();
        // The index shows the sommaire and, in full, the pages before it.
        let front: Vec<u64> = (0..booklet.sommaire.unwrap_or(0))
            .filter(|&i| entries[i].part.is_none())
            .map(|i| entry_content[i])
            .collect();
        Keys {
            global: global.finish(),
            index: hash(&(toc, front)),
            frame: toc,
            pages,
            blocks,
        }
    }

    /// Renders everything and writes it the way `livret build` does: staged, then moved in.
    /// Returns the files of the new output.
    fn render_all(&mut self, project: &Project, keys: Keys, start: Instant) -> Result<Vec<String>> {
        let mut last = None;
        let options = &self.options;
        let report = build::write_staged(
            options,
            project,
            None,
            build::PdfFiles::Keep,
            start,
            |renderer, project, sink| {
                let booklet = &project.booklet;
                let mut problems = Vec::new();
                let pages = build::render_shared(renderer, project, sink, &mut problems)?;
                let rendered = render(renderer, booklet, &keys, None, &mut problems)?;
                build::finish(problems)?;
                let (Some(index), Some((head, tail))) = (rendered.index, rendered.frame) else {
                    return Err(Error::Other(
                        "the index or the print frame was not rendered".into(),
                    ));
                };
                let mut blocks = vec![Vec::new(); booklet.order.len()];
                for (k, html) in rendered.blocks {
                    if let Some(block) = blocks.get_mut(k) {
                        *block = html;
                    }
                }
                rendered
                    .pages
                    .par_iter()
                    .try_for_each(|(i, html)| sink.write(&booklet.entries[*i].file_name(), html))?;
                sink.write("index.html", &index)?;
                sink.write("print.html", &print_edition(&head, &blocks, &tail))?;
                last = Some(Last {
                    keys,
                    manifest: None,
                    head,
                    tail,
                    blocks,
                });
                Ok(pages)
            },
        );
        if let Err(e) = report {
            if last.is_some() {
                // Rendered, but moving it into out/ failed midway: start again from scratch.
                self.last = None;
            }
            return Err(e);
        }
        let out = &self.options.out;
        self.last = last.map(|last| Last {
            manifest: manifest_stamp(out),
            ..last
        });
        let manifest = out.join(MANIFEST);
        let listed = fs::read_to_string(&manifest).map_err(|e| Error::io(&manifest, e))?;
        Ok(listed.lines().map(str::to_string).collect())
    }

    /// Renders what changed since `last` and writes it into `out/`, each file atomically.
    /// Returns the files written. A rendering problem leaves `out/` and `last` as they were;
    /// a failed write makes the next rebuild a full one.
    fn update(
        &mut self,
        project: &Project,
        has_pdf: bool,
        keys: Keys,
        mut last: Last,
    ) -> Result<Vec<String>> {
        let booklet = &project.booklet;
        let renderer = Renderer::new(booklet, &project.theme, has_pdf);
        let mut problems = Vec::new();
        let rendered = render(&renderer, booklet, &keys, Some(&last.keys), &mut problems)
            .and_then(|rendered| build::finish(problems).map(|()| rendered));
        let rendered = match rendered {
            Ok(rendered) => rendered,
            Err(e) => {
                self.last = Some(last);
                return Err(e);
            }
        };
        let mut files: Vec<(String, Vec<u8>)> = rendered
            .pages
            .into_iter()
            .map(|(i, html)| (booklet.entries[i].file_name(), html))
            .collect();
        if let Some(html) = rendered.index {
            files.push(("index.html".into(), html));
        }
        if rendered.frame.is_some() || !rendered.blocks.is_empty() {
            if let Some((head, tail)) = rendered.frame {
                last.head = head;
                last.tail = tail;
            }
            for (k, html) in rendered.blocks {
                if let Some(block) = last.blocks.get_mut(k) {
                    *block = html;
                }
            }
            files.push((
                "print.html".into(),
                print_edition(&last.head, &last.blocks, &last.tail),
            ));
        }
        let out = &self.options.out;
        files
            .par_iter()
            .try_for_each(|(name, bytes)| write_in_place(out, name, bytes))?;
        last.keys = keys;
        self.last = Some(last);
        let mut names: Vec<String> = files.into_iter().map(|(name, _)| name).collect();
        names.sort();
        Ok(names)
    }
}

/// Renders the pages and print blocks whose fingerprint in `keys` differs from `before` (all
/// of them without `before`), and the index and print frame likewise. Problems go into
/// `problems`.
fn render(
    renderer: &Renderer,
    booklet: &Booklet,
    keys: &Keys,
    before: Option<&Keys>,
    problems: &mut Vec<Diagnostic>,
) -> Result<Rendered> {
    let stale = |new: &u64, old: Option<&u64>| old != Some(new);
    let todo: Vec<(usize, Item, bool, bool)> = booklet
        .order
        .iter()
        .enumerate()
        .filter_map(|(k, &item)| {
            let page = match item {
                Item::Entry(i) if booklet.entries[i].has_page() => {
                    stale(&keys.pages[i], before.and_then(|b| b.pages.get(i)))
                }
                _ => false,
            };
            let block = stale(&keys.blocks[k], before.and_then(|b| b.blocks.get(k)));
            (page || block).then_some((k, item, page, block))
        })
        .collect();
    let index = stale(&keys.index, before.map(|b| &b.index));
    let frame = stale(&keys.frame, before.map(|b| &b.frame));
    // The sommaires are the costliest pages: render them side by side and with the entries.
    let (index, (frame, items)) = rayon::join(
        || index.then(|| renderer.index()),
        || {
            rayon::join(
                || frame.then(|| renderer.print_frame()),
                || {
                    todo.par_iter()
                        .map(|&(k, item, page, block)| {
                            // An entry's page and print block share its rendered Markdown.
                            let fields = Fields::default();
                            let page = match item {
                                Item::Entry(i) if page => {
                                    Some((i, renderer.entry_page(i, &fields)))
                                }
                                _ => None,
                            };
                            (page, block.then(|| (k, renderer.print_item(item, &fields))))
                        })
                        .collect::<Vec<_>>()
                },
            )
        },
    );
    let mut rendered = Rendered::default();
    for (page, block) in items {
        if let Some((i, html)) = page
            && let Some(html) = keep(html, problems)?
        {
            rendered.pages.push((i, html));
        }
        if let Some((k, html)) = block
            && let Some(html) = keep(html, problems)?
        {
            rendered.blocks.push((k, html));
        }
    }
    if let Some(html) = index {
        rendered.index = keep(html, problems)?;
    }
    if let Some(frame) = frame {
        rendered.frame = keep(frame, problems)?;
    }
    Ok(rendered)
}

/// Parses one file the walk found, or reuses what the last rebuild parsed when the file did not
/// change (its document taken from `docs` when there). Records what it saw in `now`.
fn parse(
    before: &HashMap<OsString, Arc<Seen>>,
    docs: &Mutex<Docs>,
    now: &Mutex<HashMap<OsString, Arc<Seen>>>,
    found: &Found,
) -> std::result::Result<Parsed, Vec<Diagnostic>> {
    let path = match found {
        Found::Entry { path, .. } => path.clone(),
        Found::Part { dir } => dir.join(load::PART_FILE),
    };
    let checked = SystemTime::now();
    let stamp = match fs::metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() <= load::MAX_FILE_BYTES => Stamp::of(&meta),
        _ => return load::parse_found(found), // missing, too large…: its own diagnostic
    };
    let old = before.get(path.as_os_str());
    let (seen, unchanged) = match old {
        Some(old) if old.stamp == stamp && old.stamp.settled(old.checked) => {
            (Arc::clone(old), Some(old))
        }
        _ => {
            let Ok(bytes) = fs::read(&path) else {
                return load::parse_found(found);
            };
            let hash = hash(&bytes);
            let (parsed, unchanged) = match old {
                Some(old) if old.hash == hash => (old.parsed.clone(), Some(old)),
                // Reads the file again: if it changed since, its stamp differs next time.
                _ => (load::parse_found(found), None),
            };
            let seen = Arc::new(Seen {
                stamp,
                checked,
                hash,
                parsed,
            });
            (seen, unchanged)
        }
    };
    // The same content as last time: its document, if the last booklet had it, is still right.
    let doc = unchanged.and_then(|old| {
        let (from, doc) = docs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path.as_os_str())?;
        Arc::ptr_eq(&from, old).then_some(doc)
    });
    let parsed = match (&seen.parsed, doc) {
        (Ok(Parsed::Entry(e)), Some(doc)) => Ok(Parsed::Entry(LoadedEntry {
            path: e.path.clone(),
            name_slug: e.name_slug.clone(),
            source: e.source.clone(),
            doc,
            cited: e.cited.clone(),
        })),
        (parsed, _) => parsed.clone(),
    };
    now.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.into_os_string(), seen);
    parsed
}

/// The theme, compiled again only when its files, its name or the labels changed.
fn cached_theme(
    cache: &mut Option<(u64, Theme)>,
    root: &Path,
    config: &Config,
    config_path: &Path,
) -> Result<Theme> {
    let mut key = DefaultHasher::new();
    (&config.theme, &config.labels).hash(&mut key);
    let dir = root.join(theme::THEMES_DIR).join(&config.theme);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        match entry {
            Ok(e) => {
                (e.path(), e.file_type().is_dir(), e.file_type().is_symlink()).hash(&mut key);
                if e.file_type().is_file() {
                    fs::read(e.path()).ok().hash(&mut key);
                }
            }
            Err(e) => e.to_string().hash(&mut key),
        }
    }
    let key = key.finish();
    if let Some((known, theme)) = cache.as_ref()
        && *known == key
    {
        return Ok(theme.clone());
    }
    *cache = None;
    let theme = theme::load(root, config, config_path)?;
    *cache = Some((key, theme.clone()));
    Ok(theme)
}

/// What an entry shows in the sommaire (its slug, kind and number are in the structure).
fn sommaire_line(doc: &Doc) -> (bool, &str, Option<&str>, Option<&str>, Option<&str>) {
    match doc {
        Doc::Fiche(f) => (
            true,
            &f.title,
            f.example.as_deref(),
            f.tagline.as_deref(),
            None,
        ),
        Doc::Page(p) => (p.toc, &p.title, None, None, p.kicker.as_deref()),
        Doc::Sommaire(s) => (false, &s.title, None, None, None),
    }
}

fn hash(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

fn manifest_stamp(out: &Path) -> Option<Stamp> {
    fs::metadata(out.join(MANIFEST)).ok().map(|m| Stamp::of(&m))
}

/// The print edition: its frame around its blocks.
fn print_edition(head: &str, blocks: &[Vec<u8>], tail: &str) -> Vec<u8> {
    let len = head.len() + tail.len() + blocks.iter().map(Vec::len).sum::<usize>();
    let mut bytes = Vec::with_capacity(len);
    bytes.extend_from_slice(head.as_bytes());
    for block in blocks {
        bytes.extend_from_slice(block);
    }
    bytes.extend_from_slice(tail.as_bytes());
    bytes
}

/// Replaces one file of the output folder: written beside it, then renamed over it, so that the
/// server never sends half a page.
fn write_in_place(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let target = out.join(rel);
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned());
    let (true, Some(name)) = (output::is_safe_rel(rel), name) else {
        return Err(Error::Other(format!(
            "refusing to write `{rel}`: not a plain path inside the output folder"
        )));
    };
    let tmp = target.with_file_name(format!(".{name}.livret-new"));
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, &target))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::io(&target, e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_just_before_it_was_looked_at_is_not_settled() {
        let changed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let stamp = Stamp {
            len: 10,
            modified: Some(changed),
            changed: Some(changed),
            inode: 1,
        };
        assert!(!stamp.settled(changed));
        assert!(!stamp.settled(changed + Duration::from_millis(500)));
        assert!(stamp.settled(changed + Duration::from_secs(3)));
        // A modification time in the future (a clock set back) is never trusted.
        assert!(!stamp.settled(changed - Duration::from_secs(60)));
        let later_status_change = Stamp {
            changed: Some(changed + Duration::from_secs(10)),
            ..stamp
        };
        assert!(!later_status_change.settled(changed + Duration::from_secs(3)));
    }
}

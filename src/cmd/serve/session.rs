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

use crate::booklet::Booklet;
use crate::build::{self, BuildOptions, Project};
use crate::error::{Diagnostic, Error, Result};
use crate::output::{self, MANIFEST};
use crate::render::plan::{Fingerprints, Plan, fingerprint};
use crate::render::theme::{self, Theme};
use crate::render::{PdfLink, PrintLayout, Renderer, Settings};
use crate::source::config::ConfigFile;
use crate::source::fiche::Doc;
use crate::source::walk::{self, Found, LoadedEntry, Parsed};

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
    /// What a full render warned about: the lints, and PDFs removed because they no longer
    /// match the booklet.
    pub warnings: Vec<crate::error::Diagnostic>,
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
    keys: Fingerprints,
    /// The output manifest's stamp: another program rebuilding `out/` changes it.
    manifest: Option<Stamp>,
    /// The print edition around its items.
    head: String,
    tail: String,
    /// Every print block, in document order.
    blocks: Vec<Vec<u8>>,
    /// Every page's line of the search index.
    search: build::SearchDocs,
    /// Whether the pages link to `livret.pdf`, and the layout of the PDFs of an earlier
    /// `livret pdf` that still matched the print edition (`build::write_staged` decides).
    pdf: bool,
    layout: Option<PrintLayout>,
}

/// What a render handed over, kept in memory until it is known to have succeeded.
#[derive(Default)]
struct Collected {
    files: Mutex<Vec<(String, Vec<u8>)>>,
}

impl build::Sink for Collected {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        self.files
            .lock()
            .map_err(|_| Error::Invariant("a writer thread failed".into()))?
            .push((rel.to_string(), bytes.to_vec()));
        Ok(())
    }
}

/// The print edition's frame and blocks as a render hands them over.
#[derive(Default)]
struct CollectedPrint {
    frame: Option<(String, String)>,
    blocks: Vec<(usize, Vec<u8>)>,
}

impl build::PrintSink for CollectedPrint {
    fn frame(&mut self, head: &str, tail: String) -> Result<()> {
        self.frame = Some((head.to_string(), tail));
        Ok(())
    }

    fn block(&mut self, k: usize, html: Vec<u8>) -> Result<()> {
        self.blocks.push((k, html));
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
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
        let pages = build::html_pages(&project.booklet);
        let manifest = manifest_stamp(&self.options.out);
        let incremental = match self.last.take() {
            // Same structure, config and theme, and out/ is still as this session left it;
            // but not when the print edition changes while the pages link to a PDF: the PDF
            // no longer matches it, and a full render (as `livret build`) removes it and
            // says so.
            Some(last) if last.keys.global == keys.global && last.manifest == manifest => {
                let plan = Plan::changed(&keys, &last.keys);
                if last.pdf && plan.prints() {
                    self.last = Some(last);
                    None
                } else {
                    Some((plan, last))
                }
            }
            last => {
                self.last = last;
                None
            }
        };
        let (full, written, warnings) = match incremental {
            Some((plan, last)) => (false, self.update(project, &plan, keys, last)?, Vec::new()),
            None => {
                let (written, warnings) = self.render_all(project, keys, has_pdf, start)?;
                (true, written, warnings)
            }
        };
        Ok(Rebuilt {
            full,
            written,
            pages,
            millis: start.elapsed().as_millis(),
            warnings,
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
            |root| walk::fiches_lenient_with(root, &|found| parse(before, &docs, &now, found)),
            |root, config| cached_theme(theme, root, config),
        );
        self.files = now.into_inner().unwrap_or_else(|e| e.into_inner());
        project
    }

    /// The fingerprints of every output of `booklet`, from the hashes of the files read.
    fn keys(&self, booklet: &Booklet, has_pdf: bool) -> Fingerprints {
        let content = |path: &Path| match self.files.get(path.as_os_str()) {
            Some(seen) => seen.hash,
            None => fingerprint(&("not read", self.rebuilds)), // never equal to the last one
        };
        let theme = match &self.theme {
            Some((key, _)) => *key,
            None => fingerprint(&("no theme", self.rebuilds)),
        };
        Fingerprints::of(booklet, theme, has_pdf, &content)
    }

    /// Renders everything and writes it the way `livret build` does: staged, then moved in.
    /// Returns the files of the new output.
    fn render_all(
        &mut self,
        project: &Project,
        keys: Fingerprints,
        keyed_with_pdf: bool,
        start: Instant,
    ) -> Result<(Vec<String>, Vec<crate::error::Diagnostic>)> {
        let mut last = None;
        let options = &self.options;
        let report = build::write_staged(
            options,
            project,
            None,
            build::PdfFiles::Keep,
            false,
            start,
            |renderer, staging| {
                let booklet = &project.booklet;
                let mut print = CollectedPrint::default();
                let mut search = Vec::new();
                build::render_outputs(
                    renderer,
                    &Plan::all(booklet),
                    staging,
                    &mut print,
                    &mut search,
                )?;
                let Some((head, tail)) = print.frame else {
                    return Err(Error::Invariant("the print frame was not rendered".into()));
                };
                let mut blocks = vec![Vec::new(); booklet.order.len()];
                for (k, html) in print.blocks {
                    if let Some(block) = blocks.get_mut(k) {
                        *block = html;
                    }
                }
                staging.write(
                    crate::output::names::PRINT,
                    &print_edition(&head, &blocks, &tail),
                )?;
                last = Some(Last {
                    keys,
                    manifest: None,
                    head,
                    tail,
                    blocks,
                    search,
                    pdf: renderer.site().has_pdf,
                    layout: renderer.layout().cloned(),
                });
                Ok(())
            },
        );
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                if last.is_some() {
                    // Rendered, but moving it into out/ failed midway: start again from scratch.
                    self.last = None;
                }
                return Err(e);
            }
        };
        // The render decided whether the pages link a PDF (a stale one is gone): the next
        // rebuild compares its keys with those of what was written.
        if let Some(last) = last.as_mut().filter(|l| l.pdf != keyed_with_pdf) {
            last.keys = self.keys(&project.booklet, last.pdf);
        }
        let out = &self.options.out;
        self.last = last.map(|last| Last {
            manifest: manifest_stamp(out),
            ..last
        });
        let manifest = out.join(MANIFEST);
        let listed = fs::read_to_string(&manifest).map_err(|e| Error::io(&manifest, e))?;
        Ok((
            listed.lines().map(str::to_string).collect(),
            report.warnings,
        ))
    }

    /// Renders what changed since `last` and writes it into `out/`, each file atomically.
    /// Returns the files written. A rendering problem leaves `out/` and `last` as they were;
    /// a failed write makes the next rebuild a full one.
    fn update(
        &mut self,
        project: &Project,
        plan: &Plan,
        keys: Fingerprints,
        mut last: Last,
    ) -> Result<Vec<String>> {
        let settings = Settings {
            pdf: if last.pdf {
                PdfLink::Linked
            } else {
                PdfLink::Absent
            },
            layout: last.layout.as_ref(),
        };
        let renderer = Renderer::new(&project.booklet, &project.theme, settings);
        let collected = Collected::default();
        let mut print = CollectedPrint::default();
        if let Err(e) =
            build::render_outputs(&renderer, plan, &collected, &mut print, &mut last.search)
        {
            self.last = Some(last);
            return Err(e);
        }
        let mut files = collected
            .files
            .into_inner()
            .map_err(|_| Error::Invariant("a writer thread failed".into()))?;
        if print.frame.is_some() || !print.blocks.is_empty() {
            if let Some((head, tail)) = print.frame {
                last.head = head;
                last.tail = tail;
            }
            for (k, html) in print.blocks {
                if let Some(block) = last.blocks.get_mut(k) {
                    *block = html;
                }
            }
            files.push((
                crate::output::names::PRINT.into(),
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
        Found::Part { dir } => dir.join(walk::PART_FILE),
    };
    let checked = SystemTime::now();
    let stamp = match fs::metadata(&path) {
        Ok(meta) if meta.is_file() && meta.len() <= crate::source::MAX_FILE_BYTES => {
            Stamp::of(&meta)
        }
        _ => return walk::parse_found(found), // missing, too large…: its own diagnostic
    };
    let old = before.get(path.as_os_str());
    let (seen, unchanged) = match old {
        Some(old) if old.stamp == stamp && old.stamp.settled(old.checked) => {
            (Arc::clone(old), Some(old))
        }
        _ => {
            let Ok(bytes) = fs::read(&path) else {
                return walk::parse_found(found);
            };
            let hash = fingerprint(&bytes);
            let (parsed, unchanged) = match old {
                Some(old) if old.hash == hash => (old.parsed.clone(), Some(old)),
                // Parsed from the bytes hashed: if the file changed since, its stamp differs
                // next time.
                _ => (walk::parse_read(found, &bytes), None),
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
    config_file: &ConfigFile,
) -> Result<Theme> {
    let config = &config_file.config;
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
    let theme = theme::load(root, config_file)?;
    *cache = Some((key, theme.clone()));
    Ok(theme)
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
        return Err(Error::other(format!(
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

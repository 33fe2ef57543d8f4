//! The build pipeline, end to end: load → assemble → `render_outputs(plan, sink)` → write.
//! Each step is one call; this module only sequences them, runs the per-page work on both
//! cores, and reports. `livret build`, `check`, `pdf` and `serve` all render through
//! `render_outputs`, with a plan (everything, or what changed) and a sink of their own.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::booklet::{self, Booklet, Item};
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::message::FileMsg;
use crate::output::Staging;
use crate::render::plan::Plan;
use crate::render::theme::{self, Theme};
use crate::render::{PdfLink, PrintLayout, Renderer, Settings, css};
use crate::source::Source;
use crate::source::config::{Config, ConfigFile, FILE_NAME};
use crate::source::walk;

use crate::output::names::{
    INDEX, NOJEKYLL, NOT_FOUND, PDF, PDFS, PRINT, RECORD, SEARCH_INDEX, SITEMAP,
};
use crate::output::record::{Fingerprint, Record};
use crate::render::search::{self, SearchDoc};

/// What `livret build` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: PathBuf,
    /// Write into a non-empty folder that has no livret manifest.
    pub force: bool,
}

/// What a build produced.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// What the lints found, which did not stop the build, and the PDFs of an earlier
    /// `livret pdf` that no longer matched the booklet (removed: no page links them any more).
    pub warnings: Vec<crate::error::Diagnostic>,
    pub fiches: usize,
    pub pages: usize,
    pub files: usize,
    pub millis: u128,
}

/// A checked booklet with its theme, ready to render.
pub struct Project {
    pub booklet: Booklet,
    pub theme: Theme,
}

/// Loads and checks everything without writing: config, fiches, parts, theme. Keeps going
/// after a problem, so that every problem of the project comes out in one run.
pub fn load_project(root: &Path) -> Result<Project> {
    load_project_with(root, walk::fiches_lenient, theme::load)
}

/// `load_project` with its two costly steps supplied: reading the fiches and loading the theme
/// (`livret serve` passes steps that reuse what did not change since its last build).
pub fn load_project_with(
    root: &Path,
    fiches: impl FnOnce(&Path) -> Result<walk::Loaded>,
    load_theme: impl FnOnce(&Path, &ConfigFile) -> Result<Theme>,
) -> Result<Project> {
    let mut diagnostics = Diagnostics::new();
    // livret.toml is read once; its schema problems all come out together.
    let config = diagnostics.keep(Config::load(root))?;
    let loaded = fiches(root)?;
    diagnostics.extend(loaded.diagnostics);
    let theme = match &config {
        Some(file) => diagnostics.keep(load_theme(root, file))?,
        None => None,
    };
    // A broken livret.toml must not hide the fiches' problems: check them with a stand-in.
    let (config, config_source) = match config {
        Some(ConfigFile { config, source }) => (config, source),
        None => {
            let stand_in = Source::new(FILE_NAME, "title = \"livret\"\n");
            (Config::parse(&stand_in)?, stand_in)
        }
    };
    let booklet = diagnostics.keep(booklet::assemble_with(
        config,
        loaded.nodes,
        &loaded.broken_slugs,
    ))?;
    match (booklet, theme) {
        (Some(mut booklet), Some(theme)) if diagnostics.is_empty() => {
            crate::preflight::check(&booklet, &theme, &config_source)?;
            let fiches = booklet
                .entries
                .iter()
                .filter(|e| e.number.is_some())
                .count();
            let config_lints = crate::lint::config(&config_source, &booklet.config, fiches);
            booklet.warnings.extend(config_lints);
            Diagnostic::sort(&mut booklet.warnings);
            Ok(Project { booklet, theme })
        }
        _ => Err(Error::Content(diagnostics.into_sorted())),
    }
}

/// Builds the site into `options.out`.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_strict(options, false)
}

/// Builds the site; with `strict`, a warning is an error and nothing is written.
pub fn build_strict(options: &BuildOptions, strict: bool) -> Result<BuildReport> {
    build_print_with(options, None, PdfFiles::Keep, strict)
}

/// The warnings of a strict run, as the errors that stop it.
pub fn refuse_warnings(warnings: &[Diagnostic]) -> Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    let errors = warnings
        .iter()
        .cloned()
        .map(|mut d| {
            d.severity = crate::error::Severity::Error;
            d
        })
        .collect();
    Err(Error::Content(errors))
}

/// What a build does with the PDFs of `livret pdf` (`output::names::PDFS`).
#[derive(Debug, Clone, Copy)]
pub enum PdfFiles<'a> {
    /// Keep those already in `out/` while their print record matches the booklet, writing the
    /// numbers it holds into print.html; remove them when it does not (a plain build).
    Keep,
    /// Link to `livret.pdf` without writing it (the print passes of `livret pdf`).
    Announce,
    /// Publish these files (name, bytes), replacing the previous ones (the print record among
    /// them).
    Publish(&'a [(&'a str, &'a [u8])]),
}

/// Builds with a measured print layout and the given treatment of the PDFs.
pub fn build_print(
    options: &BuildOptions,
    layout: Option<&PrintLayout>,
    pdf_files: PdfFiles<'_>,
) -> Result<BuildReport> {
    build_print_with(options, layout, pdf_files, false)
}

fn build_print_with(
    options: &BuildOptions,
    layout: Option<&PrintLayout>,
    pdf_files: PdfFiles<'_>,
    strict: bool,
) -> Result<BuildReport> {
    let start = Instant::now();
    // An unusable --out is refused first, even when the content is broken.
    crate::output::check_out_dir(&options.root, &options.out, options.force)?;
    let project = load_project(&options.root)?;
    if strict {
        refuse_warnings(&project.booklet.warnings)?;
    }
    let plan = Plan::all(&project.booklet);
    write_staged(
        options,
        &project,
        layout,
        pdf_files,
        strict,
        start,
        |renderer, staging| {
            let mut print = PrintFile::create(staging)?;
            render_outputs(renderer, &plan, staging, &mut print, &mut Vec::new())
        },
    )
}

/// Writes a loaded project into `options.out` through a staging folder: `render` fills it
/// (`render_outputs` with a plan and a print sink of the caller's choice), the PDFs and
/// `.nojekyll` are carried over, and the whole is moved into place only if everything
/// succeeded. With `strict`, PDFs that no longer match the booklet stop it before anything is
/// written, as its other warnings do.
pub fn write_staged(
    options: &BuildOptions,
    project: &Project,
    layout: Option<&PrintLayout>,
    pdf_files: PdfFiles<'_>,
    strict: bool,
    start: Instant,
    render: impl FnOnce(&Renderer, &Staging) -> Result<()>,
) -> Result<BuildReport> {
    let staging = Staging::new(&options.root, &options.out, options.force)?;
    let previous = match pdf_files {
        PdfFiles::Keep => previous_print(&options.out, project, &staging)?,
        _ => Previous::Nothing,
    };
    let stale = match &previous {
        Previous::Stale(names) => names.first().map(|first| {
            let names = names.iter().map(|n| n.to_string()).collect();
            Diagnostic::file(&options.out.join(first), FileMsg::StalePdfs(names)).warning()
        }),
        _ => None,
    };
    if strict && let Some(stale) = &stale {
        refuse_warnings(std::slice::from_ref(stale))?;
    }
    let has_pdf = match (pdf_files, &previous) {
        // Fresh PDFs without livret.pdf itself (only the imposed one left): not linked.
        (PdfFiles::Keep, Previous::Fresh { files, .. }) => files.contains(&PDF),
        (PdfFiles::Keep, Previous::Stale(_)) => false,
        // One the user put there themselves is linked to and left alone.
        (PdfFiles::Keep, Previous::Nothing) => {
            options.out.join(PDF).is_file() && !staging.wrote_before(PDF)
        }
        (PdfFiles::Announce, _) => true,
        (PdfFiles::Publish(files), _) => files.iter().any(|(name, _)| *name == PDF),
    };
    let settings = Settings {
        pdf: if has_pdf {
            PdfLink::Linked
        } else {
            PdfLink::Absent
        },
        layout: match &previous {
            Previous::Fresh { layout, .. } => layout.measured(),
            _ => layout,
        },
    };
    let renderer = Renderer::new(&project.booklet, &project.theme, settings);
    render(&renderer, &staging)?;
    match (pdf_files, &previous) {
        // The PDFs of an earlier `livret pdf` stay published, with their record, while the
        // print edition is the one they were printed from; stale ones are not carried over,
        // so the commit removes them.
        (PdfFiles::Keep, Previous::Fresh { files, .. }) => {
            for name in files.iter().copied().chain([RECORD]) {
                let path = options.out.join(name);
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                staging.write(name, &bytes)?;
            }
        }
        (PdfFiles::Keep | PdfFiles::Announce, _) => {}
        (PdfFiles::Publish(files), _) => {
            for (name, bytes) in files {
                staging.write(name, bytes)?;
            }
        }
    }
    // GitHub Pages publishing from a branch: serve the files as they are, no Jekyll (which
    // would hide files starting with `_`). A `.nojekyll` of the user's own is left alone.
    if !options.out.join(NOJEKYLL).exists() || staging.wrote_before(NOJEKYLL) {
        staging.write(NOJEKYLL, b"")?;
    }
    let files = staging.commit()?;
    let booklet = &project.booklet;
    let mut warnings = booklet.warnings.clone();
    warnings.extend(stale);
    Ok(BuildReport {
        warnings,
        fiches: booklet
            .entries
            .iter()
            .filter(|e| e.number.is_some())
            .count(),
        pages: html_pages(booklet),
        files,
        millis: start.elapsed().as_millis(),
    })
}

/// What a plain build finds in `out/` of the last `livret pdf`.
enum Previous {
    /// No PDF that livret wrote.
    Nothing,
    /// PDFs whose record matches this booklet's print edition, and the layout it holds.
    Fresh {
        files: Vec<&'static str>,
        layout: PrintLayout,
    },
    /// PDFs printed from another print edition, or without a record: removed.
    Stale(Vec<&'static str>),
}

/// Whether the PDFs livret wrote into `out` still match `project` (see `output::record`).
fn previous_print(out: &Path, project: &Project, staging: &Staging) -> Result<Previous> {
    // Only PDFs: not a theme file an older livret wrote under one of those names.
    let is_pdf = |path: &Path| {
        let mut head = [0u8; 5];
        std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
            .is_ok_and(|()| &head == b"%PDF-")
    };
    let files: Vec<&'static str> = PDFS
        .into_iter()
        .filter(|name| staging.wrote_before(name) && is_pdf(&out.join(name)))
        .collect();
    if files.is_empty() {
        return Ok(Previous::Nothing);
    }
    let record = match staging.wrote_before(RECORD) {
        true => std::fs::read(out.join(RECORD))
            .ok()
            .and_then(|bytes| Record::<PrintLayout>::parse(&bytes)),
        false => None,
    };
    Ok(match record {
        Some(record) if record.fingerprint == print_fingerprint(project)? => Previous::Fresh {
            files,
            layout: record.settled,
        },
        _ => Previous::Stale(files),
    })
}

/// The fingerprint of the print edition as `livret pdf` first prints it (linked to its PDF,
/// without page numbers) and of the shared files it loads (stylesheets, fonts, images): what
/// its page breaks depend on. Rendered, not read from the sources, so that only what reaches
/// the printed page counts (a web-only template edit leaves the PDF fresh).
pub fn print_fingerprint(project: &Project) -> Result<String> {
    let settings = Settings {
        pdf: PdfLink::Linked,
        layout: None,
    };
    let renderer = Renderer::new(&project.booklet, &project.theme, settings);
    let booklet = &project.booklet;
    let plan = Plan {
        shared: true,
        index: false,
        frame: true,
        pages: vec![false; booklet.entries.len()],
        blocks: vec![true; booklet.order.len()],
    };
    let shared = HashSink::default();
    let mut print = HashPrint::default();
    render_outputs(&renderer, &plan, &shared, &mut print, &mut Vec::new())?;
    let mut all = print.hash;
    let files = shared
        .files
        .into_inner()
        .map_err(|_| Error::Invariant("a writer thread failed".into()))?;
    for (name, hash) in files {
        all.piece(name.as_bytes());
        all.piece(hash.as_bytes());
    }
    Ok(all.finish())
}

/// A sink that keeps the fingerprint of each file, by name (written from several threads).
#[derive(Default)]
struct HashSink {
    files: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
}

impl Sink for HashSink {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        let mut hash = Fingerprint::default();
        hash.piece(bytes);
        self.files
            .lock()
            .map_err(|_| Error::Invariant("a writer thread failed".into()))?
            .insert(rel.to_string(), hash.finish());
        Ok(())
    }
}

/// The print edition hashed as it streams out, never held whole.
#[derive(Default)]
struct HashPrint {
    hash: Fingerprint,
    tail: Option<String>,
    len: u64,
}

impl HashPrint {
    fn put(&mut self, bytes: &[u8]) {
        self.hash.stream(bytes);
        self.len += bytes.len() as u64;
    }
}

impl PrintSink for HashPrint {
    fn frame(&mut self, head: &str, tail: String) -> Result<()> {
        self.tail = Some(tail);
        self.put(head.as_bytes());
        Ok(())
    }

    fn block(&mut self, _: usize, html: Vec<u8>) -> Result<()> {
        self.put(&html);
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if let Some(tail) = self.tail.take() {
            self.put(tail.as_bytes());
        }
        let len = self.len;
        self.hash.end_piece(len);
        Ok(())
    }
}

/// The number of HTML pages of a site: the index, one per entry with a page, the print
/// edition.
pub fn html_pages(booklet: &Booklet) -> usize {
    booklet.entries.iter().filter(|e| e.has_page()).count() + 2
}

/// Where rendered files go: the staging folder of a build, the serve session's memory, or
/// nowhere (`livret check`).
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        Staging::write(self, rel, bytes)
    }
}

/// A sink that keeps nothing: renders everything to find every problem, writes no byte.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> Result<()> {
        Ok(())
    }
}

/// Where the print edition goes: its frame (the part before and after the blocks) and its
/// blocks, each in document order.
pub trait PrintSink: Send {
    fn frame(&mut self, head: &str, tail: String) -> Result<()>;
    /// The `k`-th block of the document order (only those of the plan, in order).
    fn block(&mut self, k: usize, html: Vec<u8>) -> Result<()>;
    /// Called once, after the last block.
    fn finish(&mut self) -> Result<()>;
}

/// The print edition streamed into one file of a sink: never all in memory.
pub struct PrintFile {
    writer: Box<dyn Write + Send>,
    tail: Option<String>,
}

impl PrintFile {
    pub fn create(staging: &Staging) -> Result<PrintFile> {
        Ok(PrintFile {
            writer: Box::new(staging.create(PRINT)?),
            tail: None,
        })
    }

    /// A print edition that goes nowhere (`livret check`).
    pub fn discard() -> PrintFile {
        PrintFile {
            writer: Box::new(std::io::sink()),
            tail: None,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.writer
            .write_all(bytes)
            .map_err(|e| Error::io(Path::new(PRINT), e))
    }
}

impl PrintSink for PrintFile {
    fn frame(&mut self, head: &str, tail: String) -> Result<()> {
        self.tail = Some(tail);
        self.put(head.as_bytes())
    }

    fn block(&mut self, _: usize, html: Vec<u8>) -> Result<()> {
        self.put(&html)
    }

    fn finish(&mut self) -> Result<()> {
        if let Some(tail) = self.tail.take() {
            self.put(tail.as_bytes())?;
        }
        self.writer
            .flush()
            .map_err(|e| Error::io(Path::new(PRINT), e))
    }
}

/// Renders the outputs of `plan` into `sink` (and the print edition into `print`): stylesheets,
/// assets, 404 and sitemap, the index, one page per entry, the print edition. Template and CSS
/// problems are all collected and reported together. Entries go by chunks in document order,
/// each entry's web page and print block rendered together (they share its Markdown), so the
/// print edition streams out in order and memory stays bounded whatever the number of fiches.
/// Both cores stay busy: the index and the shared files are made beside the entries, and each
/// chunk's print blocks are handed on while the next chunk renders.
pub fn render_outputs(
    renderer: &Renderer,
    plan: &Plan,
    sink: &dyn Sink,
    print: &mut dyn PrintSink,
    search: &mut SearchDocs,
) -> Result<()> {
    let booklet = renderer.booklet();
    // Lines of another booklet (another structure) are of no use.
    if search.len() != booklet.entries.len() {
        *search = vec![None; booklet.entries.len()];
    }
    let mut problems = Diagnostics::new();
    if plan.frame
        && let Some((head, tail)) = problems.keep(renderer.print_frame())?
    {
        print.frame(&head, tail)?;
    }
    let todo: Vec<(usize, Item)> = booklet
        .order
        .iter()
        .enumerate()
        .filter(|&(k, &item)| plan.blocks[k] || matches!(item, Item::Entry(i) if plan.pages[i]))
        .map(|(k, &item)| (k, item))
        .collect();
    let (shared, entries) = rayon::join(
        || -> Result<Diagnostics> {
            let mut problems = Diagnostics::new();
            if plan.shared {
                render_shared(renderer, sink, &mut problems)?;
            }
            if plan.index
                && let Some(html) = problems.keep(renderer.index())?
            {
                sink.write(INDEX, &html)?;
            }
            Ok(problems)
        },
        || -> Result<Diagnostics> {
            let mut problems = Diagnostics::new();
            let mut done: Vec<Block> = Vec::new();
            for chunk in todo.chunks(256) {
                let (rendered, handed) = rayon::join(
                    || render_chunk(renderer, plan, sink, chunk),
                    || hand_blocks(print, std::mem::take(&mut done), &mut problems),
                );
                handed?;
                let (blocks, chunk_docs) = rendered?;
                done = blocks;
                for (i, doc) in chunk_docs {
                    search[i] = Some(doc);
                }
            }
            hand_blocks(print, done, &mut problems)?;
            if plan.index || plan.pages.iter().any(|&p| p) {
                write_search_index(renderer, sink, search, &mut problems)?;
            }
            Ok(problems)
        },
    );
    problems.extend(shared?);
    problems.extend(entries?);
    print.finish()?;
    problems.finish()
}

/// Renders the web pages of a chunk (written into `sink` at once) and its print blocks
/// (returned in order, with their position).
fn render_chunk(
    renderer: &Renderer,
    plan: &Plan,
    sink: &dyn Sink,
    chunk: &[(usize, Item)],
) -> Result<(Vec<Block>, Vec<PageText>)> {
    let booklet = renderer.booklet();
    let docs = std::sync::Mutex::new(Vec::new());
    let blocks: Vec<Result<Option<Block>>> = chunk
        .par_iter()
        .map(|&(k, item)| {
            let rendered = match item {
                Item::Entry(i) => Some(renderer.rendered(i)),
                Item::Part(_) => None,
            };
            if let (Item::Entry(i), Some(rendered)) = (item, &rendered)
                && plan.pages[i]
            {
                // A page that fails to render is reported with the print blocks' problems.
                match renderer.entry_page(i, rendered) {
                    Ok(html) => {
                        sink.write(&booklet.entries[i].file_name(), &html)?;
                        let doc = renderer.search_doc(i, &html);
                        if let Ok(mut docs) = docs.lock() {
                            docs.push((i, doc));
                        }
                    }
                    Err(e) => return Ok(Some((k, Err(e)))),
                }
            }
            Ok(plan.blocks[k].then(|| (k, renderer.print_item(item, rendered.as_ref()))))
        })
        .collect();
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        out.extend(block?);
    }
    let docs = docs.into_inner().unwrap_or_default();
    Ok((out, docs))
}

/// Each entry's line of the search index, as its page was last rendered. `livret serve` keeps
/// them between rebuilds, so an edit renders only the pages that changed; a build starts
/// empty and fills them all.
pub type SearchDocs = Vec<Option<SearchDoc>>;

/// Writes `search-index.js` from the pages' lines: a page with no line yet (none kept) is
/// rendered for it, so the index always covers every page. Pages that fail to render are left
/// out (their problem is reported).
fn write_search_index(
    renderer: &Renderer,
    sink: &dyn Sink,
    docs: &mut SearchDocs,
    problems: &mut Diagnostics,
) -> Result<()> {
    let entries = &renderer.booklet().entries;
    for (i, doc) in docs.iter_mut().enumerate() {
        if doc.is_none() && entries[i].has_page() {
            let page = renderer.entry_page(i, &renderer.rendered(i));
            if let Some(html) = problems.keep(page)? {
                *doc = Some(renderer.search_doc(i, &html));
            }
        }
    }
    let all: Vec<&SearchDoc> = docs
        .iter()
        .zip(entries)
        .filter(|(_, e)| e.has_page())
        .filter_map(|(d, _)| d.as_ref())
        .collect();
    sink.write(SEARCH_INDEX, &search::script(&all))
}

/// A web page's line of the search index, with its entry's index.
type PageText = (usize, SearchDoc);

/// A print block rendered (or its problem), with its position in document order.
type Block = (usize, Result<Vec<u8>>);

/// Hands rendered print blocks on, in order; their problems go into `problems`.
fn hand_blocks(
    print: &mut dyn PrintSink,
    blocks: Vec<Block>,
    problems: &mut Diagnostics,
) -> Result<()> {
    for (k, html) in blocks {
        if let Some(html) = problems.keep(html)? {
            print.block(k, html)?;
        }
    }
    Ok(())
}

/// The files that depend on the whole site and on no entry's content: stylesheets, static
/// assets, 404 and sitemap. Problems go into `problems`.
fn render_shared(renderer: &Renderer, sink: &dyn Sink, problems: &mut Diagnostics) -> Result<()> {
    let theme = renderer.theme();
    // Stylesheets: Tera (for settings such as the page size), then lightningcss.
    for (name, (_, path)) in &theme.stylesheets {
        if name.starts_with('_') {
            continue; // partials, included by the others
        }
        let compiled = renderer
            .stylesheet(name)
            .and_then(|text| css::compile(path, &text).map_err(Error::from));
        if let Some(code) = problems.keep(compiled)? {
            sink.write(name, code.as_bytes())?;
        }
    }
    for (name, bytes) in &theme.assets {
        sink.write(name, bytes)?;
    }
    if renderer.has_template(NOT_FOUND)
        && let Some(text) = problems.keep(renderer.not_found())?
    {
        sink.write(NOT_FOUND, text.as_bytes())?;
    }
    if renderer.has_template(SITEMAP)
        && renderer.booklet().config.base_url.is_some()
        && let Some(text) = problems.keep(renderer.sitemap())?
    {
        sink.write(SITEMAP, text.as_bytes())?;
    }
    Ok(())
}

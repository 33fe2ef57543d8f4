//! The build pipeline, end to end: config → load → booklet → render → css → output. Each step is
//! one call; this module only sequences them, runs the per-page work on both cores, and reports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::booklet::{self, Booklet, Item};
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::output::Staging;
use crate::render::{Fields, Renderer};
use crate::theme::{self, Theme};
use crate::{css, load, outputs, remote};

/// Tells GitHub Pages not to run Jekyll over `out/`.
pub use crate::outputs::NOJEKYLL;

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
    load_project_with(root, load::fiches_lenient, theme::load)
}

/// `load_project` with its two costly steps supplied: reading the fiches and loading the theme
/// (`livret serve` passes steps that reuse what did not change since its last build).
pub fn load_project_with(
    root: &Path,
    fiches: impl FnOnce(&Path) -> Result<load::Loaded>,
    load_theme: impl FnOnce(&Path, &Config, &Path) -> Result<Theme>,
) -> Result<Project> {
    let mut diagnostics = Vec::new();
    // Every unknown key, wrong type and missing key of livret.toml at once, before serde's first.
    let config_path = root.join(crate::config::FILE_NAME);
    let problems = match load::read_text(&config_path) {
        Ok(source) => crate::schema::check(&config_path, &source, &crate::schema::CONFIG),
        Err(_) => Vec::new(), // missing or unreadable: Config::load explains it
    };
    let config = if problems.is_empty() {
        keep(Config::load(root), &mut diagnostics)?
    } else {
        diagnostics.extend(problems);
        None
    };
    let loaded = fiches(root)?;
    diagnostics.extend(loaded.diagnostics);
    let theme = match &config {
        Some((config, path)) => keep(load_theme(root, config, path), &mut diagnostics)?,
        None => None,
    };
    // A broken livret.toml must not hide the fiches' problems: check them with a stand-in.
    let config = match config {
        Some((config, _)) => config,
        None => Config::parse(Path::new(crate::config::FILE_NAME), "title = \"livret\"\n")?,
    };
    let booklet = keep(
        booklet::assemble_with(config, loaded.nodes, &loaded.broken_slugs),
        &mut diagnostics,
    )?;
    match (booklet, theme) {
        (Some(booklet), Some(theme)) if diagnostics.is_empty() => {
            let project = Project { booklet, theme };
            check_written_names_and_sources(&project, &config_path)?;
            Ok(project)
        }
        _ => {
            Diagnostic::sort(&mut diagnostics);
            diagnostics.dedup();
            Err(Error::Content(diagnostics))
        }
    }
}

/// Keeps a step's value, or moves its content problems into `diagnostics` and carries on.
pub(crate) fn keep<T>(result: Result<T>, diagnostics: &mut Vec<Diagnostic>) -> Result<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(Error::Content(found)) => {
            diagnostics.extend(found);
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Builds the site into `options.out`.
pub fn build(options: &BuildOptions) -> Result<BuildReport> {
    build_with(options, None)
}

/// Builds, with print-edition page numbers when `livret pdf` has measured them.
pub fn build_with(
    options: &BuildOptions,
    page_numbers: Option<&std::collections::BTreeMap<String, u32>>,
) -> Result<BuildReport> {
    build_print(options, page_numbers, PdfFiles::Keep)
}

/// What a build does with the PDFs of `livret pdf` (`outputs::PDFS`).
#[derive(Debug, Clone, Copy)]
pub enum PdfFiles<'a> {
    /// Keep those already in `out/` (a plain build).
    Keep,
    /// Link to `livret.pdf` without writing it (the print passes of `livret pdf`).
    Announce,
    /// Publish these files (name, bytes), replacing the previous ones.
    Publish(&'a [(&'a str, &'a [u8])]),
}

/// Builds with measured page numbers and the given treatment of the PDFs.
pub fn build_print(
    options: &BuildOptions,
    page_numbers: Option<&std::collections::BTreeMap<String, u32>>,
    pdf_files: PdfFiles<'_>,
) -> Result<BuildReport> {
    let start = Instant::now();
    let project = load_project(&options.root)?;
    write_staged(
        options,
        &project,
        page_numbers,
        pdf_files,
        start,
        render_site,
    )
}

/// Writes a loaded project into `options.out` through a staging folder: `render` fills it
/// (`render_site`, or the serve session's caching equivalent), the PDFs and `.nojekyll` are
/// carried over, and the whole is moved into place only if everything succeeded.
pub fn write_staged(
    options: &BuildOptions,
    project: &Project,
    page_numbers: Option<&std::collections::BTreeMap<String, u32>>,
    pdf_files: PdfFiles<'_>,
    start: Instant,
    render: impl FnOnce(&Renderer, &Project, &dyn Sink) -> Result<usize>,
) -> Result<BuildReport> {
    let has_pdf = match pdf_files {
        PdfFiles::Keep => options.out.join(outputs::PDF).is_file(),
        PdfFiles::Announce => true,
        PdfFiles::Publish(files) => files.iter().any(|(name, _)| *name == outputs::PDF),
    };
    let staging = Staging::new(&options.root, &options.out, options.force)?;
    let mut renderer = Renderer::new(&project.booklet, &project.theme, has_pdf);
    renderer.page_numbers = page_numbers;
    let pages = render(&renderer, project, &staging)?;
    match pdf_files {
        // PDFs from an earlier `livret pdf` stay published until the next one replaces them;
        // one the user put there themselves is linked to and left alone (theirs, not livret's).
        PdfFiles::Keep => {
            for name in outputs::PDFS {
                let pdf = options.out.join(name);
                if pdf.is_file() && staging.wrote_before(name) {
                    let bytes = std::fs::read(&pdf).map_err(|e| Error::io(&pdf, e))?;
                    // Only a PDF: not a theme file an older livret wrote under that name.
                    if bytes.starts_with(b"%PDF-") {
                        staging.write(name, &bytes)?;
                    }
                }
            }
        }
        PdfFiles::Announce => {}
        PdfFiles::Publish(files) => {
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
    Ok(BuildReport {
        fiches: booklet
            .entries
            .iter()
            .filter(|e| e.number.is_some())
            .count(),
        pages,
        files,
        millis: start.elapsed().as_millis(),
    })
}

/// Refuses, before anything is written, a theme file that would be written where livret
/// writes something else (`outputs::theme_collisions`), and an image or stylesheet taken from
/// another site (`remote::check`: printing reads local files only).
fn check_written_names_and_sources(project: &Project, config_path: &Path) -> Result<()> {
    let mut diagnostics = outputs::theme_collisions(&project.booklet, &project.theme);
    diagnostics.extend(remote::check(&project.booklet, &project.theme, config_path));
    finish(diagnostics)
}

/// Where rendered files go: the staging folder of a build, or nowhere (`livret check`).
pub trait Sink: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()>;
    /// A file written piece by piece (the print edition can be large).
    fn stream(&self, rel: &str) -> Result<Box<dyn Write + Send>>;
}

impl Sink for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<()> {
        Staging::write(self, rel, bytes)
    }

    fn stream(&self, rel: &str) -> Result<Box<dyn Write + Send>> {
        Ok(Box::new(self.create(rel)?))
    }
}

/// A sink that keeps nothing: renders everything to find every problem, writes no byte.
pub struct Discard;

impl Sink for Discard {
    fn write(&self, _: &str, _: &[u8]) -> Result<()> {
        Ok(())
    }

    fn stream(&self, _: &str) -> Result<Box<dyn Write + Send>> {
        Ok(Box::new(std::io::sink()))
    }
}

/// Renders every output file into `sink`: stylesheets, assets, the index, one page per entry,
/// the print edition, 404 and sitemap. Template and CSS problems are all collected and reported
/// together. Entries go by chunks in document order, each entry's web page and print block
/// rendered together (they share its Markdown), so the print edition streams out in order
/// and memory stays bounded whatever the number of fiches. Both cores stay busy: the index and
/// the shared files are made beside the entries, and each chunk's print blocks are written
/// while the next chunk renders. Returns the number of HTML pages.
pub fn render_site(renderer: &Renderer, project: &Project, sink: &dyn Sink) -> Result<usize> {
    let booklet = &project.booklet;
    let path = Path::new(outputs::PRINT);
    let mut print = sink.stream(outputs::PRINT)?;
    let mut problems = Vec::new();
    let frame = keep(renderer.print_frame(), &mut problems)?;
    if let Some((head, _)) = &frame {
        print
            .write_all(head.as_bytes())
            .map_err(|e| Error::io(path, e))?;
    }
    let (shared, entries) = rayon::join(
        || -> Result<(usize, Vec<Diagnostic>)> {
            let mut problems = Vec::new();
            let pages = render_shared(renderer, project, sink, &mut problems)?;
            if let Some(html) = keep(renderer.index(), &mut problems)? {
                sink.write(outputs::INDEX, &html)?;
            }
            Ok((pages, problems))
        },
        || -> Result<Vec<Diagnostic>> {
            let mut problems = Vec::new();
            let mut done: Vec<Result<Vec<u8>>> = Vec::new();
            for chunk in booklet.order.chunks(256) {
                let (rendered, written) = rayon::join(
                    || render_chunk(renderer, booklet, sink, chunk),
                    || write_blocks(&mut print, std::mem::take(&mut done), &mut problems),
                );
                written?;
                done = rendered;
            }
            write_blocks(&mut print, done, &mut problems)?;
            Ok(problems)
        },
    );
    let (pages, shared_problems) = shared?;
    problems.extend(shared_problems);
    problems.extend(entries?);
    if let Some((_, tail)) = &frame {
        print
            .write_all(tail.as_bytes())
            .map_err(|e| Error::io(path, e))?;
    }
    print.flush().map_err(|e| Error::io(path, e))?;
    finish(problems).map(|()| pages)
}

/// Renders the web pages of a chunk of items (written into `sink` at once) and their print
/// blocks (returned in order).
fn render_chunk(
    renderer: &Renderer,
    booklet: &Booklet,
    sink: &dyn Sink,
    chunk: &[Item],
) -> Vec<Result<Vec<u8>>> {
    chunk
        .par_iter()
        .map(|&item| {
            let fields = Fields::default();
            if let Item::Entry(i) = item
                && booklet.entries[i].has_page()
            {
                let html = renderer.entry_page(i, &fields)?;
                sink.write(&booklet.entries[i].file_name(), &html)?;
            }
            renderer.print_item(item, &fields)
        })
        .collect()
}

/// Appends rendered print blocks to the print edition; their problems go into `problems`.
fn write_blocks(
    print: &mut Box<dyn Write + Send>,
    blocks: Vec<Result<Vec<u8>>>,
    problems: &mut Vec<Diagnostic>,
) -> Result<()> {
    for html in blocks {
        if let Some(html) = keep(html, problems)? {
            print
                .write_all(&html)
                .map_err(|e| Error::io(Path::new(outputs::PRINT), e))?;
        }
    }
    Ok(())
}

/// The files that depend on the whole site and on no entry's content: stylesheets, static
/// assets, 404 and sitemap. Problems go into `problems`. Returns the number of HTML pages of the site (the index, the
/// entries' pages and the print edition).
pub fn render_shared(
    renderer: &Renderer,
    project: &Project,
    sink: &dyn Sink,
    problems: &mut Vec<Diagnostic>,
) -> Result<usize> {
    let booklet = &project.booklet;
    let theme = &project.theme;
    // Stylesheets: Tera (for settings such as the page size), then lightningcss.
    for (name, (_, path)) in &theme.stylesheets {
        if name.starts_with('_') {
            continue; // partials, included by the others
        }
        let compiled = renderer
            .with_site(&format!("css/{name}"), |_| {})
            .and_then(|text| css::compile(path, &text).map_err(Error::from));
        if let Some(code) = keep(compiled, problems)? {
            sink.write(name, code.as_bytes())?;
        }
    }
    for (name, bytes) in &theme.assets {
        sink.write(name, bytes)?;
    }
    let pages: Vec<String> = booklet
        .entries
        .iter()
        .filter(|e| e.has_page())
        .map(|e| e.file_name())
        .collect();
    for extra in [outputs::NOT_FOUND, outputs::SITEMAP] {
        if !theme.tera.get_template_names().any(|n| n == extra)
            || (extra == outputs::SITEMAP && booklet.config.base_url.is_none())
        {
            continue;
        }
        let text = renderer.with_site(extra, |ctx| {
            ctx.insert("pages", &pages);
            if extra == outputs::NOT_FOUND {
                renderer.not_found(ctx);
            }
        });
        if let Some(text) = keep(text, problems)? {
            sink.write(extra, text.as_bytes())?;
        }
    }

    Ok(pages.len() + 2)
}

/// The result of a render that collected `problems`: all of them, sorted, or success.
pub(crate) fn finish(mut problems: Vec<Diagnostic>) -> Result<()> {
    if problems.is_empty() {
        Ok(())
    } else {
        Diagnostic::sort(&mut problems);
        problems.dedup();
        Err(Error::Content(problems))
    }
}

//! The build pipeline, end to end: config → load → booklet → render → css → output. Each step is
//! one call; this module only sequences them, runs the per-page work on both cores, and reports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::booklet::{self, Booklet, Item};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::output::Staging;
use crate::render::Renderer;
use crate::theme::{self, Theme};
use crate::{css, load};

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

/// Loads and checks everything without writing: config, fiches, parts, theme.
pub fn load_project(root: &Path) -> Result<Project> {
    let (config, config_path) = Config::load(root)?;
    // Load fiches and theme even when one fails, so all problems come out in one run.
    let nodes = load::fiches(root);
    let theme = theme::load(root, &config, &config_path);
    let (nodes, theme) = match (nodes, theme) {
        (Ok(n), Ok(t)) => (n, t),
        (Err(Error::Content(mut a)), Err(Error::Content(b))) => {
            a.extend(b);
            return Err(Error::Content(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let booklet = booklet::assemble(config, nodes)?;
    Ok(Project { booklet, theme })
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

/// What a build does with the PDFs of `livret pdf` (`crate::pdf::FILES`).
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
    let has_pdf = match pdf_files {
        PdfFiles::Keep => options.out.join(crate::PDF_NAME).is_file(),
        PdfFiles::Announce => true,
        PdfFiles::Publish(files) => files.iter().any(|(name, _)| *name == crate::PDF_NAME),
    };
    let staging = Staging::new(&options.root, &options.out, options.force)?;
    let mut renderer = Renderer::new(&project.booklet, &project.theme, has_pdf);
    renderer.page_numbers = page_numbers;
    let pages = write_site(&renderer, &project, &staging)?;
    match pdf_files {
        // PDFs from an earlier `livret pdf` stay published until the next one replaces them.
        PdfFiles::Keep => {
            for name in crate::pdf::FILES {
                let pdf = options.out.join(name);
                if pdf.is_file() {
                    let bytes = std::fs::read(&pdf).map_err(|e| Error::io(&pdf, e))?;
                    staging.write(name, &bytes)?;
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

/// Renders and stages every output file. Returns the number of HTML pages.
fn write_site(renderer: &Renderer, project: &Project, staging: &Staging) -> Result<usize> {
    let booklet = &project.booklet;
    let theme = &project.theme;

    // Stylesheets: Tera (for settings such as the page size), then lightningcss.
    let mut diagnostics = Vec::new();
    for (name, (_, path)) in &theme.stylesheets {
        if name.starts_with('_') {
            continue; // partials, included by the others
        }
        let text = renderer.with_site(&format!("css/{name}"), |_| {})?;
        match css::compile(path, &text) {
            Ok(code) => staging.write(name, code.as_bytes())?,
            Err(d) => diagnostics.push(d),
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::Content(diagnostics));
    }
    for (name, bytes) in &theme.assets {
        staging.write(name, bytes)?;
    }

    staging.write("index.html", renderer.index()?.as_bytes())?;
    let pages: Vec<usize> = (0..booklet.entries.len())
        .filter(|&i| booklet.entries[i].has_page())
        .collect();
    pages.par_iter().try_for_each(|&i| {
        let html = renderer.entry_page(i)?;
        staging.write(&booklet.entries[i].file_name(), html.as_bytes())
    })?;
    for extra in ["404.html", "sitemap.xml"] {
        if theme.tera.get_template_names().any(|n| n == extra) {
            if extra == "sitemap.xml" && booklet.config.base_url.is_none() {
                continue;
            }
            let pages: Vec<String> = pages
                .iter()
                .map(|&i| booklet.entries[i].file_name())
                .collect();
            let text = renderer.with_site(extra, |ctx| ctx.insert("pages", &pages))?;
            staging.write(extra, text.as_bytes())?;
        }
    }
    write_print(renderer, booklet, staging)?;
    Ok(pages.len() + 2)
}

/// Streams `print.html`: frame head, items rendered in parallel chunks in order, frame tail.
fn write_print(renderer: &Renderer, booklet: &Booklet, staging: &Staging) -> Result<()> {
    let (head, tail) = renderer.print_frame()?;
    let mut file = staging.create("print.html")?;
    let path = Path::new("print.html");
    file.write_all(head.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    for chunk in booklet.order.chunks(256) {
        let rendered: Vec<String> = chunk
            .par_iter()
            .map(|&item: &Item| renderer.print_item(item))
            .collect::<Result<_>>()?;
        for html in rendered {
            file.write_all(html.as_bytes())
                .map_err(|e| Error::io(path, e))?;
        }
    }
    file.write_all(tail.as_bytes())
        .map_err(|e| Error::io(path, e))?;
    file.flush().map_err(|e| Error::io(path, e))?;
    Ok(())
}

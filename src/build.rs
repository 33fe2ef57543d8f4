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
    let project = Project { booklet, theme };
    check_theme_names(&project)?;
    Ok(project)
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
    let start = Instant::now();
    let project = load_project(&options.root)?;
    let has_pdf = options.out.join(crate::PDF_NAME).is_file();
    let staging = Staging::new(&options.root, &options.out, options.force)?;
    let mut renderer = Renderer::new(&project.booklet, &project.theme, has_pdf);
    renderer.page_numbers = page_numbers;
    let pages = write_site(&renderer, &project, &staging)?;
    // A PDF from an earlier `livret pdf` stays published until the next one replaces it.
    let pdf = options.out.join(crate::PDF_NAME);
    if has_pdf {
        let bytes = std::fs::read(&pdf).map_err(|e| Error::io(&pdf, e))?;
        staging.write(crate::PDF_NAME, &bytes)?;
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

/// Refuses a theme file that would be written where livret writes a page or a stylesheet
/// (`static/riace.html` beside the fiche `riace`, `static/index.html`), before anything is
/// written.
fn check_theme_names(project: &Project) -> Result<()> {
    let theme = &project.theme;
    let mut taken: std::collections::BTreeMap<String, String> = project
        .booklet
        .entries
        .iter()
        .filter(|e| e.has_page())
        .map(|e| (e.file_name(), format!("the page of {}", e.path.display())))
        .collect();
    for name in [
        "index.html",
        "print.html",
        "404.html",
        "sitemap.xml",
        crate::PDF_NAME,
    ] {
        taken.insert(name.to_string(), "a file livret writes itself".to_string());
    }
    for name in theme.stylesheets.keys().filter(|n| !n.starts_with('_')) {
        taken.insert(name.clone(), format!("the stylesheet css/{name}"));
    }
    let diagnostics: Vec<Diagnostic> = theme
        .assets
        .keys()
        .filter_map(|name| {
            let what = taken.get(name)?;
            let path = Path::new(theme::THEMES_DIR)
                .join(&theme.name)
                .join("static")
                .join(name);
            Some(
                Diagnostic::file(&path, format!("this theme file would overwrite {what}"))
                    .with_help("rename the theme file, or the fiche (slug = \"…\")"),
            )
        })
        .collect();
    if diagnostics.is_empty() {
        Ok(())
    } else {
        Err(Error::Content(diagnostics))
    }
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

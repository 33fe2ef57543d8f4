//! `livret pdf`: the print edition as a PDF, with the sommaire's page numbers.
//!
//! Chromium prints CSS paged media natively (page size, margins, named pages, page numbers in
//! margin boxes) but not `target-counter()`, so the sommaire cannot number itself. It does write
//! a named destination for every element id that a link targets. So: build the print edition
//! into a scratch folder, print it, read back on which page every sommaire target landed, write
//! those numbers into the sommaire, print again, and repeat until the numbers no longer change
//! (the room for them is reserved from the first pass, so two passes are the rule). Then finish
//! the PDF (metadata, bookmarks), impose it if asked, and build `out/` once more with the same
//! numbers — its `print.html` is byte for byte the page that was printed — publishing the PDFs.

#[cfg(unix)]
pub mod chromium;
#[cfg(not(unix))]
#[path = "chromium_other.rs"]
pub mod chromium;
pub mod chunks;
pub mod content;
pub mod finish;
pub mod fit;
pub mod impose;
pub mod inspect;
pub mod lines;
pub mod merge;
pub mod passes;
pub mod printer;
pub mod shop;
#[cfg(unix)]
mod swap;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::booklet::{Booklet, Item};
use crate::build::{self, BuildOptions, PdfFiles};
use crate::error::{Error, Result};
use crate::output::record::Record;
use crate::render::{Mode, PdfLink, PrintLayout, Renderer, Settings};
use crate::text::markdown;

/// The imposed PDF that `livret pdf --imposition booklet` writes next to `livret.pdf`.
pub const IMPOSED_NAME: &str = crate::output::names::IMPOSED;
/// `1` prints big booklets with one browser instead of two (benchmarks, tests).
pub const BROWSERS_ENV: &str = "LIVRET_PDF_BROWSERS";
/// Print passes before livret gives up on the layout settling: the sommaire's numbers, and
/// copyfitting's steps, run-ons and whole words (`fit`).
pub const MAX_PASSES: usize = 6;

/// Extra PDFs laid out for printing at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imposition {
    /// A4 landscape, two pages a side, in saddle-stitch order: print double-sided, fold, staple.
    Booklet,
}

/// What `livret pdf` is asked to do.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    pub build: BuildOptions,
    /// The browser; `None` finds one (`$LIVRET_CHROMIUM`, then `PATH`).
    pub chromium: Option<PathBuf>,
    pub imposition: Option<Imposition>,
    /// Also write the print-shop PDF (`shop`): bleed, trim and bleed boxes, output intent.
    pub print_shop: bool,
    /// Crop marks on the print-shop PDF, outside the bleed.
    pub marks: bool,
}

/// The imposed PDF `livret pdf --imposition` wrote.
#[derive(Debug, Clone)]
pub struct ImposedReport {
    pub path: PathBuf,
    /// A4 sides to print.
    pub sides: usize,
}

/// What `livret pdf` produced.
#[derive(Debug, Clone)]
pub struct PdfReport {
    pub pdf: PathBuf,
    pub pages: usize,
    pub passes: usize,
    pub imposed: Option<ImposedReport>,
    /// The print-shop PDF and its page count, with `--print-shop`.
    pub shop: Option<(PathBuf, usize)>,
    pub fiches: usize,
    /// Sheets copyfitting could not fit: slug, page, share of the text area that page holds.
    pub unfitted: Vec<(String, u32, f32)>,
    pub browser: String,
    pub millis: u128,
}

/// Builds, prints until the sommaire's numbers settle, publishes the PDF. `progress` receives
/// one line per step.
pub fn run(options: &PdfOptions, progress: &mut dyn FnMut(&str)) -> Result<PdfReport> {
    let start = Instant::now();
    let exe = chromium::find(options.chromium.as_deref())?;
    // Refuse an unusable out/ now rather than after printing.
    crate::output::check_out_dir(&options.build.root, &options.build.out, options.build.force)?;
    // Content errors come out before any browser starts.
    let project = build::load_project(&options.build.root)?;
    let Plan {
        anchors,
        sheets,
        meta,
        outline,
        trim_mm,
    } = plan(&project);
    // What the numbers will be settled for: the record a later build checks them against.
    let fingerprint = build::print_fingerprint(&project)?;
    drop(project);

    chromium::sweep_stale();
    let scratch = Scratch::new()?;
    let scratch_build = BuildOptions {
        root: options.build.root.clone(),
        out: scratch.path.join("out"),
        force: false,
    };
    let print_html = scratch_build.out.join(crate::output::names::PRINT);

    // A booklet with a record for this print edition likely settles in one pass, which one
    // browser prints faster than two (both would start cold).
    let record = record_for(&options.build.out, &fingerprint);
    let two = record.is_none() && std::env::var(BROWSERS_ENV).as_deref() != Ok("1");
    let (mut browser, version, helper) = start_browser(&exe, &scratch_build, two, progress)?;
    let printed_by = printed_by(&version);
    let recorded = record.and_then(|r| r.settled_by(&printed_by));

    let mut printer = printer::Printer::new(helper);
    let margins = passes::text_area(&scratch_build.out);
    // What print.html holds: `start_browser` built it unmeasured.
    let mut built = PrintLayout::default();
    let settled = passes::settle(
        MAX_PASSES,
        recorded,
        |_, layout| {
            if *layout != built {
                build::build_print(&scratch_build, layout.measured(), PdfFiles::Announce)?;
                built = layout.clone();
            }
            print_pass(
                &mut printer,
                &mut browser,
                &print_html,
                layout,
                &|measured| passes::measure(measured, &anchors, &sheets, layout, margins),
            )
        },
        progress,
    );
    // The second browser is done.
    let helper = printer.take_helper();
    let closing_helper = std::thread::spawn(move || drop(helper));
    // The settled pass's PDF, joined once; the chunks' PDFs go.
    let settled = settled.and_then(|s| Ok((printer.into_document()?, s)));
    let settled = settled.and_then(|(pdf, settled)| {
        let shop = match options.print_shop {
            true => Some(shop_pass(
                &mut browser,
                &print_html,
                &pdf.doc,
                trim_mm,
                &anchors,
                &settled.layout.numbers,
            )?),
            false => None,
        };
        Ok((settled, pdf, shop))
    });
    // The browser shuts down while the PDF is finished; it is waited for on every path.
    let closing = std::thread::spawn(move || drop(browser));
    let result = settled.and_then(|(settled, pdf, shop)| {
        let printed = Printed {
            html: &print_html,
            passes: settled.passes,
            layout: &settled.layout,
            pdf,
            shop: shop.as_deref(),
            trim_mm,
            fingerprint,
            printed_by,
        };
        let mut report = publish(options, &meta, &outline, printed, progress)?;
        report.unfitted = settled.unfitted;
        Ok(report)
    });
    let _ = closing.join();
    let _ = closing_helper.join();
    let mut report = result?;
    report.browser = version;
    report.millis = start.elapsed().as_millis();
    Ok(report)
}

/// Prints a pass of `layout` and measures it. When the second browser printed some chunks
/// at pages they do not fall on, a pass that would settle is printed again there first (the
/// pages are known by then).
fn print_pass(
    printer: &mut printer::Printer,
    browser: &mut chromium::Browser,
    print_html: &Path,
    layout: &PrintLayout,
    measure: &dyn Fn(&passes::Measured) -> Result<fit::Proposal>,
) -> Result<fit::Proposal> {
    let mut hint = layout.numbers.clone();
    loop {
        let measured = printer.print(browser, print_html, &hint)?;
        let mut blocked = browser.take_blocked();
        blocked.extend(printer.take_blocked());
        refuse_blocked(&blocked)?;
        let proposal = measure(&measured)?;
        if proposal.layout != *layout || printer.exact() || hint == proposal.layout.numbers {
            return Ok(proposal);
        }
        hint = proposal.layout.numbers.clone();
    }
}

/// Starts Chromium while the first pass builds the print edition into `scratch`, then
/// confines it to that folder's files; returns the browser, its version, and (when `two`) a
/// second browser starting if the print edition is big enough to print in chunks.
fn start_browser(
    exe: &Path,
    scratch: &BuildOptions,
    two: bool,
    progress: &mut dyn FnMut(&str),
) -> Result<(chromium::Browser, String, Option<printer::Launching>)> {
    let launching = {
        let exe = exe.to_path_buf();
        std::thread::spawn(move || {
            let t = Instant::now();
            chromium::Browser::launch(&exe).map(|b| (b, t.elapsed()))
        })
    };
    let first_build = build::build_print(scratch, None, PdfFiles::Announce);
    let print_html = scratch.out.join(crate::output::names::PRINT);
    let helper = (two && first_build.is_ok())
        .then(|| printer::launch_helper(exe, &print_html))
        .flatten();
    let (mut browser, launch_time) = launching
        .join()
        .map_err(|_| Error::Invariant("the browser launcher thread panicked".into()))??;
    first_build?;
    let version = browser.version()?;
    // Printing reads local files only: the files of the print edition, nothing else.
    browser.confine(&scratch.out)?;
    progress(&format!(
        "{version} ({}) started in {} ms",
        exe.display(),
        launch_time.as_millis()
    ));
    Ok((browser, version, helper))
}

pub use crate::render::Numbers;

/// What the passes need to know of the booklet, taken before it is dropped: the sommaire's
/// targets, the PDF's metadata and its bookmarks.
struct Plan {
    anchors: Vec<String>,
    /// Every sheet, for copyfitting.
    sheets: Vec<fit::Sheet>,
    meta: finish::Metadata,
    outline: Vec<finish::OutlineItem>,
    /// The trimmed page, in millimetres.
    trim_mm: (f64, f64),
}

/// The print-shop pass: the settled print edition with the bleed rules added, printed untagged.
/// It must break its pages exactly as the settled pass did (its sommaire carries those numbers).
fn shop_pass(
    browser: &mut chromium::Browser,
    print_html: &Path,
    settled: &lopdf::Document,
    trim_mm: (f64, f64),
    anchors: &[String],
    numbers: &Numbers,
) -> Result<Vec<u8>> {
    let first = settled.get_pages().into_values().next();
    let screen = first
        .and_then(|p| inspect::media_box(settled, p))
        .ok_or_else(|| Error::other("the printed PDF has no first page"))?;
    let screen_pt = (
        f64::from(screen[2] - screen[0]),
        f64::from(screen[3] - screen[1]),
    );
    let html = std::fs::read_to_string(print_html).map_err(|e| Error::io(print_html, e))?;
    let shop_html = print_html.with_file_name(crate::output::names::SHOP_HTML);
    std::fs::write(&shop_html, shop::with_bleed(&html, trim_mm, screen_pt)?)
        .map_err(|e| Error::io(&shop_html, e))?;
    browser.open(&printer::url_of(&shop_html)?)?;
    let pdf = browser.print(false)?;
    refuse_blocked(&browser.take_blocked())?;
    let doc = inspect::load(&pdf, "the print-shop pass")?;
    let (got, want) = (doc.get_pages().len(), settled.get_pages().len());
    if got != want || passes::numbers(&inspect::destinations(&doc), anchors)? != *numbers {
        return Err(Error::Invariant(format!(
            "the print-shop pass broke its pages differently ({got} pages, not {want}): the \
             bleed rules must keep the text block of the screen pass"
        )));
    }
    Ok(pdf)
}

fn plan(project: &build::Project) -> Plan {
    let settings = Settings {
        pdf: PdfLink::Linked,
        layout: None,
    };
    let renderer = Renderer::new(&project.booklet, &project.theme, settings);
    let config = &project.booklet.config;
    let french = config.is_french();
    let meta = finish::Metadata {
        title: renderer.site().title_plain.clone()
            + &config
                .subtitle
                .as_deref()
                .map(|s| format!(" — {}", markdown::plain(s, french)))
                .unwrap_or_default(),
        author: config
            .publisher
            .as_deref()
            .map(|p| markdown::plain(p, french)),
        subject: Some(renderer.site().description.clone()).filter(|d| !d.is_empty()),
        lang: config.lang.clone(),
        creator: renderer.site().generator.to_string(),
    };
    Plan {
        anchors: sommaire_targets(&renderer),
        sheets: sheets(&project.booklet, &renderer),
        meta,
        outline: outline(&project.booklet, &renderer),
        trim_mm: config.page_size.mm(),
    }
}

/// A pass that asked for files outside the print edition (blocked in the browser) fails.
fn refuse_blocked(blocked: &[String]) -> Result<()> {
    if blocked.is_empty() {
        return Ok(());
    }
    let one = blocked.len() == 1;
    Err(Error::other(format!(
        "the print edition asks for {} that {} not in it, blocked: {}",
        if one { "a file" } else { "files" },
        if one { "is" } else { "are" },
        blocked.join(", "),
    ))
    .with_help(format!(
        "printing reads local files only; save {0} into the theme's static/ folder and refer to \
         {0} by a relative path (a template, raw HTML or a stylesheet asked for it)",
        if one { "it" } else { "them" },
    )))
}

/// The settled print: the page printed, its numbers and the PDF.
struct Printed<'a> {
    html: &'a Path,
    passes: usize,
    layout: &'a PrintLayout,
    pdf: merge::Joined,
    /// The print-shop pass, with `--print-shop`.
    shop: Option<&'a [u8]>,
    trim_mm: (f64, f64),
    /// `build::print_fingerprint` of the booklet printed.
    fingerprint: String,
    /// `printed_by`: the browser and livret binary that printed it.
    printed_by: String,
}

/// Who settles a layout: the browser's version and this livret binary (its version, size and
/// modification time: a rebuilt livret may fit pages otherwise). Empty when the binary cannot
/// be looked at, and then no record is ever started from.
fn printed_by(browser: &str) -> String {
    let binary = std::env::current_exe()
        .and_then(std::fs::metadata)
        .ok()
        .and_then(|m| {
            let modified = m
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            Some(format!("{} bytes, {} ns", m.len(), modified.as_nanos()))
        });
    match binary {
        Some(binary) => format!("{browser}; livret {} ({binary})", env!("CARGO_PKG_VERSION")),
        None => String::new(),
    }
}

/// The record in `out`, when it was settled for this print edition (`fingerprint`); the
/// passes start from its layout when this browser and livret settled it (`settled_by`).
fn record_for(out: &Path, fingerprint: &str) -> Option<Record<PrintLayout>> {
    let bytes = std::fs::read(out.join(crate::output::names::RECORD)).ok()?;
    Record::<PrintLayout>::parse(&bytes).filter(|r| r.fingerprint == fingerprint)
}

/// Finishes the settled PDF, imposes it if asked, and builds `out/` with it.
fn publish(
    options: &PdfOptions,
    meta: &finish::Metadata,
    outline: &[finish::OutlineItem],
    printed: Printed,
    progress: &mut dyn FnMut(&str),
) -> Result<PdfReport> {
    let printed_html = std::fs::read(printed.html).map_err(|e| Error::io(printed.html, e))?;
    let finished = finish::finish(printed.pdf, meta, outline)?;
    if finished.blanks > 0 {
        progress(&format!(
            "{} blank page{} before the back cover: {} pages, a multiple of 4 for saddle stitching",
            finished.blanks,
            if finished.blanks == 1 { "" } else { "s" },
            finished.pages
        ));
    }
    let imposed = match options.imposition {
        Some(Imposition::Booklet) => Some(impose::booklet(&finished.bytes)?),
        None => None,
    };
    let shop = match printed.shop {
        Some(bytes) => Some(shop::finish(bytes, printed.trim_mm, meta, options.marks)?),
        None => None,
    };
    let mut files: Vec<(&str, &[u8])> = vec![(crate::PDF_NAME, &finished.bytes)];
    if let Some(imposed) = &imposed {
        files.push((IMPOSED_NAME, &imposed.bytes));
    }
    if let Some(shop) = &shop {
        files.push((crate::output::names::SHOP, &shop.bytes));
    }
    let record = Record::new(printed.fingerprint.clone(), printed.layout.clone())
        .printed_by(printed.printed_by.clone())
        .to_bytes();
    files.push((crate::output::names::RECORD, &record));
    let report = build::build_print(
        &options.build,
        printed.layout.measured(),
        PdfFiles::Publish(&files),
    )?;
    // out/print.html must be the very page that was printed.
    let final_html = options.build.out.join(crate::output::names::PRINT);
    let final_bytes = std::fs::read(&final_html).map_err(|e| Error::io(&final_html, e))?;
    if final_bytes != printed_html {
        return Err(Error::other(format!(
            "{} differs from the page that was printed: the build is not deterministic",
            final_html.display()
        )));
    }
    Ok(PdfReport {
        pdf: options.build.out.join(crate::PDF_NAME),
        pages: finished.pages,
        passes: printed.passes,
        imposed: imposed.map(|i| ImposedReport {
            path: options.build.out.join(IMPOSED_NAME),
            sides: i.sides,
        }),
        shop: shop.map(|s| (options.build.out.join(crate::output::names::SHOP), s.pages)),
        fiches: report.fiches,
        unfitted: Vec::new(),
        browser: String::new(),
        millis: 0,
    })
}

/// Every sheet of the print edition in order, by the id of its first page: part dividers are
/// fixed, pages may run on after the sheet before them.
fn sheets(booklet: &Booklet, renderer: &Renderer) -> Vec<fit::Sheet> {
    use crate::source::fiche::Kind;
    let groups: Vec<(Option<String>, usize)> = renderer
        .contexts()
        .toc(Mode::Print)
        .into_iter()
        .map(|g| {
            let title = usize::from(g.part.is_some());
            (g.part.map(|p| p.slug), g.entries.len() + title)
        })
        .collect();
    booklet
        .order
        .iter()
        .map(|item| match *item {
            Item::Part(p) => fit::Sheet {
                slug: booklet.parts[p].slug.clone(),
                kind: fit::SheetKind::Fixed,
                groups: Vec::new(),
            },
            Item::Entry(i) => {
                let kind = match booklet.entries[i].doc.kind() {
                    Kind::Page => fit::SheetKind::Page,
                    Kind::Sommaire => fit::SheetKind::Sommaire,
                    _ => fit::SheetKind::Text,
                };
                fit::Sheet {
                    slug: booklet.entries[i].slug.clone(),
                    kind,
                    groups: match kind {
                        fit::SheetKind::Sommaire => groups.clone(),
                        _ => Vec::new(),
                    },
                }
            }
        })
        .collect()
}

/// The anchors the print sommaire links to (parts and listed entries), in order.
pub fn sommaire_targets(renderer: &Renderer) -> Vec<String> {
    let mut out = Vec::new();
    for group in renderer.contexts().toc(Mode::Print) {
        if let Some(part) = group.part {
            out.push(part.slug);
        }
        out.extend(group.entries.into_iter().map(|e| e.slug));
    }
    out
}

/// The bookmarks: the cover (the booklet's title), then every entry in document order, each
/// part opening onto its entries. They point at the ids the print edition gives its parts and
/// entries (each one links to itself, so Chromium writes a destination for it).
pub fn outline(booklet: &Booklet, renderer: &Renderer) -> Vec<finish::OutlineItem> {
    use finish::{OutlineItem, Target};
    let french = booklet.config.is_french();
    let entry_item = |i: usize| {
        let entry = &booklet.entries[i];
        let title = markdown::plain(entry.doc.title(), french);
        OutlineItem {
            title: match entry.number {
                Some(n) => format!("{n}. {title}"),
                None => title,
            },
            target: Target::Anchor(entry.slug.clone()),
            children: Vec::new(),
        }
    };
    let mut items = vec![OutlineItem {
        title: renderer.site().title_plain.clone(),
        target: Target::Page(1),
        children: Vec::new(),
    }];
    for item in &booklet.order {
        match *item {
            Item::Part(p) => {
                let part = &booklet.parts[p];
                items.push(OutlineItem {
                    title: markdown::plain(&part.part.title, french),
                    target: Target::Anchor(part.slug.clone()),
                    children: Vec::new(),
                });
            }
            Item::Entry(i) => {
                let bookmark = entry_item(i);
                match (booklet.entries[i].part, items.last_mut()) {
                    (Some(p), Some(last)) if matches!(&last.target, Target::Anchor(a) if *a == booklet.parts[p].slug) => {
                        last.children.push(bookmark)
                    }
                    _ => items.push(bookmark),
                }
            }
        }
    }
    items
}

/// A scratch folder for the print passes, removed when done.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Result<Scratch> {
        let base = chromium::scratch_base();
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for attempt in 0..100u32 {
            let path = base.join(format!(
                "livret-pdf-{}-{stamp}-{attempt}",
                std::process::id()
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
        Err(Error::other("could not create a scratch folder"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

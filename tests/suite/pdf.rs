//! `livret pdf` end to end: the real binary prints the real guide with real Chromium, and the
//! PDFs are read back with poppler-utils (pdftotext, pdfinfo, pdffonts) and lopdf. Also the
//! print edition under WeasyPrint, other page sizes, and the errors when no browser works.
//!
//! The guide is printed once per test run (`guide()`), into `target/tmp/pdf-guide`, and the
//! tests below each check one promise of the printed booklet on that output.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::*;

/// A5 in PDF points, and how far Chromium may round it.
const A5: (f32, f32) = (419.53, 595.28);
const A4_LANDSCAPE: (f32, f32) = (841.89, 595.28);
const TOLERANCE: f32 = 1.5;

/// The guide, printed once: its folder and what `livret pdf` said on stderr.
pub(crate) struct Printed {
    pub(crate) dir: PathBuf,
    pub(crate) stderr: String,
}

static GUIDE: OnceLock<Option<Printed>> = OnceLock::new();

/// The guide printed with `livret pdf --imposition booklet`, or `None` (skip) when Chromium or
/// poppler-utils are missing locally. Under CI=true missing tools fail instead.
pub(crate) fn guide() -> Option<&'static Printed> {
    GUIDE
        .get_or_init(|| {
            chromium()?;
            require_tool("pdftotext", "apt-get install poppler-utils")?;
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdf-guide");
            let _ = fs::remove_dir_all(&dir);
            let copy = guide_copy();
            copy_dir(copy.path(), &dir);
            let _lock = browser_lock();
            let out = livret_ok(&dir, &["pdf", "--imposition", "booklet"]);
            Some(Printed {
                dir,
                stderr: stderr(&out),
            })
        })
        .as_ref()
}

pub(crate) fn out(printed: &Printed) -> PathBuf {
    printed.dir.join("out")
}

/// The text of every page, as pdftotext reads it (`-layout` keeps lines as set).
pub(crate) fn pages_text(pdf: &Path, layout: bool) -> Vec<String> {
    let mut cmd = Command::new("pdftotext");
    if layout {
        cmd.arg("-layout");
    }
    let output = cmd.arg(pdf).arg("-").output().expect("run pdftotext");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The text inside a rectangle (points) of one page.
fn region_text(pdf: &Path, page: usize, x: f32, w: f32, h: f32) -> String {
    let output = Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args(["-x", &format!("{}", x as i32), "-y", "0"])
        .args([
            "-W",
            &format!("{}", w as i32),
            "-H",
            &format!("{}", h as i32),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    norm(&String::from_utf8_lossy(&output.stdout))
}

/// Lower case, without any white space (letter-spaced capitals come out of pdftotext as
/// "B O N N E"), typographic apostrophes made plain, invisible characters dropped.
fn norm(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{ad}', '\u{200b}'], "")
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

pub(crate) fn doc(pdf: &Path) -> lopdf::Document {
    lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()))
}

fn page_sizes(doc: &lopdf::Document) -> Vec<(f32, f32)> {
    doc.page_iter()
        .map(|id| {
            let page = doc.get_dictionary(id).unwrap();
            let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let v: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
            (v[2] - v[0], v[3] - v[1])
        })
        .collect()
}

fn near(a: (f32, f32), b: (f32, f32)) -> bool {
    (a.0 - b.0).abs() <= TOLERANCE && (a.1 - b.1).abs() <= TOLERANCE
}

/// Named destinations (catalog `/Dests`, what Chromium writes): name → (page, top y).
pub(crate) fn destinations(doc: &lopdf::Document) -> BTreeMap<String, (u32, f32)> {
    let pages: BTreeMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let catalog = doc.catalog().unwrap();
    let dests = catalog.get(b"Dests").unwrap().as_reference().unwrap();
    let dests = doc.get_dictionary(dests).unwrap();
    dests
        .iter()
        .map(|(name, dest)| {
            let dest = match dest {
                lopdf::Object::Reference(id) => doc.get_object(*id).unwrap(),
                d => d,
            };
            let array = dest.as_array().unwrap();
            let page = pages[&array[0].as_reference().unwrap()];
            let top = array.get(3).and_then(|t| t.as_float().ok()).unwrap_or(-1.0);
            (String::from_utf8_lossy(name).into_owned(), (page, top))
        })
        .collect()
}

/// Bookmarks as (depth, title, page).
fn bookmarks(doc: &lopdf::Document) -> Vec<(usize, String, u32)> {
    let pages: BTreeMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let root = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .unwrap()
        .as_reference()
        .unwrap();
    let mut out = Vec::new();
    fn walk(
        doc: &lopdf::Document,
        first: Option<lopdf::ObjectId>,
        depth: usize,
        pages: &BTreeMap<lopdf::ObjectId, u32>,
        out: &mut Vec<(usize, String, u32)>,
    ) {
        let mut next = first;
        while let Some(id) = next {
            let item = doc.get_dictionary(id).unwrap();
            let title = lopdf::decode_text_string(item.get(b"Title").unwrap()).unwrap();
            let dest = item.get(b"Dest").unwrap().as_array().unwrap();
            out.push((depth, title, pages[&dest[0].as_reference().unwrap()]));
            walk(
                doc,
                item.get(b"First").and_then(|f| f.as_reference()).ok(),
                depth + 1,
                pages,
                out,
            );
            next = item.get(b"Next").and_then(|n| n.as_reference()).ok();
        }
    }
    let first = doc
        .get_dictionary(root)
        .unwrap()
        .get(b"First")
        .unwrap()
        .as_reference()
        .ok();
    walk(doc, first, 0, &pages, &mut out);
    out
}

/// What the print edition's HTML says about one sheet: id, title, kicker, part line.
struct Sheet {
    id: String,
    title: String,
    kicker: String,
    part: String,
}

fn fiche_sheets(print_html: &Path) -> Vec<Sheet> {
    let doc = html(print_html);
    let sheet = scraper::Selector::parse(".sheet-fiche article.fiche").unwrap();
    let one = |el: scraper::ElementRef, sel: &str| {
        let sel = scraper::Selector::parse(sel).unwrap();
        el.select(&sel)
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default()
    };
    doc.select(&sheet)
        .map(|el| Sheet {
            id: el.value().attr("id").unwrap().to_string(),
            title: one(el, ".fiche-title"),
            kicker: one(el, ".kicker"),
            part: one(el, ".fiche-part"),
        })
        .collect()
}

/// The sommaire of print.html: (target id, title, printed page text), in order.
pub(crate) fn sommaire(print_html: &Path) -> Vec<(String, String, String)> {
    let doc = html(print_html);
    let link = scraper::Selector::parse(".sommaire a.toc-link").unwrap();
    let title = scraper::Selector::parse(".toc-title").unwrap();
    let page = scraper::Selector::parse(".toc-page").unwrap();
    doc.select(&link)
        .map(|a| {
            let text = |sel: &scraper::Selector| {
                a.select(sel)
                    .next()
                    .map(|e| e.text().collect::<String>())
                    .unwrap_or_default()
            };
            (
                a.value()
                    .attr("href")
                    .unwrap()
                    .trim_start_matches('#')
                    .to_string(),
                text(&title),
                text(&page).chars().filter(char::is_ascii_digit).collect(),
            )
        })
        .collect()
}

/// The page numbers printed at the end of the sommaire's lines (`pdftotext -layout`), in order.
pub(crate) fn printed_numbers(page_text: &str) -> Vec<u32> {
    page_text
        .lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let digits = line.len() - line.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            let head = &line[..line.len() - digits];
            // An entry's number sits after a run of spaces; a line of digits alone is the
            // page's own number in the footer.
            (digits > 0 && head.ends_with("   ") && !head.trim().is_empty())
                .then(|| line[line.len() - digits..].parse().unwrap())
        })
        .collect()
}

/// The pages (1-based) whose text holds `needle`, skipping the `skip` pages.
fn pages_with(pages: &[String], needle: &str, skip: &[usize]) -> Vec<usize> {
    let needle = norm(needle);
    pages
        .iter()
        .enumerate()
        .filter(|(i, text)| !skip.contains(&(i + 1)) && norm(text).contains(&needle))
        .map(|(i, _)| i + 1)
        .collect()
}

// ── Done when 1: the guide's PDF ────────────────────────────────────────────────────────────

#[test]
fn every_page_is_a5_and_the_count_suits_saddle_stitching() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let sizes = page_sizes(&doc(&pdf));
    assert!(sizes.len() >= 30, "the guide has {} pages", sizes.len());
    for (i, size) in sizes.iter().enumerate() {
        assert!(near(*size, A5), "page {} is {size:?} pt, not A5", i + 1);
    }
    assert_eq!(
        sizes.len() % 4,
        0,
        "{} pages: not a multiple of 4",
        sizes.len()
    );
    // The last page is the back cover, after the blank pages that pad the count.
    let text = pages_text(&pdf, false);
    assert!(
        norm(text.last().unwrap()).contains(&norm("organisation pour une citoyenneté universelle"))
    );
}

#[test]
fn the_cover_has_no_page_number_and_content_pages_do() {
    let Some(g) = guide() else { return };
    let pages = pages_text(&out(g).join("livret.pdf"), true);
    let number_lines = |text: &str| -> Vec<u32> {
        text.lines()
            .filter_map(|l| l.trim().parse::<u32>().ok())
            .collect()
    };
    assert_eq!(
        number_lines(&pages[0]),
        Vec::<u32>::new(),
        "cover: {}",
        pages[0]
    );
    // The sommaire (page 3) and a fiche page carry their numbers, and the running title.
    for n in [3usize, 9] {
        assert!(
            number_lines(&pages[n - 1]).contains(&(n as u32)),
            "page {n} has no number {n}:\n{}",
            pages[n - 1]
        );
        assert!(
            norm(&pages[n - 1]).starts_with(&norm("Accueillir et intégrer des migrant.e.s")),
            "page {n} has no running title"
        );
    }
}

/// The leftmost word of a page, in points (`pdftotext -bbox`).
fn left_edge(pdf: &Path, page: usize) -> f32 {
    let output = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext -bbox");
    String::from_utf8_lossy(&output.stdout)
        .split("xMin=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse::<f32>().ok())
        .fold(f32::MAX, f32::min)
}

/// The colour of a pixel of a page rendered at 72 dpi, one pixel a point (`pdftoppm`, PPM).
fn pixel(pdf: &Path, page: usize, fx: f32, fy: f32) -> (u8, u8, u8) {
    crate::support::pixel(pdf, page, f64::from(fx), f64::from(fy))
}

#[test]
fn the_cover_is_full_bleed_and_margins_alternate_for_binding() {
    let Some(g) = guide() else { return };
    let Some(_) = require_tool("pdftoppm", "apt-get install poppler-utils") else {
        return;
    };
    let pdf = out(g).join("livret.pdf");
    // The cover's colour (#0b5563) reaches every corner of the page.
    for (fx, fy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        let (r, g, b) = pixel(&pdf, 1, fx, fy);
        assert!(
            r < 40 && (70..110).contains(&g) && (80..120).contains(&b),
            "cover corner ({fx}, {fy}) is {r},{g},{b}"
        );
    }
    // A content page's corner is white paper.
    assert_eq!(pixel(&pdf, 3, 0.0, 1.0), (255, 255, 255));
    // Right-hand (odd) pages have the wider margin on the left, the binding side; left-hand
    // (even) pages on the right. 16 mm ≈ 45 pt, 12 mm ≈ 34 pt.
    let (odd, even) = (left_edge(&pdf, 9), left_edge(&pdf, 10));
    assert!(
        (42.0..50.0).contains(&odd),
        "page 9 text starts at {odd} pt"
    );
    assert!(
        (31.0..39.0).contains(&even),
        "page 10 text starts at {even} pt"
    );
}

/// Every sheet starts a new page, but those copyfitting ran on after the one before them.
#[test]
fn every_sheet_starts_a_new_page() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let dests = destinations(&doc(&pdf));
    let print = html(&out(g).join("print.html"));
    let ids = attrs(
        &print,
        ".sheet[id]:not(.sheet-run-on), .sheet:not(.sheet-run-on) > article[id]",
        "id",
    );
    assert!(ids.len() >= 16, "{ids:?}");
    let mut pages = Vec::new();
    for id in &ids {
        let (page, top) = dests
            .get(id)
            .unwrap_or_else(|| panic!("no destination for #{id}"));
        assert!(
            (top - A5.1).abs() <= TOLERANCE,
            "#{id} is at y={top} on page {page}"
        );
        pages.push(*page);
    }
    // One sheet a page at least: no two sheets share a page, in document order.
    assert!(pages.windows(2).all(|w| w[0] < w[1]), "{ids:?} → {pages:?}");
}

#[test]
fn each_fiche_starts_at_the_top_of_a_new_page() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let pages = pages_text(&pdf, false);
    let dests = destinations(&doc(&pdf));
    let sheets = fiche_sheets(&out(g).join("print.html"));
    assert_eq!(sheets.len(), 10);
    let sommaire_page = dests["sommaire"].0 as usize;
    for sheet in &sheets {
        let (page, top) = dests[&sheet.id];
        // The destination Chromium wrote for the fiche is at the very top of its page.
        assert!(
            (top - A5.1).abs() <= TOLERANCE,
            "#{} is at y={top} on page {page}",
            sheet.id
        );
        // And that page begins with the fiche: running title, part, kicker, then its title.
        let text = norm(&pages[page as usize - 1]);
        let expected_start = norm(&format!(
            "Accueillir et intégrer des migrant.e.s {} {} {}",
            sheet.part, sheet.kicker, sheet.title
        ));
        assert!(
            text.starts_with(&expected_start),
            "page {page} does not start with fiche #{}:\n  want: {expected_start}\n  got:  {}",
            sheet.id,
            text.chars().take(300).collect::<String>()
        );
        // The page before ends another entry: the title is nowhere else but the sommaire.
        assert_eq!(
            pages_with(&pages, &sheet.title, &[sommaire_page]),
            vec![page as usize]
        );
    }
}

#[test]
fn the_sommaire_numbers_are_the_pages_of_its_entries() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let print_html = out(g).join("print.html");
    let entries = sommaire(&print_html);
    assert!(entries.len() >= 12, "{entries:?}");
    let dests = destinations(&doc(&pdf));
    let sommaire_page = dests["sommaire"].0 as usize;

    // The numbers printed in the PDF's sommaire, read from the PDF itself…
    let layout = pages_text(&pdf, true);
    let printed = printed_numbers(&layout[sommaire_page - 1]);
    let in_html: Vec<u32> = entries
        .iter()
        .map(|(id, _, page)| {
            page.parse()
                .unwrap_or_else(|_| panic!("no page number for #{id} in print.html"))
        })
        .collect();
    assert_eq!(
        printed, in_html,
        "the PDF's sommaire and out/print.html disagree"
    );

    // …are the pages where each entry's title is printed.
    let pages = pages_text(&pdf, false);
    for ((id, title, _), number) in entries.iter().zip(&printed) {
        let found = pages_with(&pages, title, &[sommaire_page]);
        assert!(
            found.first() == Some(&(*number as usize)),
            "sommaire says #{id} «{title}» is on page {number}, its title is on pages {found:?}"
        );
    }
}

#[test]
fn bookmarks_cover_the_parts_and_the_fiches() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let marks = bookmarks(&doc(&pdf));
    let dests = destinations(&doc(&pdf));
    let sheets = fiche_sheets(&out(g).join("print.html"));
    let print = html(&out(g).join("print.html"));
    let parts: Vec<(String, String)> = {
        let sel = scraper::Selector::parse("section.part-divider").unwrap();
        print
            .select(&sel)
            .map(|s| {
                (
                    s.value().attr("id").unwrap().to_string(),
                    s.text().collect::<String>(),
                )
            })
            .collect()
    };
    assert_eq!(parts.len(), 2);
    for (id, title) in &parts {
        let mark = marks
            .iter()
            .find(|(_, t, _)| norm(title).contains(&norm(t)))
            .unwrap_or_else(|| panic!("no bookmark for part #{id}: {marks:?}"));
        assert_eq!(mark.0, 0, "parts are top-level bookmarks");
        assert_eq!(mark.2, dests[id].0, "bookmark of part #{id}");
    }
    for sheet in &sheets {
        let mark = marks
            .iter()
            .find(|(_, t, _)| norm(t).ends_with(&norm(&sheet.title)))
            .unwrap_or_else(|| panic!("no bookmark for fiche #{}: {marks:?}", sheet.id));
        assert_eq!(mark.0, 1, "fiches sit under their part");
        assert_eq!(
            mark.2, dests[&sheet.id].0,
            "bookmark of fiche #{}",
            sheet.id
        );
    }
    // Titles are the booklet's own text, not what a wrapped heading looks like.
    assert!(marks.iter().any(|(_, t, _)| t == "Sommaire"), "{marks:?}");
    assert!(
        marks.iter().all(|(_, t, _)| !t.contains("desmigrant")),
        "{marks:?}"
    );
}

#[test]
fn no_placeholder_is_left_and_the_site_links_the_pdf() {
    let Some(g) = guide() else { return };
    let out = out(g);
    let print = fs::read_to_string(out.join("print.html")).unwrap();
    let doc = html(&out.join("print.html"));
    assert!(
        attrs(&doc, ".toc-link.pending", "href").is_empty(),
        "pending sommaire entries left"
    );
    for (id, _, page) in sommaire(&out.join("print.html")) {
        assert!(!page.is_empty() && page != "0", "#{id} has no page number");
    }
    assert!(!print.contains("livret-print-items"));
    let text = pages_text(&out.join("livret.pdf"), false).join("\n");
    for leftover in ["{{", "}}", "{%", "target-counter", "livret-print-items"] {
        assert!(!text.contains(leftover), "the PDF contains `{leftover}`");
    }
    assert!(attrs(&html(&out.join("index.html")), "a", "href").contains(&"livret.pdf".to_string()));
    let manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l == "livret.pdf"), "{manifest}");
    assert!(
        manifest.lines().any(|l| l == "livret-imposition.pdf"),
        "{manifest}"
    );
}

#[test]
fn further_reading_links_print_as_readable_urls() {
    let Some(g) = guide() else { return };
    let print = html(&out(g).join("print.html"));
    let shown = texts(&print, ".further a.url");
    let hrefs = attrs(&print, ".further a.url", "href");
    assert!(shown.len() >= 10, "{shown:?}");
    let text = norm(&pages_text(&out(g).join("livret.pdf"), false).join("\n"));
    for (label, href) in shown.iter().zip(&hrefs) {
        assert!(!label.contains("://"), "{label} shows its scheme");
        let bare = href.split_once("://").map_or(href.as_str(), |(_, b)| b);
        assert!(
            norm(bare).starts_with(&norm(label).replace('\u{200b}', "")),
            "{label} / {href}"
        );
        assert!(text.contains(&norm(label)), "{label} is not in the PDF");
    }
    // Navigation and buttons are web-only.
    let first = norm(&pages_text(&out(g).join("livret.pdf"), false)[0]);
    assert!(!first.contains(&norm("Télécharger le PDF")), "{first}");
}

#[test]
fn the_pdf_has_metadata_embedded_fonts_and_tags() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        field("Title"),
        "Accueillir et intégrer des migrant.e.s — Municipalités solidaires"
    );
    assert_eq!(
        field("Author"),
        "Organisation pour une citoyenneté universelle"
    );
    assert!(
        field("Subject").starts_with("Dix exemples concrets"),
        "{info}"
    );
    assert_eq!(field("Tagged"), "yes");
    let d = doc(&pdf);
    let catalog = d.catalog().unwrap();
    assert_eq!(
        lopdf::decode_text_string(catalog.get(b"Lang").unwrap()).unwrap(),
        "fr"
    );
    assert!(
        catalog.get(b"StructTreeRoot").is_ok(),
        "the structure tree was lost"
    );

    let fonts = Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts");
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 4, "{fonts}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type… emb sub uni object ID: `emb` is the fifth column from the end.
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {row}");
        assert!(row.contains("Source"), "not a bundled font: {row}");
    }
}

#[test]
fn progress_reports_the_passes() {
    let Some(g) = guide() else { return };
    assert!(g.stderr.contains("pass 1:"), "{}", g.stderr);
    assert!(
        g.stderr.contains("sommaire page numbers settled"),
        "{}",
        g.stderr
    );
}

// ── Done when 2: the imposed PDF ────────────────────────────────────────────────────────────

#[test]
fn the_imposed_pdf_is_a4_landscape_in_folding_order() {
    let Some(g) = guide() else { return };
    let booklet = out(g).join("livret.pdf");
    let imposed = out(g).join("livret-imposition.pdf");
    let n = page_sizes(&doc(&booklet)).len();
    let padded = n.div_ceil(4) * 4;
    let sides = page_sizes(&doc(&imposed));
    assert_eq!(sides.len(), padded / 2);
    for (i, size) in sides.iter().enumerate() {
        assert!(near(*size, A4_LANDSCAPE), "side {} is {size:?} pt", i + 1);
    }
    let a5 = pages_text(&booklet, false);
    let half = A4_LANDSCAPE.0 / 2.0;
    let left = |side: usize| region_text(&imposed, side, 0.0, half, A4_LANDSCAPE.1);
    let right = |side: usize| region_text(&imposed, side, half, half, A4_LANDSCAPE.1);
    // First sheet: N | 1 (back cover beside the cover); its back: 2 | N-1.
    assert_eq!(left(1), norm(&a5[padded - 1]));
    assert_eq!(right(1), norm(&a5[0]));
    assert!(
        right(1).contains(&norm("Accueillir et intégrer")),
        "{}",
        right(1)
    );
    assert_eq!(left(2), norm(&a5[1]));
    assert_eq!(right(2), norm(&a5[padded - 2]));
    // The middle of the booklet: N/2 | N/2+1 on the last side.
    assert_eq!(left(padded / 2), norm(&a5[padded / 2 - 1]));
    assert_eq!(right(padded / 2), norm(&a5[padded / 2]));
}

// ── Done when 3: WeasyPrint numbers the sommaire itself ─────────────────────────────────────

#[test]
fn weasyprint_renders_the_sommaire_with_its_page_numbers() {
    let Some(weasyprint) = require_tool("weasyprint", "apt-get install weasyprint") else {
        return;
    };
    let Some(_) = require_tool("pdftotext", "apt-get install poppler-utils") else {
        return;
    };
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let print_html = dir.path().join("out/print.html");
    // Before `livret pdf`, the numbers are left to target-counter().
    let entries = sommaire(&print_html);
    assert!(entries.iter().all(|(_, _, page)| page.is_empty()));
    let pdf = dir.path().join("weasy.pdf");
    let _lock = browser_lock(); // two cores: one heavy renderer at a time
    let run = Command::new(weasyprint)
        .arg(&print_html)
        .arg(&pdf)
        .output()
        .expect("run weasyprint");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let layout = pages_text(&pdf, true);
    let pages = pages_text(&pdf, false);
    // The sommaire: from the page titled "Sommaire" on, until every entry has its number.
    let start = pages
        .iter()
        .position(|p| norm(p).contains(&norm("Sommaire Introduction")))
        .expect("a sommaire page")
        + 1;
    let mut printed = Vec::new();
    let mut sommaire_pages = Vec::new();
    for (i, text) in layout.iter().enumerate().skip(start - 1) {
        if printed.len() >= entries.len() {
            break;
        }
        sommaire_pages.push(i + 1);
        printed.extend(printed_numbers(text));
    }
    assert_eq!(printed.len(), entries.len(), "numbers read: {printed:?}");
    for ((id, title, _), number) in entries.iter().zip(&printed) {
        assert_ne!(*number, 0, "WeasyPrint printed 0 for #{id}");
        let found = pages_with(&pages, title, &sommaire_pages);
        assert!(
            found.first() == Some(&(*number as usize)),
            "WeasyPrint's sommaire says #{id} is on page {number}, its title is on {found:?}"
        );
    }
}

// ── Other page sizes ────────────────────────────────────────────────────────────────────────

fn small_project(page_size: &str) -> tempfile::TempDir {
    project(&[
        (
            "livret.toml",
            &format!(
                "title = \"Petit livret\"\npublisher = \"OCU\"\npage_size = \"{page_size}\"\n"
            ),
        ),
        (
            "fiches/01-sommaire.toml",
            "kind = \"sommaire\"\ntitle = \"Sommaire\"\n",
        ),
        ("fiches/10-une/_part.toml", "title = \"Première partie\"\n"),
        (
            "fiches/10-une/01-a.toml",
            "title = \"Fiche alpha\"\nsummary = \"Un texte.\"\n",
        ),
        (
            "fiches/10-une/02-b.toml",
            "title = \"Fiche bêta\"\nsummary = \"Voir [alpha](@a).\"\n",
        ),
    ])
}

#[test]
fn a4_and_letter_pages_follow_livret_toml() {
    if chromium().is_none() {
        return;
    }
    for (size, points) in [("A4", (595.28, 841.89)), ("letter", (612.0, 792.0))] {
        let dir = small_project(size);
        let _lock = browser_lock();
        livret_ok(dir.path(), &["pdf"]);
        drop(_lock);
        let pdf = dir.path().join("out/livret.pdf");
        let sizes = page_sizes(&doc(&pdf));
        assert_eq!(
            sizes.len(),
            8,
            "{size}: cover, sommaire, part, 2 fiches, back, padded"
        );
        for s in &sizes {
            assert!(near(*s, points), "{size}: a page is {s:?} pt");
        }
        // Fiche bêta's link to alpha prints as "fiche n° 1".
        if require_tool("pdftotext", "apt-get install poppler-utils").is_some() {
            let text = norm(&pages_text(&pdf, false).join(" "));
            assert!(text.contains(&norm("voir alpha (fiche n° 1)")), "{text}");
        }
        // A later plain build of the same content keeps the PDF published and the sommaire's
        // numbers (the print record, tests/suite/print_path.rs).
        let numbered = sommaire(&dir.path().join("out/print.html"));
        assert!(
            numbered.iter().all(|(_, _, page)| !page.is_empty()),
            "{numbered:?}"
        );
        let pdf_bytes = fs::read(&pdf).unwrap();
        livret_ok(dir.path(), &["build"]);
        assert_eq!(fs::read(&pdf).unwrap(), pdf_bytes);
        assert_eq!(sommaire(&dir.path().join("out/print.html")), numbered);
        assert!(
            attrs(&html(&dir.path().join("out/index.html")), "a", "href")
                .contains(&"livret.pdf".to_string())
        );
    }
}

// ── When no browser works ───────────────────────────────────────────────────────────────────

#[test]
fn no_chromium_is_a_clear_error() {
    let dir = small_project("A5");
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .arg("pdf")
        .current_dir(dir.path())
        .env("PATH", empty.path())
        .env_remove("LIVRET_CHROMIUM")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no Chromium found"), "{err}");
    assert!(err.contains("apt install chromium"), "{err}");
    assert!(err.contains("--chromium"), "{err}");
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_chromium_path_that_is_not_a_file_is_a_usage_error() {
    let dir = small_project("A5");
    let out = livret(dir.path(), &["pdf", "--chromium", "/nonexistent/chromium"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/chromium"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_browser_that_dies_is_reported_not_waited_for() {
    let dir = small_project("A5");
    let fake = dir.path().join("fake-chromium");
    fs::write(
        &fake,
        "#!/bin/sh\necho 'fake browser: cannot start' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let start = std::time::Instant::now();
    let out = Command::new(bin())
        .arg("pdf")
        .current_dir(dir.path())
        .env("LIVRET_CHROMIUM", &fake)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("closed the connection"), "{err}");
    assert!(err.contains("fake browser: cannot start"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    assert!(!dir.path().join("out/livret.pdf").exists());
}

#[test]
fn content_errors_stop_before_printing() {
    let dir = small_project("A5");
    write(dir.path(), "fiches/10-une/03-c.toml", "titel = \"typo\"\n");
    let fake = dir.path().join("never-run");
    fs::write(&fake, "#!/bin/sh\ntouch \"$0.ran\"\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(bin())
        .arg("pdf")
        .current_dir(dir.path())
        .env("LIVRET_CHROMIUM", &fake)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("03-c.toml:1:1"), "{}", stderr(&out));
    assert!(
        !dir.path().join("never-run.ran").exists(),
        "the browser was started"
    );
}

#[test]
fn an_unusable_out_folder_is_refused_before_printing() {
    let dir = small_project("A5");
    let fake = dir.path().join("never-run");
    fs::write(&fake, "#!/bin/sh\ntouch \"$0.ran\"\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    write(dir.path(), "elsewhere/notes.txt", "mine");
    let out = Command::new(bin())
        .args(["pdf", "--out", "elsewhere"])
        .current_dir(dir.path())
        .env("LIVRET_CHROMIUM", &fake)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not empty"), "{}", stderr(&out));
    assert!(
        !dir.path().join("never-run.ran").exists(),
        "the browser was started"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("elsewhere/notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn scratch_folders_of_killed_runs_are_swept() {
    let dir = small_project("A5");
    let tmp = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake-chromium");
    fs::write(&fake, "#!/bin/sh\nexit 3\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    // A finished process's pid stands for a killed `livret pdf`; this test's pid is alive.
    let mut done = Command::new("true").spawn().unwrap();
    done.wait().unwrap();
    let dead = tmp.path().join(format!("livret-pdf-{}-1-0", done.id()));
    let alive = tmp
        .path()
        .join(format!("livret-chromium-{}-1-0", std::process::id()));
    let other = tmp.path().join("livret-notes");
    for d in [&dead, &alive, &other] {
        fs::create_dir_all(d.join("sub")).unwrap();
    }
    let out = Command::new(bin())
        .arg("pdf")
        .current_dir(dir.path())
        .env("LIVRET_CHROMIUM", &fake)
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dead.exists(), "the dead run's folder is still there");
    assert!(
        alive.exists() && other.exists(),
        "a live or foreign folder was removed"
    );
    // And the failed run cleaned up after itself.
    let left: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

// ── Printing reads local files only ─────────────────────────────────────────────────────────

/// A listener on 127.0.0.1 that counts the connections it is offered, until dropped.
struct Listener {
    port: u16,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Listener {
    fn start() -> Listener {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let port = socket.local_addr().unwrap().port();
        let hits = std::sync::Arc::new(AtomicUsize::new(0));
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match socket.accept() {
                    Ok(_) => {
                        h.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
                }
            }
        });
        Listener {
            port,
            hits,
            stop,
            thread: Some(thread),
        }
    }

    fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Remote images in Markdown and remote references in the theme's stylesheets are errors of
/// `check`, `build` and `pdf`, naming the file, its line and the URL; nothing is fetched.
#[test]
fn remote_images_and_stylesheet_urls_are_refused_before_printing() {
    let listener = Listener::start();
    let dir = small_project("A5");
    let pixel = format!("http://127.0.0.1:{}/pixel.gif", listener.port);
    let import = format!("http://127.0.0.1:{}/track.css", listener.port);
    write(
        dir.path(),
        "fiches/10-une/03-c.toml",
        &format!("title = \"Fiche c\"\nsummary = \"Une image ![]({pixel}) ici.\"\n"),
    );
    write(
        dir.path(),
        "themes/default/css/_extra.css",
        &format!("/* ajout */\n@import url(\"{import}\");\n"),
    );
    let mut commands: Vec<&[&str]> = vec![&["check"], &["build"]];
    if chromium().is_some() {
        commands.push(&["pdf"]);
    }
    for args in commands {
        let _lock = browser_lock();
        let result = livret(dir.path(), args);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(1), "{args:?}:\n{err}");
        assert!(
            err.contains(&format!(
                "fiches/10-une/03-c.toml:2:26: error: the image `{pixel}` is not a local file"
            )),
            "{args:?}:\n{err}"
        );
        assert!(
            err.contains(&format!(
                "themes/default/css/_extra.css:2:14: error: the stylesheet refers to `{import}`"
            )),
            "{args:?}:\n{err}"
        );
        assert!(err.contains("printing reads local files only"), "{err}");
        assert!(!dir.path().join("out/livret.pdf").exists());
    }
    assert_eq!(listener.hits(), 0, "a request reached the listener");
}

/// What the checks cannot see (raw HTML with `allow_html`, here an image and a CSS background
/// pointing at a listener on 127.0.0.1) is blocked in the browser: the listener is never
/// contacted, and `livret pdf` fails at once naming the URLs instead of waiting for them.
#[test]
fn printing_blocks_every_request_outside_the_print_edition() {
    if chromium().is_none() {
        return;
    }
    let listener = Listener::start();
    let dir = small_project("A5");
    let config = dir.path().join("livret.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str("allow_html = true\n");
    fs::write(&config, text).unwrap();
    let pixel = format!("http://127.0.0.1:{}/pixel.gif", listener.port);
    let background = format!("http://127.0.0.1:{}/bg.png", listener.port);
    write(
        dir.path(),
        "fiches/10-une/03-c.toml",
        &format!(
            "title = \"Fiche c\"\nsummary = \"\"\"\n<img src=\"{pixel}\" alt=\"\">\n\n\
             <div style=\"background: url({background})\">fond</div>\n\"\"\"\n"
        ),
    );
    livret_ok(dir.path(), &["check"]);
    let _lock = browser_lock();
    let start = std::time::Instant::now();
    let result = livret(dir.path(), &["pdf"]);
    let took = start.elapsed();
    drop(_lock);
    let err = stderr(&result);
    assert_eq!(listener.hits(), 0, "a request reached the listener:\n{err}");
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(err.contains(&pixel) && err.contains(&background), "{err}");
    assert!(err.contains("printing reads local files only"), "{err}");
    assert!(took < std::time::Duration::from_secs(45), "took {took:?}");
    assert!(!dir.path().join("out/livret.pdf").exists());
}

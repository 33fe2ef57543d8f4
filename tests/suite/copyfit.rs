//! Copyfitting, read back from real PDFs: no page of the printed guide — nor of the guide with
//! one or two more fiches, as a fork adds them — holds less than a third of its text area,
//! except the pages without a folio (cover, part dividers, back cover, the blank pages before
//! it); never three hyphenated lines in a row, and no hyphen on a page's last line when the
//! text goes on overleaf. Measured with `pdftotext -bbox-layout`, independently of livret's
//! own reader.
#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::pdf::{guide, out};
use crate::support::*;

/// The default theme's text area on an A5 page, in points (print.css: `margin: 15mm … 16mm`).
const BAND: (f32, f32) = (15.0 * 72.0 / 25.4, 595.28 - 16.0 * 72.0 / 25.4);

/// One set line: its top, its bottom and its words.
pub(crate) struct Line {
    pub(crate) top: f32,
    pub(crate) bottom: f32,
    pub(crate) words: Vec<String>,
}

fn attr(tag: &str, name: &str) -> f32 {
    tag.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|v| v.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// Every page's lines, as `pdftotext -bbox-layout` reads them (one line per set line).
pub(crate) fn pages(pdf: &Path) -> Vec<Vec<Line>> {
    let output = Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext -bbox-layout");
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    let xml = String::from_utf8_lossy(&output.stdout);
    xml.split("<page ")
        .skip(1)
        .map(|page| {
            page.split("<line ")
                .skip(1)
                .map(|line| Line {
                    top: attr(line, "yMin"),
                    bottom: attr(line, "yMax"),
                    words: line
                        .split("<word ")
                        .skip(1)
                        .filter_map(|w| {
                            let text = w.split_once('>')?.1.split_once("</word>")?.0;
                            Some(text.replace("&amp;", "&"))
                        })
                        .collect(),
                })
                .filter(|l| !l.words.is_empty())
                .collect()
        })
        .collect()
}

/// The lines inside the text area (not the running title nor the folio).
fn body(page: &[Line]) -> Vec<&Line> {
    page.iter()
        .filter(|l| l.top >= BAND.0 - 3.0 && l.bottom <= BAND.1 + 3.0)
        .collect()
}

/// Whether the page carries a folio: a line of digits below the text area.
fn has_folio(page: &[Line]) -> bool {
    page.iter().any(|l| {
        l.top > BAND.1 && l.words.len() == 1 && l.words[0].chars().all(|c| c.is_ascii_digit())
    })
}

/// The share of its text area each numbered page fills, and the pages without a folio.
fn fills(pages: &[Vec<Line>]) -> (Vec<(usize, f32)>, Vec<usize>) {
    let mut filled = Vec::new();
    let mut bare = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        if !has_folio(page) {
            bare.push(i + 1);
            continue;
        }
        let bottom = body(page).iter().map(|l| l.bottom).fold(BAND.0, f32::max);
        filled.push((i + 1, (bottom - BAND.0) / (BAND.1 - BAND.0)));
    }
    (filled, bare)
}

fn assert_no_page_nearly_empty(pdf: &Path, parts: usize, what: &str) {
    let pages = pages(pdf);
    let (filled, bare) = fills(&pages);
    let low: Vec<String> = filled
        .iter()
        .filter(|(_, f)| *f < 1.0 / 3.0)
        .map(|(p, f)| format!("p. {p}: {:.0} %", f * 100.0))
        .collect();
    assert!(low.is_empty(), "{what}: pages under a third full: {low:?}");
    // Cover, dividers, back cover, and at most three blank pages to a multiple of 4.
    assert!(
        (parts + 2..=parts + 5).contains(&bare.len()),
        "{what}: pages without a folio: {bare:?}"
    );
    assert_eq!(bare[0], 1, "{what}: the cover");
    assert_eq!(*bare.last().unwrap(), pages.len(), "{what}: the back cover");
}

/// The ends of a hyphenated line: a soft hyphen (Chromium writes U+00AD, then the hyphen it
/// drew) or a compound's own hyphen.
fn ends_hyphenated(line: &Line) -> bool {
    line.words
        .last()
        .is_some_and(|w| w.ends_with('-') && w.chars().count() > 1)
}

fn assert_hyphenation_rules(pdf: &Path, what: &str) {
    let pages = pages(pdf);
    let mut run = 0;
    let mut longest = (0, 0);
    let mut at_foot = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let lines = body(page);
        for (k, line) in lines.iter().enumerate() {
            run = if ends_hyphenated(line) { run + 1 } else { 0 };
            if run > longest.0 {
                longest = (run, i + 1);
            }
            let soft = line.words.last().is_some_and(|w| w.ends_with("\u{ad}-"));
            if k + 1 == lines.len() && soft && has_folio(page) {
                at_foot.push(format!("p. {}: {}", i + 1, line.words.join(" ")));
            }
        }
    }
    assert!(
        longest.0 <= 2,
        "{what}: {} hyphenated lines in a row on p. {}",
        longest.0,
        longest.1
    );
    assert!(
        at_foot.is_empty(),
        "{what}: a hyphen on a page's last line: {at_foot:?}"
    );
}

#[test]
fn no_page_of_the_guide_is_nearly_empty() {
    let Some(g) = guide() else { return };
    assert_no_page_nearly_empty(&out(g).join("livret.pdf"), 2, "the guide");
}

#[test]
fn the_guide_never_hyphenates_three_lines_in_a_row_nor_a_pages_last_line() {
    let Some(g) = guide() else { return };
    assert_hyphenation_rules(&out(g).join("livret.pdf"), "the guide");
}

/// A fiche a fork adds to the second part, about as long as the guide's own.
fn local_fiche(n: usize, town: &str) -> String {
    let paragraph = format!(
        "À {town}, la municipalité a ouvert un lieu d'accueil de jour avec les associations du \
         quartier : on y trouve une permanence juridique, des cours de français, un accès aux \
         droits et une orientation vers le logement. Les bénévoles accompagnent les personnes \
         dans leurs démarches administratives et les habitant.e.s sont invité.e.s à partager \
         un repas chaque semaine."
    );
    let body = [paragraph.as_str(); 3].join("\n\n");
    format!(
        "title = \"Ouvrir un lieu d'accueil de jour avec les associations\"\n\
         example = \"L'exemple de la ville de {town}, France\"\n\
         summary = '''\n{body}\n'''\n\n\
         [[how]]\nheading = \"Coordonner les acteurs\"\nbody = '''\n{body}\n\n{body}\n'''\n\n\
         [outcome]\nbody = '''\n{body}\n'''\n\n\
         [takeaways]\nitems = [\"Un lieu ouvert à toutes et tous\", \"Des permanences régulières\"]\n\
         # fiche {n}\n"
    )
}

/// `livret pdf` of the guide with `extra` more fiches, in a scratch copy.
fn print_fork(extra: usize) -> Option<(tempfile::TempDir, String)> {
    chromium()?;
    require_tool("pdftotext", "apt-get install poppler-utils")?;
    let dir = guide_copy();
    for (k, town) in ["Villeurbanne", "Montreuil"].iter().enumerate().take(extra) {
        let path = dir
            .path()
            .join(format!("fiches/20-co-construire/{}-local-{k}.toml", 11 + k));
        fs::write(path, local_fiche(11 + k, town)).expect("write the fork's fiche");
    }
    let _lock = browser_lock();
    let out = livret_ok(dir.path(), &["pdf"]);
    Some((dir, stderr(&out)))
}

#[test]
fn forks_with_one_and_two_more_fiches_are_fitted_too() {
    for extra in [1, 2] {
        let Some((dir, said)) = print_fork(extra) else {
            return;
        };
        let pdf = dir.path().join("out/livret.pdf");
        let what = format!("the guide plus {extra}");
        assert_no_page_nearly_empty(&pdf, 2, &what);
        assert_hyphenation_rules(&pdf, &what);
        assert!(!said.contains("could not fit"), "{what}: {said}");
    }
}

#[test]
fn livret_pdf_reports_what_copyfitting_changed() {
    let Some(g) = guide() else { return };
    let said = &g.stderr;
    assert!(said.contains("copyfitting: "), "{said}");
    assert!(said.contains("sheets fitted ("), "{said}");
}

//! The whole guide is in the print edition — every fiche title, quote author, key figure
//! and URL of the seed text, ≥ 97 % of its words — with no Markdown or extraction debris, and
//! footnotes numbered across the booklet.

use std::collections::HashMap;
use std::fs;

use crate::support::*;

const SEED: &str = include_str!("../data/guide-seed.txt");

/// Text as a reader sees it, with typographic spaces and apostrophes made plain for comparison.
/// The seed's unaccented capitals are accented in the guide (État, À, Être): compare
/// capitals without their accents, and without the word joiner of compound names.
fn normalize(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
        .replace(['É', 'Ê'], "E")
        .replace('À', "A")
        .replace(['\u{2060}', '\u{ad}'], "")
        .replace('\u{2019}', "'")
        .replace('\u{2026}', "...")
        .replace('\u{2013}', "-")
        .replace('\u{200b}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn words(text: &str) -> Vec<String> {
    normalize(text)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

struct Built {
    _dir: tempfile::TempDir,
    html: String,
    doc: scraper::Html,
    text: String,
}

fn built() -> Built {
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let path = dir.path().join("out/print.html");
    let html = fs::read_to_string(&path).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let body = scraper::Selector::parse("body").unwrap();
    let text = doc
        .select(&body)
        .flat_map(|b| b.text())
        .collect::<Vec<_>>()
        .join(" ");
    Built {
        _dir: dir,
        text: normalize(&text),
        html,
        doc,
    }
}

#[test]
fn the_seed_words_are_in_the_print_edition() {
    let b = built();
    let mut available: HashMap<String, usize> = HashMap::new();
    for w in words(&b.text) {
        *available.entry(w).or_default() += 1;
    }
    let seed = words(SEED);
    let mut found = 0;
    for w in &seed {
        if let Some(n) = available.get_mut(w).filter(|n| **n > 0) {
            *n -= 1;
            found += 1;
        }
    }
    let coverage = found as f64 / seed.len() as f64;
    eprintln!(
        "seed word coverage: {:.2} % ({found} of {} words)",
        coverage * 100.0,
        seed.len()
    );
    assert!(
        coverage >= 0.97,
        "only {:.2} % of the seed's words",
        coverage * 100.0
    );
}

#[test]
fn every_fiche_title_of_the_seed_is_printed_in_order() {
    let b = built();
    // The body repeats each "Bonne pratique n°N" line before the fiche's title; keep the last.
    let lines: Vec<&str> = SEED.lines().map(str::trim).collect();
    let mut titles: HashMap<u32, String> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(n) = line
            .strip_prefix("Bonne pratique n°")
            .and_then(|n| n.parse().ok())
        {
            let title = lines[i + 1..].iter().find(|l| !l.is_empty()).unwrap();
            titles.insert(n, title.trim_end_matches(" »").to_string());
        }
    }
    assert_eq!(titles.len(), 10);
    let printed = texts(&b.doc, ".fiche-title");
    assert_eq!(printed.len(), 10, "{printed:?}");
    for n in 1..=10u32 {
        assert_eq!(
            normalize(&printed[n as usize - 1]),
            normalize(&titles[&n]),
            "fiche {n}"
        );
    }
    let kickers = texts(&b.doc, ".fiche .kicker");
    for (i, k) in kickers.iter().enumerate() {
        assert_eq!(normalize(k), format!("Bonne pratique n° {}", i + 1));
    }
}

#[test]
fn quote_authors_and_key_figures_are_printed() {
    let b = built();
    let authors = texts(&b.doc, ".quote-author").join(" | ");
    for name in [
        "Domenico Lucano",
        "Bill de Blasio",
        "Rahm Emanuel",
        "Damien Carême",
        "Roland Ries",
        "Eric Piolle",
        "Michel Rousseau",
    ] {
        assert!(authors.contains(name), "quote by {name} missing: {authors}");
    }
    assert!(b.text.contains("Témoignage de Gilles Kuntz"));
    let figures = normalize(&texts(&b.doc, ".figure").join(" | "));
    for figure in [
        "2 100 habitants à Riace",
        "400 réfugiés installés",
        "6 000 réfugiés",
        "22 nationalités",
        "8,4 millions",
        "36,9 %",
        "11 millions",
        "500 000",
        "20 %",
        "450 000 migrants",
        "750 000 et un million",
        "1 million",
        "2 milliards de dollars",
        "2,3 milliards",
        "3,1 millions d'euros",
        "2,6 millions d'euros",
        "900 000 euros",
        "1 300 personnes",
        "2 000",
        "1 200",
        "50 %",
        "25 %",
        "85 %",
        "26 %",
        "350",
        "250",
        "35 nationalités",
    ] {
        assert!(
            figures.contains(figure),
            "figure `{figure}` missing from: {figures}"
        );
    }
}

#[test]
fn every_url_of_the_seed_is_linked() {
    let b = built();
    let hrefs = attrs(&b.doc, "a[href]", "href");
    let mut urls = Vec::new();
    for token in SEED.split(|c: char| c.is_whitespace() || "<>()[]".contains(c)) {
        if token.starts_with("http://") || token.starts_with("https://") {
            urls.push(token.to_string());
        }
    }
    assert!(urls.len() >= 20, "{urls:?}");
    for url in &urls {
        // One URL is split over two lines in the seed: its first half must prefix the link.
        assert!(
            hrefs
                .iter()
                .any(|h| h == url || h.starts_with(url.as_str())),
            "{url} not linked"
        );
    }
    assert!(hrefs.iter().any(|h| h == "mailto:contact@o-c-u.org"));
}

#[test]
fn no_markdown_or_extraction_debris_remains() {
    let b = built();
    for debris in [
        "**",
        "^e",
        "\\",
        "✳",
        "✨",
        "🌟",
        "✦",
        "5151919",
        " .....",
        "L' exemple",
        "»»",
    ] {
        assert!(!b.text.contains(debris), "debris `{debris}` in print.html");
    }
    // No doubled spaces inside any paragraph, list item, heading or quote.
    let sel = scraper::Selector::parse("p, li, h1, h2, h3, h4, blockquote, figcaption").unwrap();
    for el in b.doc.select(&sel) {
        for t in el.text() {
            let inner = t.trim_matches(|c: char| c == '\n' || c == ' ');
            assert!(!inner.contains("  "), "doubled space in `{t}`");
        }
    }
    assert!(!b.html.contains("[^"), "unresolved note reference");
}

#[test]
fn footnotes_are_numbered_across_the_booklet() {
    let b = built();
    let refs: Vec<String> = texts(&b.doc, "sup.note-ref");
    assert_eq!(refs, ["1", "2", "3", "4"]);
    let notes = attrs(&b.doc, ".foot-notes li", "id");
    assert_eq!(notes, ["note-1", "note-2", "note-3", "note-4"]);
    // On the web, each page numbers its own notes from 1.
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let gs = html(&dir.path().join("out/grande-synthe.html"));
    assert_eq!(texts(&gs, "sup.note-ref"), ["1"]);
}

#[test]
fn french_typography_is_applied_to_the_guide() {
    let b = built();
    let raw = b.doc.root_element().text().collect::<String>();
    assert!(raw.contains("redynamisé\u{202f}!"), "narrow space before !");
    assert!(
        raw.contains("«\u{202f}Città Futura\u{202f}»"),
        "narrow spaces inside guillemets"
    );
    assert!(raw.contains("l\u{2019}accueil"), "typographic apostrophe");
    assert!(b.html.contains("40<sup>e</sup>"), "ordinal superscript");
    assert!(
        b.html.contains("XVI<sup>e</sup>"),
        "roman ordinal superscript"
    );
    assert!(
        !raw.contains(" !") && !raw.contains(" ?"),
        "plain space before ! or ?"
    );
}

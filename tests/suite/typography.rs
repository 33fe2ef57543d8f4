//! The typography of the printed guide, read back from the real PDF (`pdftotext
//! -bbox-layout`, one line per set line): built-in hyphenation breaks enough body lines, never
//! in a heading nor a proper noun, and the page count stays in its range. Also the print
//! edition's HTML: soft hyphens in running text only, none in the web edition.
#![cfg(unix)]

use std::fs;
use std::path::Path;

use crate::pdf::{guide, out};

const SHY: char = '\u{ad}';

/// The lines of a PDF, page by page, each as its words (pdftotext -bbox-layout).
fn lines(pdf: &Path) -> Vec<Vec<Vec<String>>> {
    crate::copyfit::pages(pdf)
        .into_iter()
        .map(|page| page.into_iter().map(|l| l.words).collect())
        .collect()
}

/// What follows the `<span>` whose content starts `html` (nested spans counted).
fn after_span(html: &str) -> &str {
    let mut depth = 1;
    let mut at = 0;
    while depth > 0 {
        let rest = &html[at..];
        let (open, close) = (rest.find("<span"), rest.find("</span>"));
        match (open, close) {
            (Some(o), Some(c)) if o < c => (depth, at) = (depth + 1, at + o + 5),
            (_, Some(c)) => (depth, at) = (depth - 1, at + c + 7),
            _ => return "",
        }
    }
    &html[at..]
}

/// Whether a line ends at one of the soft hyphens the build inserted (Chromium writes the
/// soft hyphen, then the hyphen glyph it drew).
fn ends_hyphenated(words: &[String]) -> bool {
    words.last().is_some_and(|w| w.ends_with("\u{ad}-"))
}

#[test]
fn guide_body_lines_are_hyphenated_but_never_proper_nouns() {
    let Some(g) = guide() else { return };
    let pages = lines(&out(g).join("livret.pdf"));
    assert!(
        (36..=44).contains(&pages.len()),
        "{} pages, want 36 to 44",
        pages.len()
    );
    let all: Vec<&Vec<String>> = pages.iter().flatten().collect();
    let hyphenated: Vec<&String> = all
        .iter()
        .filter(|l| ends_hyphenated(l))
        .filter_map(|l| l.last())
        .collect();
    let share = hyphenated.len() as f64 / all.len() as f64;
    assert!(
        share >= 0.01,
        "{} of {} lines hyphenated",
        hyphenated.len(),
        all.len()
    );
    for word in &hyphenated {
        let letters = word.trim_start_matches(|c: char| !c.is_alphabetic());
        assert!(
            !letters.starts_with(char::is_uppercase),
            "a capitalised word is hyphenated: {word}"
        );
    }
    // Chromium has no `hyphenate-limit-lines`: `livret pdf` bounds the runs (tests/suite/copyfit.rs).
    let mut run = 0;
    let mut longest = 0;
    for line in &all {
        run = if ends_hyphenated(line) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    eprintln!(
        "hyphenation: {} of {} lines ({:.1} %), longest run {longest}",
        hyphenated.len(),
        all.len(),
        share * 100.0
    );
}

#[test]
fn soft_hyphens_only_in_the_print_editions_running_text() {
    let Some(g) = guide() else { return };
    let print = fs::read_to_string(out(g).join("print.html")).expect("print.html");
    assert!(print.contains(SHY), "print.html has no soft hyphen");
    for tag in ["h1", "h2", "h3", "h4", "title", "a", "code"] {
        let close = format!("</{tag}>");
        let opens = [format!("<{tag} "), format!("<{tag}>")];
        for piece in opens
            .iter()
            .flat_map(|open| print.split(open.as_str()).skip(1))
        {
            let inner = piece.split(&close).next().unwrap_or_default();
            assert!(
                !inner.contains(SHY),
                "soft hyphen inside <{tag}>: {}",
                inner.chars().take(120).collect::<String>()
            );
        }
    }
    // The key figures ("chiffres clés") are not running text; the notes they call, placed in
    // their section, are.
    for piece in print.split("class=\"figures\"").skip(1) {
        let inner = piece.split("</section>").next().unwrap_or_default();
        let inner = inner
            .split("<div class=\"foot-notes\"")
            .next()
            .unwrap_or_default();
        let figures: String = inner
            .split("<span class=\"fn-float\">")
            .enumerate()
            .map(|(i, part)| match i {
                0 => part,
                _ => after_span(part),
            })
            .collect();
        assert!(figures.contains("figure-label"), "no key figures read");
        assert!(!figures.contains(SHY), "soft hyphen in the key figures");
    }
    let index = fs::read_to_string(out(g).join("index.html")).expect("index.html");
    assert!(!index.contains(SHY), "the web edition is not hyphenated");
}

#[test]
fn no_compound_name_breaks_at_its_hyphen() {
    let Some(g) = guide() else { return };
    let pages = lines(&out(g).join("livret.pdf"));
    for (p, page) in pages.iter().enumerate() {
        for line in page {
            let Some(last) = line.last() else { continue };
            let Some(stem) = last.strip_suffix('-') else {
                continue;
            };
            // The last part of the word before the hyphen ("New" in "New-").
            let part = stem
                .rsplit(['-', '\u{2060}', '’', '('])
                .next()
                .unwrap_or(stem);
            assert!(
                !part.starts_with(char::is_uppercase) || stem.ends_with(SHY),
                "page {}: a line ends inside a compound name: {last}",
                p + 1
            );
        }
    }
    let print = fs::read_to_string(out(g).join("print.html")).expect("print.html");
    for name in [
        "New-\u{2060}York",
        "Grande-\u{2060}Synthe",
        "Haut-\u{2060}Commissariat",
    ] {
        assert!(print.contains(name), "{name:?} is not bound in print.html");
    }
}

#[test]
fn no_line_starts_with_closing_marks_nor_ends_with_an_opening_guillemet() {
    let Some(g) = guide() else { return };
    let pages = lines(&out(g).join("livret.pdf"));
    for (p, page) in pages.iter().enumerate() {
        for line in page {
            let first = line.first().map(|w| w.trim_start_matches('\u{202f}'));
            let last = line.last().map(|w| w.trim_end_matches('\u{202f}'));
            assert!(
                !first.is_some_and(|w| w.starts_with(['»', ';', ':', '!', '?'])),
                "page {}: a line starts with a closing mark: {}",
                p + 1,
                line.join(" ")
            );
            assert!(
                !last.is_some_and(|w| w.ends_with('«')),
                "page {}: a line ends with «: {}",
                p + 1,
                line.join(" ")
            );
        }
    }
    let print = fs::read_to_string(out(g).join("print.html")).expect("print.html");
    assert!(
        !print.contains("<blockquote><p>«"),
        "a quote's typed guillemets are doubled by the theme's"
    );
}

//! Notes in print, read back from real PDFs: in `livret pdf` (Chromium) every note is printed
//! on the page of its call or the next, and never alone on a page; WeasyPrint, from a plain
//! build's print.html, prints each note at the foot of its call's page (`float: footnote`).
//! Also the print edition's HTML: each note once, after the block that calls it.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::pdf::{guide, out};
use crate::support::*;

/// Named destinations, from the catalog's `/Dests` (Chromium) or its `/Names` tree
/// (WeasyPrint): name → (page, top y in PDF points from the bottom).
fn destinations(doc: &lopdf::Document) -> BTreeMap<String, (u32, f32)> {
    let pages: BTreeMap<lopdf::ObjectId, u32> =
        doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let resolve = |o: &lopdf::Object| -> lopdf::Object {
        match o {
            lopdf::Object::Reference(id) => doc.get_object(*id).unwrap().clone(),
            o => o.clone(),
        }
    };
    let mut found = BTreeMap::new();
    let mut add = |name: &[u8], dest: &lopdf::Object| {
        let dest = resolve(dest);
        let dest = match dest.as_dict() {
            Ok(d) => resolve(d.get(b"D").unwrap()),
            Err(_) => dest,
        };
        let array = dest.as_array().unwrap();
        let page = pages[&array[0].as_reference().unwrap()];
        let top = array.get(3).and_then(|t| t.as_float().ok()).unwrap_or(-1.0);
        found.insert(String::from_utf8_lossy(name).into_owned(), (page, top));
    };
    let catalog = doc.catalog().unwrap();
    if let Ok(dests) = catalog.get(b"Dests") {
        for (name, dest) in resolve(dests).as_dict().unwrap().iter() {
            add(name, dest);
        }
    }
    if let Ok(names) = catalog.get(b"Names") {
        let names = resolve(names);
        if let Ok(tree) = names.as_dict().unwrap().get(b"Dests") {
            let mut nodes = vec![resolve(tree)];
            while let Some(node) = nodes.pop() {
                let node = node.as_dict().unwrap().clone();
                if let Ok(kids) = node.get(b"Kids") {
                    nodes.extend(resolve(kids).as_array().unwrap().iter().map(&resolve));
                }
                if let Ok(list) = node.get(b"Names") {
                    let list = resolve(list);
                    for pair in list.as_array().unwrap().chunks(2) {
                        add(pair[0].as_str().unwrap(), &pair[1]);
                    }
                }
            }
        }
    }
    found
}

/// Letters and digits only, lower-cased: the same text however it was broken and hyphenated.
fn letters(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each page's text as `letters`.
fn page_letters(pdf: &Path) -> Vec<String> {
    let output = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&output.stdout)
        .split('\u{c}')
        .map(letters)
        .collect()
}

/// The print edition's notes: (number, the first 40 letters of the text).
fn notes(print_html: &Path) -> Vec<(u32, String)> {
    let doc = html(print_html);
    let ids = attrs(&doc, ".foot-notes li", "id");
    let texts = texts(&doc, ".foot-notes li");
    ids.iter()
        .zip(texts)
        .map(|(id, text)| {
            let n = id.strip_prefix("note-").unwrap().parse().unwrap();
            (n, letters(&text).chars().take(40).collect())
        })
        .collect()
}

/// The words of a page as (top y from the page's top, text), from pdftotext -bbox.
fn words(pdf: &Path, page: u32) -> Vec<(f32, String)> {
    let p = page.to_string();
    let output = Command::new("pdftotext")
        .args(["-bbox", "-f", &p, "-l", &p])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .split("<word ")
        .skip(1)
        .filter_map(|w| {
            let y = w.split("yMin=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let text = w.split_once('>')?.1.split_once("</word>")?.0;
            Some((y, text.to_string()))
        })
        .collect()
}

#[test]
fn print_html_has_each_note_once_after_the_block_that_calls_it() {
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let print = dir.path().join("out/print.html");
    let doc = html(&print);
    // Numbered across the booklet, each note once (its id), its copy for `float: footnote`
    // at its call without an id.
    assert_eq!(
        attrs(&doc, ".foot-notes li", "id"),
        ["note-1", "note-2", "note-3", "note-4"]
    );
    assert!(
        texts(&doc, ".notes li").is_empty(),
        "notes left at a fiche's end"
    );
    assert_eq!(
        texts(&doc, "p > .fn-float").len(),
        2,
        "copies inside paragraphs"
    );
    assert_eq!(texts(&doc, ".fn-float").len(), 4);
    assert!(attrs(&doc, ".fn-float [id]", "id").is_empty());
    // Riace's note comes right after the paragraph of its call, Strasbourg's after the key
    // figures that call it.
    let text = fs::read_to_string(&print).unwrap();
    let call = text.find("href=\"#note-1\"").unwrap();
    let group = text.find("<div class=\"foot-notes\"").unwrap();
    assert!(
        group > call && !text[call..group].contains("<p>"),
        "note 1 is not next"
    );
    let figures = text.find("href=\"#note-4\"").unwrap();
    let after = &text[figures..];
    let end_of_list = after.find("</ul>").unwrap();
    assert!(
        after[end_of_list..].starts_with("</ul><div class=\"foot-notes\""),
        "note 4 does not follow the key figures"
    );
}

#[test]
fn chromium_prints_every_note_on_its_calls_page_or_the_next_never_alone() {
    let Some(g) = guide() else { return };
    let pdf = out(g).join("livret.pdf");
    let doc = lopdf::Document::load(&pdf).unwrap();
    let height = {
        let first = doc.get_pages().into_values().next().unwrap();
        let page = doc.get_dictionary(first).unwrap();
        let media = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let y = |o: &lopdf::Object| o.as_float().or_else(|_| o.as_i64().map(|i| i as f32));
        y(&media[3]).unwrap() - y(&media[1]).unwrap()
    };
    let dests = destinations(&doc);
    let notes = notes(&out(g).join("print.html"));
    assert_eq!(notes.len(), 4);
    let pages = page_letters(&pdf);
    for (n, start) in &notes {
        let (call, _) = dests[&format!("ref-{n}")];
        let (page, top) = dests[&format!("note-{n}")];
        assert!(
            page == call || page == call + 1,
            "note {n} is on page {page}, its call on {call}"
        );
        assert!(
            pages[page as usize - 1].contains(start.as_str()),
            "page {page} does not show note {n}"
        );
        // Body text above the note, below the running title: the page is not notes only.
        let note_y = height - top;
        let body = words(&pdf, page)
            .into_iter()
            .filter(|(y, _)| *y > 45.0 && *y < note_y - 4.0)
            .count();
        assert!(
            body >= 20,
            "page {page} holds note {n} and {body} words above it"
        );
    }
}

#[test]
fn weasyprint_prints_each_note_at_the_foot_of_its_calls_page() {
    let Some(weasyprint) = require_tool("weasyprint", "apt-get install weasyprint") else {
        return;
    };
    require_tool("pdftotext", "apt-get install poppler-utils");
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let print = dir.path().join("out/print.html");
    let pdf = dir.path().join("weasy.pdf");
    let run = Command::new(weasyprint)
        .arg(&print)
        .arg(&pdf)
        .output()
        .expect("run weasyprint");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let doc = lopdf::Document::load(&pdf).unwrap();
    let dests = destinations(&doc);
    let pages = page_letters(&pdf);
    for (n, start) in notes(&print) {
        let (call, _) = dests[&format!("ref-{n}")];
        let shown: Vec<usize> = (0..pages.len())
            .filter(|&p| pages[p].contains(start.as_str()))
            .map(|p| p + 1)
            .collect();
        assert_eq!(shown, [call as usize], "note {n}, called on page {call}");
        // At the foot: below every other word of the page but the page number.
        // (The lowest word that starts like the note: the call's word may start alike.)
        let first: String = start.chars().take(6).collect();
        let note_y = words(&pdf, call)
            .iter()
            .filter(|(_, w)| letters(w).starts_with(&first))
            .map(|(y, _)| *y)
            .fold(None, |low: Option<f32>, y| {
                Some(low.map_or(y, |l| l.max(y)))
            });
        let note_y = note_y.unwrap_or_else(|| panic!("note {n} not found on page {call}"));
        assert!(note_y > 400.0, "note {n} at y {note_y} on page {call}");
    }
}

//! `livret pdf` printing in chunks (src/cmd/pdf/chunks.rs, merge.rs): the guide printed in
//! chunks of a few sheets (`LIVRET_PDF_CHUNK_BYTES`) must be the guide printed whole — the same
//! pages with the same text where it was (so the same line and page breaks, page numbers and
//! sides), the same destinations and links — with one valid structure tree.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use lopdf::{Document, Object};

use crate::pdf::{guide, out};
use crate::support::*;

fn load(pdf: &Path) -> Document {
    Document::load(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()))
}

/// pdftotext's words with their places (to 0.1 pt), page by page, below the top margin. The
/// running title in the top margin is left out: Chromium may set it, on the first pages of a
/// document, before its web font is ready, in whichever piece it prints.
fn words(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext -bbox");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut page = 0;
    let mut words = Vec::new();
    for line in text.lines() {
        if line.contains("<page ") {
            page += 1;
        }
        let Some(rest) = line.trim().strip_prefix("<word ") else {
            continue;
        };
        let attr = |name: &str| -> f32 {
            let at = rest.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
            rest[at..rest[at..].find('"').unwrap() + at]
                .parse()
                .unwrap()
        };
        let word = rest
            .split('>')
            .nth(1)
            .unwrap_or("")
            .trim_end_matches("</word");
        // 15 mm ≈ 42.5 pt: the top margin.
        if attr("yMin") < 40.0 {
            continue;
        }
        words.push(format!(
            "p{page} {:.1} {:.1} {word}",
            attr("xMin"),
            attr("yMin")
        ));
    }
    words
}

/// Named destinations: name → page number.
fn dests(doc: &Document) -> BTreeMap<String, u32> {
    let pages: BTreeMap<_, _> = doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let catalog = doc.catalog().unwrap();
    let dests = doc
        .dereference(catalog.get(b"Dests").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    dests
        .iter()
        .map(|(name, dest)| {
            let array = doc.dereference(dest).unwrap().1.as_array().unwrap();
            let page = pages[&array[0].as_reference().unwrap()];
            (String::from_utf8_lossy(name).into_owned(), page)
        })
        .collect()
}

/// Per page: the links, as their targets (a destination name or a URI).
fn links(doc: &Document) -> Vec<Vec<String>> {
    doc.page_iter()
        .map(|page| {
            doc.get_page_annotations(page)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| a.get(b"Subtype").ok() == Some(&Object::Name(b"Link".to_vec())))
                .map(|a| match a.get(b"Dest") {
                    Ok(Object::Name(n)) => format!("#{}", String::from_utf8_lossy(n)),
                    _ => format!("{:?}", a.get(b"A").ok()),
                })
                .collect()
        })
        .collect()
}

/// The parent tree's keys, and the keys pages and annotations point to.
fn structure_keys(doc: &Document) -> (BTreeSet<i64>, Vec<i64>) {
    let catalog = doc.catalog().unwrap();
    let root = doc
        .dereference(catalog.get(b"StructTreeRoot").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let document = doc.dereference(root.get(b"K").unwrap()).unwrap().1;
    let document = document.as_dict().expect("one Document element");
    assert_eq!(
        document.get(b"S").unwrap(),
        &Object::Name(b"Document".to_vec())
    );
    let tree = doc
        .dereference(root.get(b"ParentTree").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
    let keys: Vec<i64> = nums.chunks(2).map(|p| p[0].as_i64().unwrap()).collect();
    let unique: BTreeSet<i64> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "a parent tree key comes twice");
    let mut used = Vec::new();
    for page in doc.page_iter() {
        let dict = doc.get_dictionary(page).unwrap();
        if let Ok(k) = dict.get(b"StructParents").and_then(Object::as_i64) {
            used.push(k);
        }
        for annot in doc.get_page_annotations(page).unwrap_or_default() {
            if let Ok(k) = annot.get(b"StructParent").and_then(Object::as_i64) {
                used.push(k);
            }
        }
    }
    (unique, used)
}

#[test]
fn the_guide_printed_in_chunks_is_the_guide_printed_whole() {
    let Some(g) = guide() else { return };
    let whole = out(g).join("livret.pdf");
    // Two browsers (the second prints from the back, at guessed pages), then one.
    for browsers in ["2", "1"] {
        chunked_like_whole(&whole, browsers);
    }
}

fn chunked_like_whole(whole: &Path, browsers: &str) {
    let copy = guide_copy();
    let printed = {
        let _lock = browser_lock();
        Command::new(bin())
            .arg("pdf")
            .current_dir(copy.path())
            .env_remove("LIVRET_CHROMIUM")
            .env("LIVRET_PDF_CHUNK_BYTES", "12000")
            .env("LIVRET_PDF_BROWSERS", browsers)
            .output()
            .expect("run livret pdf")
    };
    assert!(printed.status.success(), "{}", stderr(&printed));
    let chunked = copy.path().join("out/livret.pdf");

    let (w, c) = (load(whole), load(&chunked));
    assert_eq!(c.get_pages().len(), w.get_pages().len());
    // Every word on the same page at the same place: the same breaks, numbers and sides.
    let (cw, ww) = (words(&chunked), words(whole));
    assert!(ww.len() > 5000, "{} words", ww.len());
    if let Some((c, w)) = cw.iter().zip(&ww).find(|(c, w)| c != w) {
        panic!("the chunked PDF sets its text differently: {c} where the whole has {w}");
    }
    assert_eq!(cw.len(), ww.len());
    assert_eq!(dests(&c), dests(&w));
    let (cl, wl) = (links(&c), links(&w));
    assert_eq!(cl, wl);
    assert!(
        cl.iter().flatten().filter(|l| l.starts_with('#')).count() >= 14,
        "the sommaire's links between chunks are missing"
    );
    // Each chunk embeds its own font subsets: more font objects than one piece has.
    let fonts = |pdf: &Path| {
        let out = Command::new("pdffonts")
            .arg(pdf)
            .output()
            .expect("pdffonts");
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    assert!(
        fonts(&chunked) > fonts(whole),
        "the guide was not printed in chunks"
    );
    // One structure tree, every key used by a page or a link in its parent tree.
    let (keys, used) = structure_keys(&c);
    assert!(!used.is_empty());
    for k in &used {
        assert!(
            keys.contains(k),
            "StructParent(s) {k} is not in the parent tree"
        );
    }
    if let Some(qpdf) = require_tool("qpdf", "apt-get install qpdf") {
        let check = Command::new(qpdf)
            .arg("--check")
            .arg(&chunked)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

//! One web page printed from the browser (Ctrl+P): Chromium prints a built fiche page under
//! print media (`--print-to-pdf`), and the PDF is read back with pdftotext and pdftoppm: no site
//! navigation, no pager, no cream background, outside links followed by their address. And the
//! print edition on screen: its sheets scaled to a phone, its "Imprimer" button (only with
//! JavaScript), the note on the sommaire's missing numbers.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

use crate::support::*;
use crate::web::{browser_tools, built_guide, check};

/// The first page of `pdf` rendered at 36 dpi, as (width, height, RGB bytes).
fn render(pdf: &Path) -> (usize, usize, Vec<u8>) {
    render_page(pdf, 1, 36)
}

#[test]
fn a_fiche_printed_from_the_browser_has_no_navigation_and_no_background_box() {
    let Some(browser) = chromium() else { return };
    if require_tool("pdftotext", "apt-get install poppler-utils").is_none() {
        return;
    }
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let page = dir.path().join("out/riace.html");
    let pdf = dir.path().join("riace-printed.pdf");
    crate::print_path::chromium_print(&browser, &page, &pdf);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Riace"), "{text}");
    for nav in [
        "Version imprimable",
        "Télécharger le PDF",
        "Précédent",
        "Suivant",
    ] {
        assert!(!text.contains(nav), "the printed fiche shows `{nav}`");
    }
    assert!(text.contains("(http"), "no link address printed:\n{text}");
    // The web's cream (#fbfaf7) is gone: the page's margins and the text's surroundings are white.
    let (w, h, rgb) = render(&pdf);
    for (x, y) in [(2, 2), (w - 3, h - 3), (w / 2, h - 3), (2, h / 2)] {
        let i = (y * w + x) * 3;
        assert_eq!(&rgb[i..i + 3], &[255, 255, 255], "pixel ({x}, {y})");
    }
}

#[test]
fn print_html_fits_a_phone_and_prints_from_its_button() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let (dir, out) = built_guide();
    let shots = dir.path().join("shots");
    let _lock = browser_lock();
    let s = check(
        &chromium,
        &["printpage", out.to_str().unwrap(), shots.to_str().unwrap()],
    );
    let num = |v: &serde_json::Value| v.as_f64().unwrap();
    // Phone (390 px, a mobile browser): the whole sheet on the screen, nothing to scroll
    // sideways, the sheet still most of the screen's width.
    let phone = &s["phone"];
    assert!(num(&phone["screen"]) <= 391.0, "{phone}");
    assert!(num(&phone["sheetOnScreen"]) <= 390.0, "{phone}");
    assert!(num(&phone["sheetOnScreen"]) >= 330.0, "{phone}");
    assert!(num(&phone["pageOnScreen"]) <= 391.0, "{phone}");
    // A wide screen shows sheets at their size (148 mm = 559 px).
    let wide = &s["wide"];
    assert!((num(&wide["sheetOnScreen"]) - 559.4).abs() < 1.0, "{wide}");
    for state in [phone, wide] {
        assert_eq!(state["button"], true, "{state}");
        assert_eq!(state["buttonLabel"], "Imprimer");
        assert_eq!(
            state["printed"], 1,
            "the button did not open the print dialog"
        );
        // A plain build has no numbers: the note says how to get them.
        assert_eq!(state["note"], true, "{state}");
        assert!(
            state["noteText"]
                .as_str()
                .unwrap()
                .contains("« livret pdf »"),
            "{state}"
        );
    }
    // Without JavaScript no button shows that could not work.
    assert_eq!(s["phone-nojs"]["button"], false, "{}", s["phone-nojs"]);
}

#[test]
fn print_html_without_numbers_keeps_main_to_its_sheets() {
    // `livret pdf` prints a big booklet in chunks cut before each sheet of <main>, and prints
    // whole (much slower) a <main> holding anything else: the note about missing numbers,
    // which the first pass always has, stays outside it.
    let (_dir, out) = built_guide();
    let text = std::fs::read_to_string(out.join("print.html")).unwrap();
    let doc = scraper::Html::parse_document(&text);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    assert_eq!(doc.select(&select("body > .print-note")).count(), 1);
    let top: Vec<_> = doc.select(&select("main > *")).collect();
    assert!(top.len() >= 10, "{} sheets", top.len());
    for element in top {
        assert!(
            element.value().classes().any(|c| c == "sheet"),
            "<main> holds a <{}> that is not a sheet",
            element.value().name()
        );
    }
}

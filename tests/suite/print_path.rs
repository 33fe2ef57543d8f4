//! The print path after `livret pdf`: a later `livret build` keeps the numbers while the print
//! edition is unchanged (byte for byte the page that was printed, so the browser's print dialog
//! shows the numbered sommaire), and drops the PDFs, their links and the numbers when the
//! content changed. Each test starts from a copy of the guide printed once by `pdf::guide()`.
#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pdf::{destinations, doc, guide, pages_text, printed_numbers, sommaire};
use crate::support::*;

const PDFS: [&str; 2] = ["livret.pdf", "livret-imposition.pdf"];
const RECORD: &str = ".livret-print.json";

/// A copy of the printed guide (sources and out/, the manifest and the record with them).
fn printed_copy() -> Option<tempfile::TempDir> {
    let g = guide()?;
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&g.dir, dir.path());
    Some(dir)
}

/// Every HTML file of `out`, with its text.
fn html_files(out: &Path) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    files.sort();
    files
}

/// The `href`s of every link of `page`.
fn hrefs(page: &Path) -> Vec<String> {
    attrs(&html(page), "a", "href")
}

#[test]
fn a_build_after_livret_pdf_leaves_print_html_as_printed() {
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    let printed = fs::read(out.join("print.html")).unwrap();
    let record = fs::read_to_string(out.join(RECORD)).unwrap();
    let manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l == RECORD), "{manifest}");
    let build = livret_ok(dir.path(), &["build"]);
    assert!(!stderr(&build).contains("livret pdf"), "{}", stderr(&build));
    assert!(
        fs::read(out.join("print.html")).unwrap() == printed,
        "the build changed print.html"
    );
    // Numbered, linked, and the record and PDFs still there.
    let entries = sommaire(&out.join("print.html"));
    assert!(entries.len() >= 12, "{entries:?}");
    for (id, _, page) in &entries {
        assert!(!page.is_empty(), "#{id} lost its page number");
        assert!(record.contains(&format!("\"{id}\": {page}")), "{record}");
    }
    for pdf in PDFS {
        assert!(out.join(pdf).is_file(), "{pdf} removed");
    }
    assert!(hrefs(&out.join("index.html")).contains(&"livret.pdf".to_string()));
    assert_eq!(fs::read_to_string(out.join(RECORD)).unwrap(), record);
    // Numbered: no note about missing numbers.
    assert!(texts(&html(&out.join("print.html")), ".print-note").is_empty());
}

#[test]
fn a_content_edit_then_a_build_drops_the_stale_pdfs() {
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let text = fs::read_to_string(&riace).unwrap();
    let edited = text.replacen("Riace", "Riace (Calabre)", 1);
    assert_ne!(text, edited);
    fs::write(&riace, edited).unwrap();

    // --strict refuses the stale PDFs as it refuses any warning: nothing is written.
    let before = tree_hash(&out);
    let strict = livret(dir.path(), &["build", "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(
        stderr(&strict).contains("livret pdf"),
        "{}",
        stderr(&strict)
    );
    assert!(
        stderr(&strict).contains("rien n'a été écrit"),
        "{}",
        stderr(&strict)
    );
    assert!(tree_hash(&out) == before, "build --strict changed out/");

    let build = livret_ok(dir.path(), &["build", "--format", "json"]);
    // One warning of the catalogue, in the booklet's language, at the stale PDF.
    let said = String::from_utf8_lossy(&build.stdout).to_string();
    let warnings: Vec<serde_json::Value> = said
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(warnings.len(), 1, "{said}");
    let warning = &warnings[0];
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["path"]
            .as_str()
            .unwrap()
            .ends_with("out/livret.pdf"),
        "{warning}"
    );
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("ne correspondent plus au livret"),
        "{message}"
    );
    assert_eq!(
        warning["help"],
        "lancez `livret pdf` pour les imprimer à nouveau"
    );
    for pdf in PDFS {
        assert!(message.contains(pdf), "{message}");
        assert!(!out.join(pdf).exists(), "the stale {pdf} is still in out/");
    }
    assert!(
        !out.join(RECORD).exists(),
        "the stale record is still in out/"
    );
    let pages = html_files(&out);
    assert!(pages.len() >= 14, "{pages:?}");
    for (page, text) in &pages {
        for pdf in PDFS {
            assert!(
                !hrefs(page).iter().any(|h| h.contains(pdf)) && !text.contains(pdf),
                "{} still names {pdf}",
                page.display()
            );
        }
    }
    // The sommaire's numbers went with the PDF: they were the old layout's.
    let doc = html(&out.join("print.html"));
    assert!(attrs(&doc, ".toc-link.pending", "href").len() >= 12);
    assert!(
        sommaire(&out.join("print.html"))
            .iter()
            .all(|(_, _, p)| p.is_empty())
    );
    // …and a note, on screen only, says how to get them back.
    let note = texts(&doc, ".print-note").join(" ");
    assert!(
        note.contains("numéros de page") && note.contains("« livret pdf »"),
        "{note}"
    );

    // Said once: the next build has nothing stale left to remove.
    let again = livret_ok(dir.path(), &["build"]);
    assert!(!stderr(&again).contains("livret pdf"), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("avertissement"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_record_that_does_not_match_counts_as_stale() {
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    let record = fs::read_to_string(out.join(RECORD)).unwrap();
    fs::write(out.join(RECORD), record.replace("fnv1a128:", "fnv1a128:0")).unwrap();
    let build = livret_ok(dir.path(), &["build"]);
    assert!(
        stderr(&build).contains("`livret pdf`"),
        "{}",
        stderr(&build)
    );
    assert!(!out.join("livret.pdf").exists());
}

/// `page` printed by headless Chromium's own print-to-PDF, as the print dialog would.
pub(crate) fn chromium_print(browser: &Path, page: &Path, pdf: &Path) {
    let profile = tempfile::tempdir().expect("a profile folder");
    let _lock = browser_lock();
    let run = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(pdf.is_file(), "{}", String::from_utf8_lossy(&run.stderr));
}

#[test]
fn chromium_printing_print_html_from_disk_numbers_the_sommaire_when_fresh() {
    let Some(browser) = chromium() else { return };
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    livret_ok(dir.path(), &["build"]);
    let printed = dir.path().join("from-disk.pdf");
    chromium_print(&browser, &out.join("print.html"), &printed);

    let livret_pdf = out.join("livret.pdf");
    let sommaire_page = destinations(&doc(&livret_pdf))["sommaire"].0 as usize;
    let want = printed_numbers(&pages_text(&livret_pdf, true)[sommaire_page - 1]);
    let from_disk = pages_text(&printed, true);
    let got = printed_numbers(&from_disk[sommaire_page - 1]);
    assert!(want.len() >= 12, "{want:?}");
    assert_eq!(got, want, "the sommaire printed from disk");
    // The screen-only parts stay off the paper.
    let all = from_disk.join("\n");
    assert!(!all.lines().any(|l| l.trim() == "Imprimer"), "{all}");
    assert!(!all.contains("Télécharger le PDF"), "{all}");

    // After a content edit and a build the numbers are gone: printed from disk, the sommaire
    // has none (the on-screen note says how to get them).
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let text = fs::read_to_string(&riace).unwrap();
    fs::write(&riace, text.replacen("Riace", "Riace (Calabre)", 1)).unwrap();
    livret_ok(dir.path(), &["build"]);
    let stale = dir.path().join("stale.pdf");
    chromium_print(&browser, &out.join("print.html"), &stale);
    let got = printed_numbers(&pages_text(&stale, true)[sommaire_page - 1]);
    assert!(
        got.is_empty(),
        "numbers printed from a stale record: {got:?}"
    );
}

/// `livret pdf` again on an unchanged booklet starts from its record (like LaTeX's `.aux`):
/// one pass, and exactly the PDF and print.html of the passes from nothing. A record whose
/// layout no longer settles is dropped, and the passes start from nothing.
#[test]
fn livret_pdf_again_starts_from_its_record_and_drops_one_that_moved() {
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    let printed_html = fs::read(out.join("print.html")).unwrap();
    let printed_text = pages_text(&out.join("livret.pdf"), true);
    let record = fs::read_to_string(out.join(RECORD)).unwrap();
    assert!(record.contains("\"printer\": \"Chrom"), "{record}");

    let again = {
        let _lock = browser_lock();
        livret_ok(dir.path(), &["pdf"])
    };
    assert!(stdout(&again).contains(", 1 pass)"), "{}", stdout(&again));
    assert!(
        stderr(&again).contains("the recorded layout is settled"),
        "{}",
        stderr(&again)
    );
    assert!(fs::read(out.join("print.html")).unwrap() == printed_html);
    assert_eq!(pages_text(&out.join("livret.pdf"), true), printed_text);
    assert_eq!(fs::read_to_string(out.join(RECORD)).unwrap(), record);

    // A record that does not settle any more (here: a page number that is not Riace's).
    let mut moved: serde_json::Value = serde_json::from_str(&record).unwrap();
    let riace = &mut moved["settled"]["numbers"]["riace"];
    *riace = serde_json::json!(riace.as_u64().expect("riace's number") + 2);
    fs::write(out.join(RECORD), moved.to_string()).unwrap();
    let afresh = {
        let _lock = browser_lock();
        livret_ok(dir.path(), &["pdf"])
    };
    let said = stderr(&afresh);
    assert!(
        said.contains("the recorded layout moved: starting afresh"),
        "{said}"
    );
    assert!(said.contains("sommaire targets located"), "{said}");
    assert!(fs::read(out.join("print.html")).unwrap() == printed_html);
    assert_eq!(pages_text(&out.join("livret.pdf"), true), printed_text);
    assert_eq!(fs::read_to_string(out.join(RECORD)).unwrap(), record);
}

/// Every word of `pdf` with its page and place (tenths of a point), from pdftotext -bbox.
fn placed_words(pdf: &Path) -> Vec<(usize, String, [i64; 4])> {
    let run = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let text = String::from_utf8_lossy(&run.stdout);
    let mut words = Vec::new();
    for (page, body) in text.split("<page ").skip(1).enumerate() {
        for word in body.split("<word ").skip(1) {
            let attr = |name: &str| -> i64 {
                let at =
                    word.find(&format!("{name}=\"")).expect("a bbox attribute") + name.len() + 2;
                let value: f64 = word[at..word[at..].find('"').unwrap() + at]
                    .parse()
                    .unwrap();
                (value * 10.0).round() as i64
            };
            let start = word.find('>').unwrap() + 1;
            let end = word.find("</word>").unwrap();
            let place = [attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax")];
            words.push((page + 1, word[start..end].to_string(), place));
        }
    }
    words
}

/// Between passes, `livret pdf` replaces the sheets that changed in the page it holds instead
/// of loading print.html again: what it prints must be what the published print.html prints.
#[test]
fn the_pdf_is_what_chromium_prints_from_the_published_print_html() {
    let Some(browser) = chromium() else { return };
    let Some(g) = guide() else { return };
    let out = crate::pdf::out(g);
    let dir = tempfile::tempdir().unwrap();
    let printed = dir.path().join("from-disk.pdf");
    chromium_print(&browser, &out.join("print.html"), &printed);
    let (want, got) = (
        placed_words(&out.join("livret.pdf")),
        placed_words(&printed),
    );
    assert!(want.len() > 5000, "{} words", want.len());
    let first_difference = want.iter().zip(&got).find(|(a, b)| a != b);
    assert!(
        first_difference.is_none() && want.len() == got.len(),
        "{} words against {}; first difference: {first_difference:?}",
        want.len(),
        got.len()
    );
}

/// `livret serve` after `livret pdf`: while the print edition is unchanged its rebuilds keep
/// the PDF, its links and the sommaire's numbers (print.html byte for byte as printed); the
/// first edit that changes the print edition renders everything again, as `livret build`
/// does: the stale PDFs go, with a warning that names `livret pdf`; later edits are
/// incremental again.
#[test]
fn serve_keeps_a_fresh_pdf_and_drops_it_once_stale() {
    let Some(dir) = printed_copy() else { return };
    let out = dir.path().join("out");
    let printed = fs::read(out.join("print.html")).unwrap();
    let mut session = livret::Session::new(livret::BuildOptions {
        root: dir.path().to_path_buf(),
        out: out.clone(),
        force: false,
    });
    let first = session.rebuild().expect("first rebuild");
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    assert_eq!(fs::read(out.join("print.html")).unwrap(), printed);
    assert!(out.join("livret.pdf").is_file());

    // An edit to a fiche's text: the print edition changed.
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let text = fs::read_to_string(&riace).unwrap();
    fs::write(&riace, text.replacen("Riace", "Riace (Calabre)", 1)).unwrap();
    let second = session.rebuild().expect("rebuild after an edit");
    assert!(second.full, "the print edition changed: a full render");
    for pdf in PDFS {
        assert!(!out.join(pdf).exists(), "the stale {pdf} is still in out/");
    }
    assert_eq!(second.warnings.len(), 1, "{:?}", second.warnings);
    let said = livret::report(&second.warnings, livret::Outcome::Warned, livret::Lang::Fr);
    assert!(
        said.contains("livret pdf") && said.contains("livret.pdf"),
        "{said}"
    );
    for (page, text) in html_files(&out) {
        assert!(
            !text.contains("livret.pdf"),
            "{} still names livret.pdf",
            page.display()
        );
    }
    assert!(
        sommaire(&out.join("print.html"))
            .iter()
            .all(|(_, _, p)| p.is_empty())
    );

    fs::write(&riace, text.replacen("Riace", "Riace (Italie)", 1)).unwrap();
    let third = session.rebuild().expect("rebuild after a second edit");
    assert!(!third.full, "no PDF any more: incremental again");
}

//! The web edition as a reader's guide, in Chromium from `file://`: the sommaire beside the
//! text on a wide screen with the current page marked, the menu button on a phone, offline
//! search (accents and case folded, prefixes, keyboard), dark mode; and the search benchmark
//! at 1,000 fiches (index size, time per keystroke).

use std::fs;
use std::path::Path;
use std::time::Instant;

use crate::support::*;
use crate::web::{browser_tools, built_guide, check};

#[test]
fn sommaire_beside_the_text_menu_search_and_dark_mode() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let (_dir, out) = built_guide();
    let s = check(&chromium, &["reader", out.to_str().unwrap(), "riace.html"]);

    // 1280 px: every fiche linked from the sommaire beside the text, the current one marked.
    let links: Vec<&str> = s["wide"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let index = html(&out.join("index.html"));
    for fiche in attrs(&index, ".toc-kind-fiche a", "href") {
        assert!(links.contains(&fiche.as_str()), "{fiche} not in {links:?}");
    }
    assert_eq!(links.len(), 12, "{links:?}");
    assert_eq!(s["wide"]["current"][0], "riace.html");
    assert_eq!(s["wide"]["beside"], true);
    assert_eq!(s["wide"]["headerTopAfterScroll"], 0);

    // Search without accents finds the accented word, highlighted, first.
    let first = &s["search"]["securite"][0];
    assert_eq!(first["marks"][0], "sécurité", "{first}");
    let etats = s["search"]["etats-unis"].as_array().unwrap();
    let with_accent = etats
        .iter()
        .find(|r| {
            r["href"]
                .as_str()
                .unwrap()
                .ends_with("villes-sanctuaires.html")
        })
        .unwrap_or_else(|| panic!("no page with États-Unis: {etats:?}"));
    let title = with_accent["title"].as_str().unwrap();
    assert!(title.starts_with("n° 5 · "), "{title}");
    // The page has "États-Unis" (with a word joiner after the hyphen, so it never breaks there).
    let text = fs::read_to_string(out.join("villes-sanctuaires.html")).unwrap();
    assert!(text.replace('\u{2060}', "").contains("États-Unis"));
    assert_eq!(s["search"]["etats-unis"], s["search"]["ETATS-UNIS"]);
    // A prefix: "municip" finds "municipalités".
    assert!(s["search"]["municip"].as_array().unwrap().len() >= 10);
    // Keyboard: "/" focused the field (checked in check.mjs), arrows moved, Enter opened.
    assert_eq!(s["keyboard"]["chosen"], s["keyboard"]["landed"]);

    // Phone: the menu button, in the first screen, opens the sommaire.
    assert_eq!(s["phone"]["closed"]["expanded"], "false");
    assert_eq!(s["phone"]["opened"]["expanded"], "true");
    assert_eq!(s["phone"]["opened"]["navShown"], true);
    assert_eq!(s["phone"]["opened"]["scrollWidth"], 390);

    // axe with the search results open (light and dark) and the phone menu open.
    assert_eq!(
        s["axe_states"].as_array().unwrap().len(),
        3,
        "{}",
        s["axe_states"]
    );

    // Dark mode: dark background, light text (axe in light and dark: web::axe_…).
    assert!(s["dark"]["background_luminance"].as_f64().unwrap() < 0.05);
}

/// A copy of the guide with ten parts of a hundred fiches (copies of the guide's fiches).
fn thousand_fiches() -> tempfile::TempDir {
    let dir = guide_copy();
    let fiches = dir.path().join("fiches");
    let mut sources = Vec::new();
    for part in ["10-repenser", "20-co-construire"] {
        for e in fs::read_dir(fiches.join(part)).unwrap() {
            let path = e.unwrap().path();
            if path.file_name().unwrap() != "_part.toml" {
                // Slugs come from the new file names.
                let text = fs::read_to_string(&path).unwrap();
                let text: Vec<&str> = text.lines().filter(|l| !l.starts_with("slug =")).collect();
                sources.push(text.join("\n") + "\n");
            }
        }
        fs::remove_dir_all(fiches.join(part)).unwrap();
    }
    sources.sort();
    for p in 0..10 {
        let part = fiches.join(format!("{}-partie-{p}", 10 + p));
        fs::create_dir_all(&part).unwrap();
        write(&part, "_part.toml", &format!("title = \"Partie {p}\"\n"));
        for f in 0..100 {
            let text = &sources[(p * 100 + f) % sources.len()];
            write(&part, &format!("{f:03}-fiche-{p}-{f}.toml"), text);
        }
    }
    dir
}

fn dir_bytes(dir: &Path, ext: &str) -> u64 {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| fs::metadata(p).unwrap().len())
        .sum()
}

#[test]
fn search_at_a_thousand_fiches_is_small_and_fast() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let dir = thousand_fiches();
    let start = Instant::now();
    livret_ok(dir.path(), &["build"]);
    let build = start.elapsed();
    let out = dir.path().join("out");
    let _lock = browser_lock();
    let s = check(
        &chromium,
        &[
            "bench",
            out.to_str().unwrap(),
            "securite",
            "etats-unis",
            "municipalites",
            "accueil des migrants",
        ],
    );
    let html = dir_bytes(&out, "html");
    let index = fs::metadata(out.join("search-index.js")).unwrap().len();
    eprintln!(
        "1,000 fiches: build {build:?}, HTML {html} bytes, search index {index} bytes ({:.1} %), \
         first search (loads the index) {} ms, per keystroke median {:.2} ms, max {:.2} ms over {}",
        index as f64 * 100.0 / html as f64,
        s["first_load_ms"],
        s["median_ms"].as_f64().unwrap(),
        s["max_ms"].as_f64().unwrap(),
        s["keystrokes"],
    );
    assert!(index * 100 <= html * 30, "index {index} > 30 % of {html}");
    assert!(s["max_ms"].as_f64().unwrap() < 50.0, "{s}");
}

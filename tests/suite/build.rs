//! The engine end to end, through the real binary on real files in temp dirs.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::support::*;

fn fiche(title: &str, city: &str) -> String {
    format!(
        "title = \"{title}\"\nexample = \"L'exemple de {city}\"\nsummary = \"Résumé de {city}.\"\n\
         [[how]]\nheading = \"Agir\"\nbody = \"Texte sur {city}.\"\n"
    )
}

/// A small booklet: a page, the sommaire, two parts with three fiches, a closing page.
fn small_booklet() -> tempfile::TempDir {
    project(&[
        (
            "livret.toml",
            "title = \"Guide test\"\npublisher = \"OCU\"\n",
        ),
        (
            "fiches/00-presentation.toml",
            "kind = \"page\"\ntitle = \"Présentation\"\ntoc = false\nbody = \"Bienvenue.\"\n",
        ),
        (
            "fiches/01-sommaire.toml",
            "kind = \"sommaire\"\ntitle = \"Sommaire\"\n",
        ),
        (
            "fiches/05-introduction.toml",
            "kind = \"page\"\nkicker = \"Introduction\"\ntitle = \"Pourquoi\"\nbody = \"Texte.\"\n",
        ),
        ("fiches/10-repenser/_part.toml", "title = \"Repenser\"\n"),
        (
            "fiches/10-repenser/01-riace.toml",
            &fiche("Revitaliser", "Riace"),
        ),
        (
            "fiches/10-repenser/02-new-york.toml",
            &fiche("Une carte", "New-York"),
        ),
        ("fiches/20-agir/_part.toml", "title = \"Agir ensemble\"\n"),
        (
            "fiches/20-agir/03-grande-synthe.toml",
            &fiche("Un camp", "Grande-Synthe"),
        ),
        (
            "fiches/90-fin.toml",
            "kind = \"page\"\ntitle = \"Pour aller encore plus loin\"\nbody = \"Lire.\"\n",
        ),
    ])
}

fn build(dir: &Path) -> String {
    stdout(&livret_ok(dir, &["build"]))
}

/// Sommaire entries of the web index: (kicker, title).
fn web_toc(dir: &Path) -> Vec<String> {
    texts(&html(&dir.join("out/index.html")), ".toc-entry .toc-title")
}

fn print_titles(dir: &Path) -> Vec<String> {
    texts(
        &html(&dir.join("out/print.html")),
        ".fiche-title, .page-title, .part-title, .sommaire-title",
    )
}

#[test]
fn document_order_numbers_and_pages() {
    let dir = small_booklet();
    let summary = build(dir.path());
    assert!(summary.starts_with("livret: 3 fiches, "), "{summary}");
    assert!(summary.contains(" ms → "), "{summary}");

    assert_eq!(
        web_toc(dir.path()),
        [
            "Pourquoi",
            "Revitaliser",
            "Une carte",
            "Un camp",
            "Pour aller encore plus loin"
        ]
    );
    let index = html(&dir.path().join("out/index.html"));
    assert_eq!(
        texts(&index, ".toc-part-title"),
        ["Repenser", "Agir ensemble"]
    );
    // Numbers run across parts; pages are unnumbered.
    assert_eq!(
        texts(&index, ".toc-kicker"),
        [
            "Introduction",
            "Bonne pratique n° 1",
            "Bonne pratique n° 2",
            "Bonne pratique n° 3"
        ]
    );
    let gs = html(&dir.path().join("out/grande-synthe.html"));
    assert_eq!(texts(&gs, ".fiche .kicker"), ["Bonne pratique n° 3"]);
    let intro = html(&dir.path().join("out/introduction.html"));
    assert!(texts(&intro, ".kicker")[0] == "Introduction");
    assert!(
        !fs::read_to_string(dir.path().join("out/introduction.html"))
            .unwrap()
            .contains("Bonne pratique n°")
    );

    // The print edition: cover, presentation, sommaire, introduction, part, fiches, part, back matter.
    assert_eq!(
        print_titles(dir.path()),
        [
            "Présentation",
            "Sommaire",
            "Pourquoi",
            "Repenser",
            "Revitaliser",
            "Une carte",
            "Agir ensemble",
            "Un camp",
            "Pour aller encore plus loin"
        ]
    );
    // prev/next follow the same order; the sommaire marker has no page of its own.
    let ny = html(&dir.path().join("out/new-york.html"));
    assert_eq!(attrs(&ny, "a[rel=prev]", "href"), ["riace.html"]);
    assert_eq!(attrs(&ny, "a[rel=next]", "href"), ["grande-synthe.html"]);
    let first = html(&dir.path().join("out/presentation.html"));
    assert!(attrs(&first, "a[rel=prev]", "href").is_empty());
    assert_eq!(attrs(&first, "a[rel=next]", "href"), ["introduction.html"]);
    assert!(!dir.path().join("out/sommaire.html").exists());
}

#[test]
fn a_fiche_added_in_the_middle_renumbers_everything_after_it() {
    let dir = small_booklet();
    build(dir.path());
    write(
        dir.path(),
        "fiches/10-repenser/01b-lyon.toml",
        &fiche("Accueillir à Lyon", "Lyon"),
    );
    build(dir.path());

    let index = html(&dir.path().join("out/index.html"));
    assert_eq!(
        texts(&index, ".toc-kind-fiche .toc-kicker"),
        [
            "Bonne pratique n° 1",
            "Bonne pratique n° 2",
            "Bonne pratique n° 3",
            "Bonne pratique n° 4"
        ]
    );
    assert_eq!(
        texts(&index, ".toc-kind-fiche .toc-title"),
        ["Revitaliser", "Accueillir à Lyon", "Une carte", "Un camp"]
    );
    let lyon = html(&dir.path().join("out/lyon.html"));
    assert_eq!(texts(&lyon, ".fiche .kicker"), ["Bonne pratique n° 2"]);
    assert_eq!(attrs(&lyon, "a[rel=prev]", "href"), ["riace.html"]);
    assert_eq!(attrs(&lyon, "a[rel=next]", "href"), ["new-york.html"]);
    let ny = html(&dir.path().join("out/new-york.html"));
    assert_eq!(texts(&ny, ".fiche .kicker"), ["Bonne pratique n° 3"]);
    assert_eq!(attrs(&ny, "a[rel=prev]", "href"), ["lyon.html"]);
    let gs = html(&dir.path().join("out/grande-synthe.html"));
    assert_eq!(texts(&gs, ".fiche .kicker"), ["Bonne pratique n° 4"]);

    let print = html(&dir.path().join("out/print.html"));
    assert_eq!(
        texts(&print, ".fiche .kicker"),
        [
            "Bonne pratique n° 1",
            "Bonne pratique n° 2",
            "Bonne pratique n° 3",
            "Bonne pratique n° 4"
        ]
    );
    assert_eq!(
        texts(&print, ".fiche-title"),
        ["Revitaliser", "Accueillir à Lyon", "Une carte", "Un camp"]
    );
    assert_eq!(
        texts(&print, ".sommaire .toc-kind-fiche .toc-kicker"),
        [
            "Bonne pratique n° 1",
            "Bonne pratique n° 2",
            "Bonne pratique n° 3",
            "Bonne pratique n° 4"
        ]
    );
}

#[test]
fn a_removed_fiche_leaves_no_stale_page() {
    let dir = small_booklet();
    build(dir.path());
    assert!(dir.path().join("out/new-york.html").exists());
    fs::remove_file(dir.path().join("fiches/10-repenser/02-new-york.toml")).unwrap();
    build(dir.path());
    assert!(!dir.path().join("out/new-york.html").exists());
    let manifest = fs::read_to_string(dir.path().join("out/.livret-manifest")).unwrap();
    assert!(!manifest.contains("new-york.html"));
    assert!(
        !fs::read_to_string(dir.path().join("out/index.html"))
            .unwrap()
            .contains("new-york")
    );
    let gs = html(&dir.path().join("out/grande-synthe.html"));
    assert_eq!(texts(&gs, ".fiche .kicker"), ["Bonne pratique n° 2"]);
}

#[test]
fn one_template_overrides_the_default_theme() {
    let dir = small_booklet();
    fs::write(
        dir.path().join("livret.toml"),
        "title = \"Guide test\"\ntheme = \"asso\"\n[labels]\ntakeaways = \"A retenir\"\n",
    )
    .unwrap();
    write(
        dir.path(),
        "themes/asso/templates/partials/pager.html",
        "<nav class=\"pager asso-pager\" aria-label=\"pages\">{% if nav.next %}<a rel=\"next\" href=\"{{ nav.next.href }}\">Suite : {{ nav.next.title }}</a>{% endif %}</nav>\n",
    );
    build(dir.path());
    let riace = html(&dir.path().join("out/riace.html"));
    assert_eq!(texts(&riace, ".asso-pager a"), ["Suite : Une carte"]);
    // Everything else still comes from the embedded default theme.
    assert_eq!(texts(&riace, ".fiche .kicker"), ["Bonne pratique n° 1"]);
    assert!(dir.path().join("out/style.css").is_file());
    assert!(
        dir.path()
            .join("out/fonts/source-serif-4-latin-400-normal.woff2")
            .is_file()
    );
    // And the override only touches web pages that include it.
    let print = fs::read_to_string(dir.path().join("out/print.html")).unwrap();
    assert!(!print.contains("asso-pager"));
}

#[test]
fn an_unknown_theme_is_a_located_error() {
    let dir = small_booklet();
    fs::write(
        dir.path().join("livret.toml"),
        "title = \"Guide\"\ntheme = \"absent\"\n",
    )
    .unwrap();
    let out = livret(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("livret.toml:1:1: error: theme `absent` not found"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn rebuilds_are_byte_identical() {
    let dir = guide_copy();
    build(dir.path());
    let first = tree_hash(&dir.path().join("out"));
    fs::rename(dir.path().join("out"), dir.path().join("out-1")).unwrap();
    build(dir.path());
    let second = tree_hash(&dir.path().join("out"));
    assert!(first.len() > 20);
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between two builds", a.0);
    }
}

#[test]
fn every_relative_link_in_out_resolves() {
    let dir = guide_copy();
    build(dir.path());
    let out = dir.path().join("out");
    let mut checked = 0;
    let mut missing = BTreeSet::new();
    for entry in fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let doc = html(&path);
        let ids: BTreeSet<String> = attrs(&doc, "[id]", "id").into_iter().collect();
        let refs = attrs(&doc, "a[href]", "href")
            .into_iter()
            .chain(attrs(&doc, "link[href]", "href"))
            .chain(attrs(&doc, "script[src], img[src]", "src"));
        for href in refs {
            if href.contains("://") || href.starts_with("mailto:") || href.starts_with("tel:") {
                continue;
            }
            checked += 1;
            let (file, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                out.join(file)
            };
            if !target.is_file() {
                missing.insert(format!("{} → {href}", path.display()));
                continue;
            }
            if !fragment.is_empty() {
                let target_ids: BTreeSet<String> = if file.is_empty() {
                    ids.clone()
                } else {
                    attrs(&html(&target), "[id]", "id").into_iter().collect()
                };
                if !target_ids.contains(fragment) {
                    missing.insert(format!("{} → {href} (no such id)", path.display()));
                }
            }
        }
    }
    // CSS url() references (fonts) too.
    for css in ["style.css", "print.css"] {
        let text = fs::read_to_string(out.join(css)).unwrap();
        for part in text.split("url(").skip(1) {
            let url = part.split(')').next().unwrap().trim_matches(['"', '\'']);
            checked += 1;
            if !out.join(url).is_file() {
                missing.insert(format!("{css} → {url}"));
            }
        }
    }
    assert!(checked > 150, "only {checked} links checked");
    assert!(
        missing.is_empty(),
        "unresolved links:\n{}",
        missing.into_iter().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_guide_builds_with_its_ten_fiches_in_order() {
    let dir = guide_copy();
    let summary = build(dir.path());
    assert!(summary.starts_with("livret: 10 fiches, "), "{summary}");
    let index = html(&dir.path().join("out/index.html"));
    let cities: Vec<String> = texts(&index, ".toc-kind-fiche .toc-example");
    assert_eq!(cities.len(), 9, "fiche 10 has no example line: {cities:?}");
    assert!(
        cities[0].contains("Riace") && cities[8].contains("Briançon"),
        "{cities:?}"
    );
    assert_eq!(texts(&index, ".toc-part-title").len(), 2);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = livret(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no livret.toml"));
    let out = livret(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn links_between_fiches_follow_each_edition() {
    let dir = small_booklet();
    write(
        dir.path(),
        "fiches/20-agir/03-grande-synthe.toml",
        "title = \"Un camp\"\nsummary = \"Comme à [Riace](@riace) et [plus bas](@new-york#new-york-how)[^n].\"\n\
         [[how]]\nbody = \"Texte.\"\n[notes]\nn = \"Une note.\"\n",
    );
    build(dir.path());
    let web = html(&dir.path().join("out/grande-synthe.html"));
    assert_eq!(
        attrs(&web, ".section-summary a:not(.note-ref a)", "href")
            .into_iter()
            .filter(|h| !h.starts_with("#note"))
            .collect::<Vec<_>>(),
        ["riace.html", "new-york.html#new-york-how"]
    );
    assert_eq!(texts(&web, "sup.note-ref"), ["1"]);
    let print = html(&dir.path().join("out/print.html"));
    let hrefs: Vec<String> = attrs(
        &print,
        "#grande-synthe .section-summary a:not(.foot-notes a)",
        "href",
    );
    assert_eq!(hrefs, ["#riace", "#new-york-how", "#note-1"]);
    assert_eq!(
        texts(&print, "#grande-synthe .print-ref"),
        ["(fiche n° 1)", "(fiche n° 2)"]
    );
}

//! Content safety: raw HTML in Markdown is escaped unless `allow_html = true`,
//! templates escape everything else, and link URLs other than http, https, mailto, tel and
//! relative paths are refused with the file and line — in every field that can hold one.

use std::fs;
use std::path::Path;

use crate::support::*;

/// Every element and attribute of every HTML file under `out`: no `<script>`, `<iframe>`,
/// `<object>`, `<embed>`, no `on…=` handler, no `javascript:`/`data:`/`vbscript:` URL.
fn assert_nothing_injected(out: &Path) {
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let doc = html(path);
        let all = scraper::Selector::parse("*").unwrap();
        for el in doc.select(&all) {
            let name = el.value().name();
            // The theme's own script (`site.js`: the menu and search), empty, is the only one.
            let theme_script = name == "script"
                && el
                    .value()
                    .attr("src")
                    .is_some_and(|s| s.ends_with("site.js"))
                && el.text().next().is_none();
            assert!(
                theme_script || !matches!(name, "script" | "iframe" | "object" | "embed" | "svg"),
                "{}: a <{name}> element was injected",
                path.display()
            );
            for (attr, value) in el.value().attrs() {
                assert!(
                    !attr.starts_with("on"),
                    "{}: <{name} {attr}=\"{value}\"> was injected",
                    path.display()
                );
                let v = value.trim().to_ascii_lowercase();
                assert!(
                    !(v.starts_with("javascript:")
                        || v.starts_with("data:")
                        || v.starts_with("vbscript:")),
                    "{}: <{name} {attr}=\"{value}\"> was injected",
                    path.display()
                );
            }
        }
    }
    assert!(pages >= 4, "only {pages} pages checked");
}

const XSS: &str = "<script>alert(1)</script>";

/// A project whose every text field tries to inject markup.
fn hostile_project(allow_html: bool) -> tempfile::TempDir {
    let config = format!(
        r#"title = "Guide {XSS}"
subtitle = "<img src=x onerror=alert(2)>"
publisher = "<iframe src=x></iframe>"
publisher_short = "{XSS}"
description = "<svg onload=alert(3)>"
edition = "<b onclick=alert(4)>gras</b>"
website = "https://example.org/\"onmouseover=\"alert(5)"
allow_html = {allow_html}
[cover]
lead = "<object data=x></object>"
[colophon]
body = "<embed src=x>"
[labels]
fiche = "{XSS}"
"#
    );
    let fiche = format!(
        r#"title = "Titre {XSS}"
example = "<img src=x onerror=alert(6)>"
tagline = "<a href=javascript:alert(7)>lien</a>"
summary = """
Un résumé {XSS} et <b onmouseover=alert(8)>gras</b>[^n].

<div onclick="alert(9)">bloc</div>
"""
[[figures]]
value = "<i onclick=alert(10)>1</i>"
label = "{XSS}"
[[how]]
heading = "{XSS}"
body = "<iframe src=javascript:alert(11)></iframe>"
[[quotes]]
text = "{XSS}"
author = "<svg/onload=alert(12)>"
[[asides]]
title = "{XSS}"
body = "<style>body{{display:none}}</style>"
[outcome]
headline = "{XSS}"
[takeaways]
items = ["{XSS}"]
[[links]]
label = "{XSS}"
url = "https://example.org/\"onmouseover=\"alert(13)"
[notes]
n = "{XSS}"
"#
    );
    project(&[
        ("livret.toml", &config),
        ("fiches/01-sommaire.toml", "kind = \"sommaire\"\n"),
        (
            "fiches/10-p/_part.toml",
            &format!("title = \"Partie {XSS}\"\nintro = \"{XSS}\"\n"),
        ),
        ("fiches/10-p/01-x.toml", &fiche),
        (
            "fiches/10-p/02-page.toml",
            &format!(
                "kind = \"page\"\ntitle = \"1 < 2 & \\\"trois\\\" {XSS}\"\nkicker = \"{XSS}\"\nlead = \"{XSS}\"\nbody = \"{XSS}\"\n"
            ),
        ),
    ])
}

#[test]
fn escaping_raw_html_and_titles_by_default() {
    let dir = hostile_project(false);
    livret_ok(dir.path(), &["build"]);
    let out = dir.path().join("out");
    assert_nothing_injected(&out);
    // Escaped, not dropped: the reader sees what the author wrote.
    let page = fs::read_to_string(out.join("x.html")).unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        page.contains("&lt;b onmouseover=alert(8)&gt;gras&lt;/b&gt;"),
        "{page}"
    );
    let doc = html(&out.join("x.html"));
    assert!(
        texts(&doc, "h1")
            .iter()
            .any(|t| t.contains("Titre <script>alert(1)</script>"))
    );
    // Labels of livret.toml are text too, even where the theme prints HTML (the kicker).
    assert!(
        texts(&doc, ".kicker")
            .iter()
            .any(|t| t.starts_with("<script>alert(1)</script> n°")),
        "{:?}",
        texts(&doc, ".kicker")
    );
    // Plain-text places (<title>, meta) are escaped by the templates.
    let raw = fs::read_to_string(out.join("page.html")).unwrap();
    assert!(
        raw.contains("<title>1 &lt; 2 &amp; &quot;trois&quot;"),
        "{raw}"
    );
    let doc_page = html(&out.join("page.html"));
    assert!(texts(&doc_page, "title")[0].starts_with("1 < 2 & \"trois\""));
    // The website URL stays one attribute value.
    let hrefs = attrs(&doc, "a", "href");
    assert!(
        hrefs.contains(&"https://example.org/\"onmouseover=\"alert(13)".to_string()),
        "{hrefs:?}"
    );
    // The running header of the print stylesheet is a CSS string that cannot be closed.
    let css = fs::read_to_string(out.join("print.css")).unwrap();
    assert!(
        !css.contains("<script>") && !css.contains("</style>"),
        "{css}"
    );
}

#[test]
fn escaping_can_be_turned_off_with_allow_html() {
    let dir = project(&[
        ("livret.toml", "title = \"Guide\"\nallow_html = true\n"),
        ("fiches/10-p/_part.toml", "title = \"Partie\"\n"),
        (
            "fiches/10-p/01-x.toml",
            "title = \"Fiche <small>petite</small>\"\nsummary = \"\"\"\nDu <b>gras</b>.\n\n<div class=\"encadre\">Bloc</div>\n\"\"\"\n",
        ),
    ]);
    livret_ok(dir.path(), &["build"]);
    let doc = html(&dir.path().join("out/x.html"));
    assert_eq!(texts(&doc, ".prose b"), ["gras"]);
    assert_eq!(texts(&doc, "div.encadre"), ["Bloc"]);
    assert_eq!(texts(&doc, "h1 small"), ["petite"]);
    // Plain-text places stay escaped even so.
    assert_eq!(texts(&doc, "title"), ["Fiche petite — Guide"]);
    // With allow_html, raw HTML is the author's own (README): it is published as written.
    let dir = hostile_project(true);
    livret_ok(dir.path(), &["build"]);
    let page = fs::read_to_string(dir.path().join("out/x.html")).unwrap();
    assert!(page.contains("<b onmouseover=alert(8)>gras</b>"), "{page}");
}

/// Refused link URLs, in every field that can hold a link: exit code 1, the file and the line
/// of the link, and nothing written.
#[test]
fn urls_refused_in_every_field_with_file_and_line() {
    let bad_urls = [
        ("javascript:alert(1)", "javascript"),
        ("JaVaScRiPt:alert(1)", "JaVaScRiPt"),
        ("   javascript:alert(1)", "javascript"),
        ("data:text/html,<b>x</b>", "data"),
        ("DATA:image/png;base64,AAAA", "DATA"),
        ("vbscript:msgbox(1)", "vbscript"),
        ("file:///etc/passwd", "file"),
    ];
    // (file, text with URL at line 3, how the URL is written)
    let places: &[(&str, &str)] = &[
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n\nsummary = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[how]]\nbody = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[takeaways]\nitems = [\"[a](URL)\"]\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[figures]]\nlabel = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[quotes]]\ntext = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[asides]]\nbody = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[links]]\nurl = \"URL\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n[[links]]\nlabel = \"[a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            // Titles cannot cite notes (they are links in the sommaire): the summary does.
            "title = \"F\"\nsummary = \"x[^n]\"\nnotes = { n = \"[a](URL)\" }\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\n\nexample = \"![a](URL)\"\n",
        ),
        (
            "fiches/10-p/01-x.toml",
            "kind = \"page\"\ntitle = \"P\"\nbody = \"\"\"[a](URL)\"\"\"\n",
        ),
        (
            "fiches/10-p/_part.toml",
            "title = \"P\"\n\nintro = \"[a][r]\\n\\n[r]: URL\"\n",
        ),
        (
            "livret.toml",
            "title = \"G\"\n[cover]\nlead = \"[a](URL)\"\n",
        ),
        ("livret.toml", "title = \"G\"\n\nwebsite = \"URL\"\n"),
    ];
    let mut checked = 0;
    for (url, scheme) in bad_urls {
        for (file, text) in places {
            let mut files = vec![
                ("livret.toml", "title = \"G\"\n".to_string()),
                ("fiches/10-p/_part.toml", "title = \"P\"\n".to_string()),
                ("fiches/10-p/01-x.toml", "title = \"F\"\n".to_string()),
            ];
            let toml_url = url.replace('"', "\\\"");
            for f in &mut files {
                if f.0 == *file {
                    f.1 = text.replace("URL", &toml_url);
                }
            }
            let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
            let dir = project(&refs);
            let result = livret(dir.path(), &["build"]);
            let err = stderr(&result);
            let context = format!("{url:?} in {file}: {text:?}\n{err}");
            assert_eq!(result.status.code(), Some(1), "{context}");
            assert!(err.contains(&format!("{file}:3:")), "{context}");
            assert!(
                err.contains(&format!("uses the refused scheme `{scheme}:`")),
                "{context}"
            );
            assert!(
                err.contains("help: links may only use http:, https:, mailto:, tel:"),
                "{context}"
            );
            assert!(!dir.path().join("out").exists(), "{context}");
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 14);
}

/// Allowed schemes and relative links pass, in any case.
#[test]
fn urls_allowed_schemes_pass() {
    let dir = project(&[
        (
            "livret.toml",
            "title = \"G\"\nwebsite = \"HTTPS://example.org\"\n",
        ),
        ("fiches/10-p/_part.toml", "title = \"P\"\n"),
        (
            "fiches/10-p/01-x.toml",
            "title = \"F\"\nsummary = \"[a](https://x.org) [b](HTTP://x.org/a?b=c:d) [c](mailto:a@b.org) [d](tel:+33123) [e](autre.html#x) [f](#haut) [g](dossier/page:2.html) [h](@x)\"\n[[links]]\nurl = \"https://example.org/a:b\"\n",
        ),
    ]);
    livret_ok(dir.path(), &["build"]);
    let doc = html(&dir.path().join("out/x.html"));
    let hrefs = attrs(&doc, ".prose a", "href");
    for expected in [
        "https://x.org",
        "mailto:a@b.org",
        "tel:+33123",
        "autre.html#x",
        "#haut",
        "x.html",
    ] {
        assert!(
            hrefs.iter().any(|h| h == expected),
            "{expected} missing from {hrefs:?}"
        );
    }
}

/// Every `id` of every HTML page under `out`, and how many times each page carries it.
fn repeated_ids(out: &Path) -> (usize, Vec<String>) {
    let mut pages = 0;
    let mut repeated = Vec::new();
    let any = scraper::Selector::parse("[id]").unwrap();
    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let doc = html(path);
        let mut seen = std::collections::BTreeMap::new();
        for el in doc.select(&any) {
            *seen
                .entry(el.value().id().unwrap_or("").to_string())
                .or_insert(0) += 1;
        }
        for (id, n) in seen {
            if n > 1 {
                repeated.push(format!("{}: id `{id}` {n} times", path.display()));
            }
        }
    }
    (pages, repeated)
}

/// No built page carries the same id twice, for the guide and for a project
/// that uses every field of the format once (two front pages with notes on the index, a part
/// slug, a sommaire with another title…).
#[test]
fn no_built_page_repeats_an_id() {
    let guide = guide_copy();
    let every = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("tests/golden/every-field"), every.path());
    for project in [guide.path(), every.path()] {
        livret_ok(project, &["build"]);
        let (pages, repeated) = repeated_ids(&project.join("out"));
        assert!(pages >= 7, "{pages} pages built in {}", project.display());
        assert!(repeated.is_empty(), "{}", repeated.join("\n"));
    }
}

/// The ids the default theme's templates write are those `ids` knows: a literal of
/// `ids::FIXED`, a slug with one of `ids::SLUG_SUFFIXES`, or a note's id. A template that adds
/// another id must add it there too, so that slugs cannot take it.
#[test]
fn template_ids_follow_the_id_grammar() {
    use livret::internals::ids;
    let dir = repo().join("themes/default/templates");
    let mut found = 0;
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = fs::read_to_string(entry.path()).unwrap();
        for (i, _) in text.match_indices(" id=\"") {
            let value = &text[i + 5..];
            let value = &value[..value.find('"').unwrap()];
            found += 1;
            let ok = if let Some(rest) = value.strip_prefix("{{ ") {
                let (var, tail) = rest.split_once(" }}").unwrap();
                match var {
                    "note.id" | "ref_id" => tail.is_empty(),
                    v if v.ends_with(".slug") => {
                        tail.is_empty()
                            || tail
                                .strip_prefix('-')
                                .is_some_and(|s| ids::SLUG_SUFFIXES.contains(&s))
                    }
                    _ => false,
                }
            } else {
                ids::FIXED.contains(&value)
            };
            assert!(
                ok,
                "{}: id=\"{value}\" is not in the grammar of src/ids.rs",
                entry.path().display()
            );
        }
    }
    assert!(found >= 10, "only {found} ids found in the templates");
}

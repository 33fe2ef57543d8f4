//! The web edition, checked like a reader and a host would: valid HTML and CSS (the Nu HTML
//! Checker), accessible (axe-core in Chromium, screen and print media), every page, asset and
//! link working under a sub-path on a local server and from `file://`, readable from a 360 px
//! phone to a wide screen, and ready for static hosts (404 page, `.nojekyll`, metadata, sitemap).
//!
//! The browser and validator checks run the Node script `tests/web/check.mjs` and the vnu jar from
//! `tests/web/node_modules` (pinned by `tests/web/package-lock.json`; installed here with
//! `npm ci` when missing). Without Node, Java or Chromium they are skipped locally, never in CI.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::support::*;
use serde_json::Value;

/// `tests/web/`: the Node side of these tests.
fn web_dir() -> PathBuf {
    repo().join("tests/web")
}

/// Serialises `npm ci` between the tests of this binary.
static NPM: Mutex<()> = Mutex::new(());

/// Node with `tests/web/node_modules` installed (and Java when `java` is set), or `None` to skip.
fn node_tools(java: bool) -> Option<()> {
    require_tool("node", "apt-get install nodejs (Node 20+)")?;
    require_tool("npm", "apt-get install npm")?;
    if java {
        require_tool("java", "apt-get install openjdk-17-jre-headless")?;
    }
    let _guard = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let dir = web_dir();
    let installed = dir.join("node_modules/.package-lock.json");
    let stale = match (
        fs::metadata(&installed),
        fs::metadata(dir.join("package-lock.json")),
    ) {
        (Ok(i), Ok(l)) => i.modified().unwrap() < l.modified().unwrap(),
        _ => true,
    };
    if stale {
        eprintln!("installing tests/web/node_modules: npm ci");
        // --ignore-scripts: vnu-jar's install script would download a JDK; we use the machine's.
        let out = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("run npm ci");
        assert!(
            out.status.success(),
            "npm ci in tests/web failed:\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
    }
    Some(())
}

/// Node, the packages and Chromium, for a browser test.
pub(crate) fn browser_tools() -> Option<PathBuf> {
    let chromium = chromium()?;
    node_tools(false)?;
    Some(chromium)
}

/// A copy of the guide, built into `<copy>/out`.
pub(crate) fn built_guide() -> (tempfile::TempDir, PathBuf) {
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let out = dir.path().join("out");
    (dir, out)
}

/// Puts `base_url = …` into the copy's livret.toml (before its tables).
fn set_base_url(root: &Path, url: &str) {
    let path = root.join("livret.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("base_url = \"{url}\"\n{text}")).unwrap();
}

/// The result of one `check.mjs` command: its summary, after asserting it found no problem.
pub(crate) fn check(chromium: &Path, args: &[&str]) -> Value {
    let out = Command::new("node")
        .arg(web_dir().join("check.mjs"))
        .args(args)
        .env("LIVRET_CHROMIUM_PATH", chromium)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "node check.mjs {args:?} failed ({}):\n{}\n{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    let report: Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("check.mjs printed no JSON ({e}):\n{}", stdout(&out)));
    let problems = report["problems"].as_array().expect("problems");
    assert!(
        problems.is_empty(),
        "check.mjs {}: {} problem(s):\n{}",
        args[0],
        problems.len(),
        problems
            .iter()
            .map(|p| format!("- {}", p.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("check.mjs {}: {}", args[0], report["summary"]);
    report["summary"].clone()
}

fn html_files(out: &Path) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".html"))
        .collect();
    files.sort();
    files
}

/// The page of the first numbered fiche, from the sommaire.
fn first_fiche(out: &Path) -> String {
    attrs(&html(&out.join("index.html")), ".toc-kind-fiche a", "href")
        .into_iter()
        .next()
        .expect("a fiche in the sommaire")
}

/// A free loopback port (for a server that must be known before the build).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the Nu HTML Checker; returns its messages as (file, message) pairs.
fn vnu(args: &[&str], files: &[PathBuf]) -> Vec<(String, String)> {
    let jar = web_dir().join("node_modules/vnu-jar/build/dist/vnu.jar");
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json"])
        .args(args)
        .args(files)
        .output()
        .expect("run java");
    let report: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu printed no JSON ({e}):\n{}\n{}",
            stdout(&out),
            stderr(&out)
        )
    });
    report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            let file = m["url"].as_str().unwrap_or_default();
            let file = file.rsplit('/').next().unwrap_or(file).to_string();
            let text = format!(
                "{}:{}: {}: {}",
                file,
                m["lastLine"],
                m["type"].as_str().unwrap_or_default(),
                m["message"].as_str().unwrap_or_default()
            );
            (file, text)
        })
        .collect()
}

#[test]
fn every_page_and_stylesheet_passes_the_nu_html_checker() {
    if node_tools(true).is_none() {
        return;
    }
    let (_dir, out) = built_guide();
    // The same guide with base_url: canonical links, og:url and an absolute 404 page.
    let with_base = guide_copy();
    set_base_url(with_base.path(), "https://example.org/guide/");
    livret_ok(with_base.path(), &["build"]);
    let out_base = with_base.path().join("out");

    // A page the checker must reject, so a checker that checks nothing cannot pass.
    let canary = tempfile::tempdir().unwrap();
    let bad = canary.path().join("canary.html");
    fs::write(&bad, "<!DOCTYPE html><title>x</title><p><div></p>").unwrap();

    let mut pages: Vec<PathBuf> = html_files(&out).iter().map(|f| out.join(f)).collect();
    assert!(pages.len() >= 17, "too few pages: {pages:?}");
    for page in ["index.html", "404.html", "riace.html", "print.html"] {
        pages.push(out_base.join(page));
    }
    pages.push(bad.clone());
    let messages = vnu(&["--also-check-css", "--also-check-svg"], &{
        let mut all = pages.clone();
        all.push(out.join("favicon.svg"));
        all
    });
    let (canary_msgs, errors): (Vec<_>, Vec<_>) =
        messages.into_iter().partition(|(f, _)| f == "canary.html");
    assert!(
        !canary_msgs.is_empty(),
        "vnu found nothing wrong in a broken page: it is not checking"
    );
    assert!(
        errors.is_empty(),
        "vnu: {} error(s) in {} pages:\n{}",
        errors.len(),
        pages.len() - 1,
        errors
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );

    // Stylesheets, as served. vnu's CSS checker (the W3C one) knows CSS 3 and the paged-media
    // rules print.css uses; a stylesheet it rejects is an error here.
    let bad_css = canary.path().join("canary.css");
    fs::write(&bad_css, "a { colr: red }").unwrap();
    let css = vec![out.join("style.css"), out.join("print.css"), bad_css];
    let messages = vnu(&["--css"], &css);
    // Page-foot notes use CSS GCPM (`float: footnote`, `::footnote-call`, `::footnote-marker`,
    // `footnote-display`), which WeasyPrint and Prince implement and the W3C checker does not
    // know (docs/printing.md, Notes). Only those messages are let through.
    let gcpm = |m: &str| {
        [
            "“::footnote-marker”",
            "“::footnote-call”",
            "“footnote” is not a “float” value",
            "“footnote-display”",
        ]
        .iter()
        .any(|k| m.contains(k))
    };
    let messages: Vec<_> = messages.into_iter().filter(|(_, m)| !gcpm(m)).collect();
    let (canary_msgs, errors): (Vec<_>, Vec<_>) =
        messages.into_iter().partition(|(f, _)| f == "canary.css");
    assert!(!canary_msgs.is_empty(), "vnu --css is not checking");
    assert!(
        errors.is_empty(),
        "vnu --css: {} error(s):\n{}",
        errors.len(),
        errors
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn axe_finds_no_violation_in_screen_or_print_media() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let (_dir, out) = built_guide();
    let fiche = first_fiche(&out);
    let pages = [
        "index.html",
        fiche.as_str(),
        "print.html",
        "introduction.html",
        "404.html",
    ];
    let mut args = vec!["axe", out.to_str().unwrap()];
    args.extend(pages);
    let summary = check(&chromium, &args);
    let results = summary["pages"].as_array().unwrap();
    // Screen in light and dark colour schemes, and print.
    assert_eq!(results.len(), pages.len() * 3, "{summary}");
    for page in &pages {
        assert!(
            results
                .iter()
                .any(|r| r["page"] == *page && r["colorScheme"] == "dark"),
            "{page} was not checked with dark emulated"
        );
    }
    for r in results {
        assert_eq!(r["violations"], 0, "{r}");
        // axe really ran: dozens of rules applied to the page.
        assert!(r["rules"].as_u64().unwrap() > 50, "{r}");
    }
    for media in ["screen", "print"] {
        for page in &pages {
            assert!(
                results
                    .iter()
                    .any(|r| r["page"] == *page && r["media"] == media),
                "{page} was not checked in {media} media"
            );
        }
    }
}

#[test]
fn every_page_asset_and_link_works_under_a_sub_path() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let (_dir, out) = built_guide();
    // Relative links only: the site knows nothing of /guide/, and a missing page at its top
    // gets the 404 page, styled, with working links.
    let summary = check(
        &chromium,
        &[
            "crawl",
            out.to_str().unwrap(),
            "http",
            "--prefix",
            "/guide/",
            "--missing",
            "page-disparue.html",
        ],
    );
    let pages = html_files(&out).len() as u64;
    assert_eq!(summary["pages"].as_u64(), Some(pages + 1), "{summary}");
    assert!(
        summary["requests"].as_u64().unwrap() >= pages * 5,
        "{summary}"
    );
    assert!(summary["links"].as_u64().unwrap() >= pages * 3, "{summary}");
    assert!(summary["css_urls"].as_u64().unwrap() >= 10, "{summary}");
}

#[test]
fn the_404_page_works_at_any_depth_with_base_url() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let dir = guide_copy();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}/guide/");
    set_base_url(dir.path(), &base);
    livret_ok(dir.path(), &["build"]);
    let out = dir.path().join("out");
    let page = fs::read_to_string(out.join("404.html")).unwrap();
    assert!(
        page.contains(&format!("href=\"{base}style.css\"")),
        "{page}"
    );
    // Two folders deep: a relative stylesheet or link would break there.
    check(
        &chromium,
        &[
            "crawl",
            out.to_str().unwrap(),
            "http",
            "--prefix",
            "/guide/",
            "--port",
            &port.to_string(),
            "--missing",
            "ancien/dossier/fiche.html",
        ],
    );
}

#[test]
fn every_page_asset_and_link_works_from_disk() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let (dir, out) = built_guide();
    // With a PDF next to the site, so the "Télécharger le PDF" links are followed too.
    fs::write(out.join("livret.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
    livret_ok(dir.path(), &["build"]);
    assert!(
        !attrs(
            &html(&out.join("index.html")),
            "a[href='livret.pdf']",
            "href"
        )
        .is_empty()
    );
    let summary = check(&chromium, &["crawl", out.to_str().unwrap(), "file"]);
    let pages = html_files(&out).len() as u64;
    assert_eq!(summary["pages"].as_u64(), Some(pages), "{summary}");
    assert!(
        summary["requests"].as_u64().unwrap() >= pages * 5,
        "{summary}"
    );
    assert!(summary["links"].as_u64().unwrap() >= pages * 3, "{summary}");
}

#[test]
fn readable_from_a_phone_to_a_wide_screen_and_by_keyboard() {
    let Some(chromium) = browser_tools() else {
        return;
    };
    let _lock = browser_lock();
    let (_dir, out) = built_guide();
    let shots = std::env::temp_dir().join("livret-web-shots");
    let _ = fs::remove_dir_all(&shots);
    let summary = check(
        &chromium,
        &["layout", out.to_str().unwrap(), shots.to_str().unwrap()],
    );
    let web_pages = html_files(&out).len() - 1; // print.html is the print edition
    assert_eq!(
        summary["measures"].as_array().unwrap().len(),
        web_pages * 2,
        "every web page at 360 px and 1280 px"
    );
    assert!(summary["focus_checked"].as_u64().unwrap() >= 10);
    for width in [360, 1280] {
        for page in ["index", "riace"] {
            let shot = shots.join(format!("{page}-{width}.png"));
            let size = fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
            assert!(size > 10_000, "{} missing or empty", shot.display());
        }
    }
    eprintln!("screenshots in {}", shots.display());
}

#[test]
fn pdf_link_appears_when_livret_pdf_exists() {
    let (dir, out) = built_guide();
    let fiche = first_fiche(&out);
    let pdf_links = |page: &str| {
        let doc = html(&out.join(page));
        (
            attrs(&doc, "a[href='livret.pdf']", "href").len(),
            texts(&doc, "a[href='livret.pdf']"),
        )
    };
    for page in ["index.html", fiche.as_str(), "print.html"] {
        assert_eq!(
            pdf_links(page).0,
            0,
            "{page} links to a PDF that does not exist"
        );
    }
    // A PDF dropped next to the site (by `livret pdf` or by hand): linked from every page.
    let bytes = b"%PDF-1.4\n% a booklet\n%%EOF\n";
    fs::write(out.join("livret.pdf"), bytes).unwrap();
    livret_ok(dir.path(), &["build"]);
    for page in ["index.html", fiche.as_str(), "print.html", "404.html"] {
        let (count, labels) = pdf_links(page);
        assert!(count >= 1, "{page} has no PDF link");
        assert!(
            labels.iter().all(|l| l == "Télécharger le PDF"),
            "{page}: {labels:?}"
        );
    }
    assert_eq!(fs::read(out.join("livret.pdf")).unwrap(), bytes);
    // Removed again: the links go.
    fs::remove_file(out.join("livret.pdf")).unwrap();
    livret_ok(dir.path(), &["build"]);
    assert_eq!(pdf_links("index.html").0, 0);
    assert_eq!(pdf_links(&fiche).0, 0);
}

#[test]
fn navigation_sommaire_pager_and_print_button() {
    let (_dir, out) = built_guide();
    let index = html(&out.join("index.html"));
    let pages: Vec<String> = html_files(&out)
        .into_iter()
        .filter(|f| !["index.html", "print.html", "404.html"].contains(&f.as_str()))
        .collect();
    // The sommaire on the index links to the pages (all but those marked toc = false).
    let sommaire = attrs(&index, "#sommaire a.toc-link", "href");
    assert!(sommaire.len() >= 12, "{sommaire:?}");
    for href in &sommaire {
        assert!(pages.contains(href), "the sommaire links to {href}");
    }
    assert!(sommaire.contains(&first_fiche(&out)));
    assert!(!attrs(&index, "a[href='print.html']", "href").is_empty());
    let start = attrs(&index, ".cover-actions a.button-primary", "href");
    assert!(pages.contains(&start[0]), "start button: {start:?}");
    // The reading order: one first page; from it, "next" visits every page once, "previous"
    // undoes each step, and every page leads back to the sommaire and to the print edition.
    let firsts: Vec<&String> = pages
        .iter()
        .filter(|p| attrs(&html(&out.join(p)), "nav.pager a[rel=prev]", "href").is_empty())
        .collect();
    assert_eq!(firsts.len(), 1, "pages without a previous one: {firsts:?}");
    let mut current = firsts[0].clone();
    let mut visited = vec![current.clone()];
    loop {
        let doc = html(&out.join(&current));
        assert_eq!(
            attrs(&doc, "nav.pager a.pager-home", "href"),
            ["index.html#sommaire"],
            "{current}"
        );
        assert_eq!(
            texts(&doc, "nav.pager a.pager-home"),
            ["Sommaire"],
            "{current}"
        );
        assert_eq!(
            attrs(&doc, ".site-nav a[href='print.html']", "href").len(),
            1,
            "{current}"
        );
        match attrs(&doc, "nav.pager a[rel=next]", "href").first() {
            Some(next) => {
                assert!(!visited.contains(next), "{next} visited twice");
                let after = html(&out.join(next));
                assert_eq!(
                    attrs(&after, "nav.pager a[rel=prev]", "href"),
                    [current.clone()],
                    "previous of {next}"
                );
                current = next.clone();
                visited.push(current.clone());
            }
            None => break,
        }
    }
    visited.sort();
    assert_eq!(visited, pages, "the reading order misses pages");
}

#[test]
fn ready_for_static_hosts_without_base_url() {
    let (dir, out) = built_guide();
    assert_eq!(fs::read(out.join(".nojekyll")).unwrap(), b"");
    assert!(out.join("favicon.svg").is_file());
    assert!(
        !out.join("sitemap.xml").exists(),
        "a sitemap needs absolute URLs"
    );
    let fiche = first_fiche(&out);
    for page in html_files(&out) {
        let doc = html(&out.join(&page));
        assert_eq!(attrs(&doc, "html", "lang"), ["fr"], "{page}");
        let description = attrs(&doc, "meta[name=description]", "content");
        assert!(
            description.len() == 1 && description[0].len() > 20,
            "{page}"
        );
        assert_eq!(
            attrs(&doc, "link[rel=icon]", "href"),
            ["favicon.svg"],
            "{page}"
        );
        assert!(
            attrs(&doc, "link[rel=canonical]", "href").is_empty(),
            "{page}"
        );
        // Everything of the site's own is relative: no root-relative or absolute self-links.
        for (sel, attr) in [
            ("a", "href"),
            ("link", "href"),
            ("script", "src"),
            ("img", "src"),
        ] {
            for url in attrs(&doc, sel, attr) {
                assert!(!url.starts_with('/'), "{page}: {sel} {url}");
            }
        }
        if page == "print.html" {
            continue; // the print edition has its own head (no Open Graph: it is not shared)
        }
        assert_eq!(
            attrs(&doc, "meta[property='og:title']", "content").len(),
            1,
            "{page}"
        );
        assert_eq!(
            attrs(&doc, "meta[property='og:description']", "content"),
            description,
            "{page}"
        );
        assert_eq!(
            attrs(&doc, "meta[property='og:locale']", "content"),
            ["fr_FR"]
        );
    }
    // A fiche is described by its summary (EN BREF), as plain text.
    let doc = html(&out.join(&fiche));
    let description = &attrs(&doc, "meta[name=description]", "content")[0];
    let summary = texts(&doc, ".section-summary .prose").join(" ");
    let opening: String = description.chars().take(60).collect();
    assert!(
        summary.starts_with(&opening),
        "{description:?} is not the summary {summary:?}"
    );
    assert!(description.chars().count() <= 301, "{description}");
    assert_eq!(
        attrs(&doc, "meta[property='og:type']", "content"),
        ["article"]
    );
    let not_found = html(&out.join("404.html"));
    assert_eq!(
        attrs(&not_found, "meta[name=robots]", "content"),
        ["noindex"]
    );
    assert_eq!(attrs(&not_found, "main a", "href"), ["index.html#sommaire"]);

    // A .nojekyll of the user's own is left as it is.
    fs::write(out.join(".nojekyll"), "mine\n").unwrap();
    fs::remove_file(out.join(".livret-manifest")).unwrap();
    livret_ok(dir.path(), &["build", "--force"]);
    assert_eq!(fs::read_to_string(out.join(".nojekyll")).unwrap(), "mine\n");
    let manifest = fs::read_to_string(out.join(".livret-manifest")).unwrap();
    assert!(!manifest.lines().any(|l| l == ".nojekyll"), "{manifest}");
}

#[test]
fn base_url_adds_sitemap_canonical_links_and_an_absolute_404() {
    let dir = guide_copy();
    let base = "https://example.org/guide/";
    set_base_url(dir.path(), "https://example.org/guide");
    livret_ok(dir.path(), &["build"]);
    let out = dir.path().join("out");
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    for page in html_files(&out) {
        let doc = html(&out.join(&page));
        let canonical = attrs(&doc, "link[rel=canonical]", "href");
        if page == "404.html" {
            assert!(canonical.is_empty(), "the 404 page stands for no address");
            assert!(!locs.iter().any(|l| l.ends_with("404.html")));
            continue;
        }
        let url = if page == "index.html" {
            base.to_string()
        } else {
            format!("{base}{page}")
        };
        assert_eq!(canonical, std::slice::from_ref(&url), "{page}");
        assert!(locs.contains(&url.as_str()), "{url} not in the sitemap");
        if page != "print.html" {
            assert_eq!(attrs(&doc, "meta[property='og:url']", "content"), [url]);
        }
        // The pages themselves stay relative: the site still works from disk.
        for href in attrs(&doc, "link[rel=stylesheet], link[rel=icon], a", "href") {
            assert!(
                !href.starts_with(base),
                "{page}: {href} should stay relative"
            );
        }
    }
    assert_eq!(locs.len(), html_files(&out).len() - 1, "{sitemap}");
    let not_found = html(&out.join("404.html"));
    assert_eq!(
        attrs(&not_found, "link[rel=stylesheet]", "href"),
        [format!("{base}style.css"), format!("{base}print.css")]
    );
    for href in attrs(&not_found, "a", "href") {
        assert!(
            href.starts_with(base)
                || href.starts_with('#')
                || href.starts_with("https://www.o-c-u.org"),
            "404.html: {href} is relative"
        );
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let (dir, out) = built_guide();
    let first = tree_hash(&out);
    livret_ok(dir.path(), &["build"]);
    assert_eq!(first, tree_hash(&out));
    assert!(first.iter().any(|(f, _)| f == ".nojekyll"));
}

//! Fuzzing: arbitrary bytes and arbitrary TOML-like documents, as fiches, as
//! `_part.toml` and as `livret.toml`, go through parse → assemble → render through the library.
//! Properties:
//! - nothing panics (a panic is a failure, shrunk to a minimal input by proptest);
//! - every diagnostic is located inside its file (line and column within the text);
//! - whatever is accepted renders: every page, the print edition, the stylesheets — with no
//!   raw `<script` when `allow_html` is off and no refused URL scheme in any `href`/`src`.
//!
//! Each target runs for a time budget, not a case count: `LIVRET_FUZZ_SECS` (default 8 s per
//! target, 5 targets on 2 cores: about 20 s of wall time in CI). For a long local run:
//! `LIVRET_FUZZ_SECS=600 cargo test --release --test fuzz -- --nocapture`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use livret::internals::{
    self as lib, Booklet, Config, ConfigFile, LoadedEntry, LoadedPart, Node, PdfLink, Renderer,
    Settings, Source, Theme,
};
use livret::{Diagnostic, Error};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunConfig, TestCaseError, TestRunner};
use toml::{Table, Value};

// ---------------------------------------------------------------------------------------------
// The pipeline under test

/// Not on disk: `theme` re-reads livret.toml to locate an unknown label, and must not find the
/// repository's own.
const CONFIG_PATH: &str = "/nonexistent/livret-fuzz/livret.toml";
const PART_PATH: &str = "fiches/10-p/_part.toml";
/// A project root with no themes/ folder: the embedded default theme.
const NO_ROOT: &str = "/nonexistent/livret-fuzz";

fn config_file(text: &str) -> Result<ConfigFile, Diagnostic> {
    let source = Source::new(CONFIG_PATH, text);
    Ok(ConfigFile {
        config: Config::parse(&source)?,
        source,
    })
}

fn default_theme() -> Theme {
    let file = config_file("title = \"Guide\"\n").unwrap();
    lib::load_theme(Path::new(NO_ROOT), &file)
        .unwrap_or_else(|_| panic!("the default theme does not load"))
}

/// A diagnostic must point inside the text it is about, and print.
fn check_diagnostic(d: &Diagnostic, source: &str) -> Result<(), TestCaseError> {
    let lines = source.split('\n').count();
    prop_assert!(d.line >= 1 && d.col >= 1, "{d:?}");
    prop_assert!(
        d.line <= lines.max(1),
        "line {} of a {lines}-line text: {d:?}",
        d.line
    );
    for lang in [livret::Lang::En, livret::Lang::Fr] {
        let shown = d.render(lang);
        let message = d.text(lang).message;
        prop_assert!(shown.contains(&message));
        prop_assert!(
            shown.len() < 4 * 1024 + message.len(),
            "a {}-byte report",
            shown.len()
        );
    }
    Ok(())
}

fn check_error(e: &Error, sources: &BTreeMap<PathBuf, &str>) -> Result<(), TestCaseError> {
    match e {
        Error::Content(diagnostics) => {
            prop_assert!(!diagnostics.is_empty());
            for d in diagnostics {
                if let Some(source) = sources.get(&d.path) {
                    // Whole-file diagnostics (1:1) need no source; located ones must fit.
                    check_diagnostic(d, source)?;
                }
            }
            Ok(())
        }
        Error::Usage(_) | Error::Said(_) | Error::Other { .. } | Error::Io { .. } => Ok(()),
        Error::Invariant(what) => Err(TestCaseError::fail(format!("internal error: {what}"))),
    }
}

/// How many cases went all the way through rendering (the rest stopped at a diagnostic).
static RENDERED: AtomicU64 = AtomicU64::new(0);

/// Renders every output of an accepted booklet; all of it must succeed.
fn render_all(booklet: &Booklet, theme: &Theme, css: bool) -> Result<(), TestCaseError> {
    RENDERED.fetch_add(1, Ordering::Relaxed);
    let settings = Settings {
        pdf: PdfLink::Absent,
        layout: None,
    };
    let renderer = Renderer::new(booklet, theme, settings);
    let mut outputs: Vec<(String, String)> = Vec::new();
    let fail =
        |what: &str, e: Error| TestCaseError::fail(format!("{what} failed to render: {e:?}"));
    // Pages come out as bytes, written as they are: they must be UTF-8.
    let utf8 = |what: &str, bytes: Vec<u8>| {
        String::from_utf8(bytes)
            .map_err(|e| TestCaseError::fail(format!("{what} is not UTF-8: {e}")))
    };
    outputs.push((
        "index".into(),
        utf8("index", renderer.index().map_err(|e| fail("index", e))?)?,
    ));
    for (i, entry) in booklet.entries.iter().enumerate() {
        if entry.has_page() {
            let html = renderer
                .entry_page(i, &renderer.rendered(i))
                .map_err(|e| fail(&entry.slug, e))?;
            outputs.push((entry.file_name(), utf8(&entry.slug, html)?));
        }
    }
    let (head, tail) = renderer.print_frame().map_err(|e| fail("print frame", e))?;
    // The items go between the cover and the back cover, whatever the book's text holds.
    prop_assert!(
        head.trim_end().ends_with("</section>"),
        "print head:\n{head}"
    );
    prop_assert!(
        tail.trim_start()
            .starts_with("<section class=\"sheet back-cover\""),
        "print tail:\n{tail}"
    );
    outputs.push(("print head".into(), head));
    outputs.push(("print tail".into(), tail));
    for &item in &booklet.order {
        let html = renderer
            .print_item(item, None)
            .map_err(|e| fail(&format!("{item:?}"), e))?;
        outputs.push((format!("print {item:?}"), utf8("print item", html)?));
    }
    outputs.push((
        "404".into(),
        renderer.not_found().map_err(|e| fail("404", e))?,
    ));
    if css {
        for name in theme.stylesheets.keys().filter(|n| !n.starts_with('_')) {
            let text = renderer.stylesheet(name).map_err(|e| fail(name, e))?;
            let compiled = lib::compile_css(Path::new(name), &text);
            prop_assert!(
                compiled.is_ok(),
                "{name} does not compile for an accepted livret.toml: {:?}",
                compiled.err()
            );
        }
    }
    for (name, html) in &outputs {
        let lower = html.to_ascii_lowercase();
        if !booklet.config.allow_html {
            // The theme's own script (`site.js`, the menu and search) is the only one.
            let foreign = lower.match_indices("<script").any(|(i, _)| {
                let tag = &lower[i..lower[i..].find('>').map_or(lower.len(), |e| i + e)];
                !(tag.starts_with("<script src=\"") && tag.contains("site.js\" defer"))
            });
            prop_assert!(!foreign, "{name}: raw <script> in\n{html}");
        }
        for scheme in ["javascript:", "data:", "vbscript:"] {
            for attr in ["href=\"", "src=\""] {
                prop_assert!(
                    !lower.contains(&format!("{attr}{scheme}")),
                    "{name}: {attr}{scheme} in\n{html}"
                );
            }
        }
    }
    Ok(())
}

/// A whole project, from texts: parse every file, assemble, render.
fn pipeline(
    config_src: &str,
    part_src: &str,
    fiches: &[String],
    shared_theme: Option<&Theme>,
) -> Result<(), TestCaseError> {
    let mut sources: BTreeMap<PathBuf, &str> = BTreeMap::new();
    sources.insert(PathBuf::from(CONFIG_PATH), config_src);
    sources.insert(PathBuf::from(PART_PATH), part_src);
    let config_file = match config_file(config_src) {
        Ok(c) => c,
        Err(d) => return check_diagnostic(&d, config_src),
    };
    let part_source = Source::new(PART_PATH, part_src);
    let part = match lib::parse_part(&part_source) {
        Ok(p) => p,
        Err(d) => return check_diagnostic(&d, part_src),
    };
    let mut entries = Vec::new();
    for (i, text) in fiches.iter().enumerate() {
        let path = PathBuf::from(format!("fiches/10-p/{i:02}-f{i}.toml"));
        let source = Source::new(path, text);
        match lib::parse_entry(&source) {
            Ok(doc) => entries.push(LoadedEntry::new(source, doc)),
            Err(d) => return check_diagnostic(&d, text),
        }
    }
    for (entry, text) in entries.iter().zip(fiches) {
        sources.insert(entry.source.path.clone(), text);
    }
    let nodes = vec![Node::Part(LoadedPart {
        source: part_source,
        name_slug: "p".into(),
        part,
        entries,
    })];
    let loaded;
    let (theme, css) = match shared_theme {
        Some(t) => (t, false),
        None => match lib::load_theme(Path::new(NO_ROOT), &config_file) {
            Ok(t) => {
                loaded = t;
                (&loaded, true)
            }
            Err(e) => return check_error(&e, &sources),
        },
    };
    match lib::assemble(config_file.config, nodes) {
        Ok(b) => render_all(&b, theme, css),
        Err(e) => check_error(&e, &sources),
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs
//
// Every generator has a tame and a wild form. Tame input is valid most of the time, so that
// cases reach assemble and render; wild input mixes in everything that must be refused (notes
// cited but not defined, refused URL schemes, unknown fiches, bad slugs, wrong kinds…).

/// Text that livret must accept anywhere: words, typography, Markdown, raw HTML (escaped),
/// TOML-hostile characters, control characters, CRLF, a BOM, template syntax, the print slot.
const TAME: &[&str] = &[
    "]",
    "[",
    "](",
    ")",
    "(",
    "[l](https://example.org/a?b=c)",
    "[m](mailto:a@b.org)",
    "[r](autre.html#x)",
    "<https://x.org>",
    "<script>alert(1)</script>",
    "<b onclick=x>",
    "</div>",
    "<!--",
    "&amp;",
    "&#",
    "&#0;",
    "&lt;",
    "*",
    "**",
    "_",
    "`",
    "```\n",
    "~~",
    "\n",
    "\n\n",
    "\r\n",
    "> ",
    "- ",
    "1. ",
    "# ",
    "| a | b |\n|---|---|\n",
    "---",
    "\\",
    "\"",
    "'",
    "...",
    "«",
    "»",
    " : ",
    " ; ",
    " ! ",
    " ? ",
    "1er",
    "XVIe",
    "40e",
    "n°",
    "é",
    "ß",
    "ﬁ",
    "\u{0}",
    "\u{1}",
    "\u{7f}",
    "\u{feff}",
    "\u{200b}",
    "\u{202e}",
    "🙂",
    " ",
    "  ",
    "\t",
    "a",
    "mot",
    "Riace",
    "{{",
    "}}",
    "{%",
    "%}",
    "\u{1}livret-print-items-0\u{1}",
    "</html>",
    "</section>",
    "\"; } body { color: red } /*",
    "</style>",
];

/// Text that livret must refuse, or may: note references, links of every refused kind.
const WILD: &[&str] = &[
    "[^a]",
    "[^b]",
    "[^",
    "[x](@f0)",
    "[x](@f1#bilan)",
    "[x](@nope)",
    "[l](javascript:alert(1))",
    "[l](JaVaScRiPt:x)",
    "[l]( data:text/html,x)",
    "<javascript:x>",
    "![i](data:image/png,x)",
    "[r]",
    "\n\n[r]: vbscript:x\n",
    "[l](&#106;avascript:x)",
    "[l](https://exa mple.org)",
];

/// A small, fast pseudo-random generator: text is expanded from a seed inside `prop_map`, as
/// proptest's own per-character strategies are far too slow in a debug build. Shrinking still
/// works on the seed and, above all, on the length.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `pieces` pieces of text: mostly fragments, some words, some arbitrary characters.
fn text(seed: u64, pieces: usize, wild: bool) -> String {
    const LETTERS: &[char] = &[
        'a', 'e', 'i', 'o', 'u', 'r', 's', 't', 'é', 'è', ' ', 'R', 'X',
    ];
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    for _ in 0..pieces {
        match rng.below(10) {
            0..=4 => out.push_str(TAME[rng.below(TAME.len())]),
            5 if wild => out.push_str(WILD[rng.below(WILD.len())]),
            5..=7 => {
                for _ in 0..rng.below(10) {
                    out.push(LETTERS[rng.below(LETTERS.len())]);
                }
            }
            _ => {
                for _ in 0..rng.below(6) {
                    let c = match rng.below(3) {
                        0 => rng.below(0x80) as u32,
                        1 => rng.below(0x800) as u32,
                        _ => rng.below(0x11_0000) as u32,
                    };
                    out.extend(char::from_u32(c).filter(|c| wild || *c != '^'));
                }
            }
        }
    }
    out
}

fn markdown(wild: bool) -> impl Strategy<Value = String> {
    (any::<u64>(), 0usize..10).prop_map(move |(seed, pieces)| text(seed, pieces, wild))
}

fn url(wild: bool) -> BoxedStrategy<String> {
    let tame = proptest::sample::select(
        &[
            "https://example.org/",
            "HTTP://localhost/a:b",
            "mailto:a@b.org",
            "tel:+33",
            "page.html#x",
            "#haut",
            "https://example.org/\"onmouseover=\"x",
        ][..],
    )
    .prop_map(str::to_string);
    if !wild {
        return tame.boxed();
    }
    let refused = proptest::sample::select(
        &[
            "javascript:alert(1)",
            " DATA:x",
            "https://exa mple.org",
            "@f0",
            "@nope",
            "file:///",
        ][..],
    )
    .prop_map(str::to_string);
    prop_oneof![tame, refused, markdown(true)].boxed()
}

fn slug() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(
            &["f0", "f1", "f2", "p", "index", "print", "a-b", "../x", "A"][..]
        )
        .prop_map(str::to_string),
        (any::<u64>(), 0usize..8).prop_map(|(seed, len)| {
            let mut rng = Rng::new(seed);
            (0..len)
                .map(|_| b"abcz019-"[rng.below(8)] as char)
                .collect()
        }),
        markdown(true),
    ]
}

fn opt<S: Strategy>(s: S) -> impl Strategy<Value = Option<S::Value>> {
    prop::option::weighted(0.5, s)
}

/// `Some` with probability `p`, which may be 0 or 1.
fn maybe<S: Strategy + 'static>(p: f64, s: S) -> BoxedStrategy<Option<S::Value>>
where
    S::Value: Clone,
{
    if p <= 0.0 {
        Just(None).boxed()
    } else if p >= 1.0 {
        s.prop_map(Some).boxed()
    } else {
        prop::option::weighted(p, s).boxed()
    }
}

fn put(t: &mut Table, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        t.insert(key.to_string(), v.into());
    }
}

fn tables(items: Vec<Table>) -> Value {
    Value::Array(items.into_iter().map(Value::Table).collect())
}

/// A fiche, page or sommaire as a TOML table.
fn entry_table(wild: bool) -> impl Strategy<Value = Table> {
    let md = move || markdown(wild);
    let kind = prop_oneof![
        14 => Just(None),
        2 => Just(Some("page".to_string())),
        1 => Just(Some("sommaire".to_string())),
        1 => Just(Some("fiche".to_string())),
        1 => if wild { markdown(true).prop_map(Some).boxed() } else { Just(None).boxed() },
    ];
    let places: &[&str] = if wild {
        &["summary", "how", "outcome", "side"]
    } else {
        &["summary", "how", "outcome"]
    };
    let place = move || opt(proptest::sample::select(places));
    let texts = (
        maybe(if wild { 0.95 } else { 1.0 }, md()),
        maybe(if wild { 0.5 } else { 0.0 }, slug()),
        opt(md()),
        opt(md()),
        opt(md()),
        prop::collection::btree_map(
            proptest::sample::select(&["a", "b", "c", "a-b", "é"][..]),
            md(),
            0..if wild { 3 } else { 1 },
        ),
        any::<bool>(),
    );
    let blocks = (
        prop::collection::vec((opt(md()), md()), 0..3),
        prop::collection::vec((opt(md()), md()), 0..3),
        prop::collection::vec((md(), opt(md()), place()), 0..2),
        prop::collection::vec((opt(md()), md(), place()), 0..2),
        opt((opt(md()), opt(md()))),
        opt((opt(md()), prop::collection::vec(md(), 0..3))),
        prop::collection::vec((opt(md()), prop::option::weighted(0.8, url(wild))), 0..3),
        opt(any::<bool>()),
    );
    (kind, texts, blocks).prop_map(move |(kind, texts, blocks)| {
        let (title, slug, a, b, mut c, notes, cite) = texts;
        let (figures, how, quotes, asides, outcome, takeaways, mut links, toc) = blocks;
        let mut notes: Table = notes
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect();
        if !wild && cite && kind.as_deref() != Some("sommaire") {
            // A note, cited once in the main text.
            c = Some(c.unwrap_or_default() + " cité[^a]");
            notes.insert("a".into(), "La *note*.".into());
        }
        if !wild {
            // A link needs a label or a url.
            links.retain(|(label, url)| label.is_some() || url.is_some());
        }
        let mut t = Table::new();
        put(&mut t, "kind", kind.clone());
        put(&mut t, "title", title);
        put(&mut t, "slug", slug);
        match kind.as_deref() {
            Some("page") => {
                put(&mut t, "kicker", a);
                put(&mut t, "lead", b);
                put(&mut t, "body", c);
                put(&mut t, "toc", toc);
            }
            Some("sommaire") => {}
            _ => {
                put(&mut t, "example", a);
                put(&mut t, "tagline", b);
                put(&mut t, "summary", c);
                let pair = |k1: &str, k2: &str, (x, y): (Option<String>, String)| {
                    let mut f = Table::new();
                    put(&mut f, k1, x);
                    f.insert(k2.into(), y.into());
                    f
                };
                t.insert(
                    "figures".into(),
                    tables(
                        figures
                            .into_iter()
                            .map(|p| pair("value", "label", p))
                            .collect(),
                    ),
                );
                t.insert(
                    "how".into(),
                    tables(
                        how.into_iter()
                            .map(|p| pair("heading", "body", p))
                            .collect(),
                    ),
                );
                let quotes = quotes.into_iter().map(|(text, author, at)| {
                    let mut q = Table::new();
                    q.insert("text".into(), text.into());
                    put(&mut q, "author", author);
                    put(&mut q, "at", at);
                    q
                });
                t.insert("quotes".into(), tables(quotes.collect()));
                let asides = asides.into_iter().map(|(title, body, at)| {
                    let mut a = Table::new();
                    put(&mut a, "title", title);
                    a.insert("body".into(), body.into());
                    put(&mut a, "at", at);
                    a
                });
                t.insert("asides".into(), tables(asides.collect()));
                if let Some((headline, body)) = outcome {
                    let mut o = Table::new();
                    put(&mut o, "headline", headline);
                    put(&mut o, "body", body);
                    t.insert("outcome".into(), Value::Table(o));
                }
                if let Some((intro, items)) = takeaways {
                    let mut k = Table::new();
                    put(&mut k, "intro", intro);
                    let items = items.into_iter().map(Value::from).collect();
                    k.insert("items".into(), Value::Array(items));
                    t.insert("takeaways".into(), Value::Table(k));
                }
                let links = links.into_iter().map(|(label, url)| {
                    let mut l = Table::new();
                    put(&mut l, "label", label);
                    put(&mut l, "url", url);
                    l
                });
                t.insert("links".into(), tables(links.collect()));
            }
        }
        if !notes.is_empty() && kind.as_deref() != Some("sommaire") {
            t.insert("notes".into(), Value::Table(notes));
        }
        t
    })
}

fn config_table(wild: bool) -> impl Strategy<Value = Table> {
    let md = move || markdown(wild);
    const KNOWN: &[&str] = &["fiche", "number", "notes", "page", "fiche_ref", "sommaire"];
    let label_key = if wild {
        prop_oneof![
            proptest::sample::select(KNOWN).prop_map(str::to_string),
            Just("fichee".to_string()),
            markdown(true),
        ]
        .boxed()
    } else {
        proptest::sample::select(KNOWN)
            .prop_map(str::to_string)
            .boxed()
    };
    let langs: &[&str] = if wild {
        &["fr", "en", "fr-BE", "de-CH-1996", "x y", ""]
    } else {
        &["fr", "en", "fr-BE", "de-CH-1996"]
    };
    let sizes: &[&str] = if wild {
        &["A5", "A4", "letter", "Letter", "A6"]
    } else {
        &["A5", "A4", "letter", "Letter"]
    };
    let base_url = if wild {
        url(true)
    } else {
        Just("https://example.org/guide".to_string()).boxed()
    };
    (
        (md(), opt(md()), opt(md()), opt(md()), opt(md()), opt(md())),
        (
            opt(proptest::sample::select(langs)),
            opt(proptest::sample::select(sizes)),
            opt(url(wild)),
            opt(base_url),
            opt(any::<bool>()),
            opt(md()),
            opt(md()),
            prop::collection::btree_map(label_key, md(), 0..3),
        ),
    )
        .prop_map(|(texts, settings)| {
            let (title, subtitle, strapline, publisher, description, edition) = texts;
            let (lang, page_size, website, base_url, allow_html, lead, colophon, labels) = settings;
            let mut t = Table::new();
            // A title made only of blanks is refused: keep one visible character.
            t.insert("title".into(), format!("{title}T").into());
            put(&mut t, "subtitle", subtitle);
            put(&mut t, "strapline", strapline);
            put(&mut t, "publisher", publisher.clone());
            put(&mut t, "publisher_short", publisher);
            put(&mut t, "description", description);
            put(&mut t, "edition", edition);
            put(&mut t, "lang", lang);
            put(&mut t, "page_size", page_size);
            put(&mut t, "website", website);
            put(&mut t, "base_url", base_url);
            put(&mut t, "allow_html", allow_html);
            if let Some(lead) = lead {
                let mut c = Table::new();
                c.insert("lead".into(), lead.into());
                t.insert("cover".into(), Value::Table(c));
            }
            if let Some(body) = colophon {
                let mut c = Table::new();
                c.insert("body".into(), body.into());
                t.insert("colophon".into(), Value::Table(c));
            }
            if !labels.is_empty() {
                let labels: Table = labels.into_iter().map(|(k, v)| (k, v.into())).collect();
                t.insert("labels".into(), Value::Table(labels));
            }
            t
        })
}

/// A table as TOML text, sometimes damaged: a few characters deleted, doubled or replaced.
fn toml_text(table: impl Strategy<Value = Table>, damage: f64) -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..4);
    (table, maybe(damage, edits)).prop_map(|(t, edits)| {
        let text = toml::to_string(&t).unwrap_or_default();
        let Some(edits) = edits else { return text };
        let mut chars: Vec<char> = text.chars().collect();
        for (at, op, c) in edits {
            if chars.is_empty() {
                break;
            }
            let i = at.index(chars.len());
            match op {
                0 => {
                    chars.remove(i);
                }
                1 => chars.insert(i, chars[i]),
                2 => chars[i] = c,
                _ => chars.insert(i, ['"', '[', ']', '=', '\n', '\\'][i % 6]),
            }
        }
        chars.into_iter().collect()
    })
}

/// Mostly tame documents, some wild, some damaged.
fn entry_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => toml_text(entry_table(false), 0.0),
        1 => toml_text(entry_table(true), 0.3),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => toml_text(config_table(false), 0.0),
        1 => toml_text(config_table(true), 0.3),
    ]
}

fn part_text() -> impl Strategy<Value = String> {
    let table = |wild: bool| {
        (
            maybe(if wild { 0.95 } else { 1.0 }, markdown(wild)),
            opt(markdown(wild)),
            maybe(if wild { 0.5 } else { 0.0 }, slug()),
        )
            .prop_map(|(title, intro, slug)| {
                let mut t = Table::new();
                put(&mut t, "title", title.map(|t| format!("{t}P")));
                put(&mut t, "intro", intro);
                put(&mut t, "slug", slug);
                t
            })
    };
    prop_oneof![
        3 => toml_text(table(false), 0.0),
        1 => toml_text(table(true), 0.3),
    ]
}

/// Arbitrary bytes, decoded as livret decodes a file (UTF-8 check, BOM): any byte at all, or
/// mostly the bytes of TOML syntax, which reach the parser further.
fn bytes_as_text() -> impl Strategy<Value = Option<String>> {
    (any::<u64>(), 0usize..600, any::<bool>()).prop_map(|(seed, len, toml_like)| {
        let mut rng = Rng::new(seed);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if toml_like && rng.below(3) > 0 {
                    const SYNTAX: &[u8] = b"=\"[]{}.,#\n\r \\'azAZ09_-\xEF\xBB\xBF";
                    SYNTAX[rng.below(SYNTAX.len())]
                } else {
                    rng.next() as u8
                }
            })
            .collect();
        Source::decode(Path::new("x.toml"), &bytes)
            .ok()
            .map(|s| s.text)
    })
}

// ---------------------------------------------------------------------------------------------
// Runner

fn budget() -> Duration {
    let secs = std::env::var("LIVRET_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(8.0);
    Duration::from_secs_f64(secs)
}

/// Runs `test` on values of `strategy` until the time budget is spent; a failure (a panic or a
/// broken property) is shrunk and reported with its minimal input.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    match try_fuzz(name, strategy, test) {
        Ok(cases) => eprintln!(
            "fuzz {name}: {cases} cases in {:.1?}, no finding ({} renders so far in this binary)",
            budget(),
            RENDERED.load(Ordering::Relaxed)
        ),
        Err(finding) => panic!("{finding}"),
    }
}

/// `fuzz` without the panic: the number of cases run, or the finding.
fn try_fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> Result<u64, String>
where
    S::Value: std::fmt::Debug,
{
    const CHUNK: u32 = 32;
    let start = Instant::now();
    let mut cases = 0u64;
    while start.elapsed() < budget() {
        // A new runner per chunk: a new random seed, and a fresh count of cases.
        let mut runner = TestRunner::new(RunConfig {
            cases: CHUNK,
            failure_persistence: None,
            max_shrink_iters: 2000,
            ..RunConfig::default()
        });
        if let Err(e) = runner.run(&strategy, &test) {
            return Err(format!("fuzz {name}: found after {cases}+ cases: {e}"));
        }
        cases += u64::from(CHUNK);
    }
    Ok(cases)
}

const GOOD_FICHE: &str = "title = \"Fiche\"\nsummary = \"Texte[^a].\"\n[notes]\na = \"Note.\"\n";
const GOOD_PART: &str = "title = \"Partie\"\n";
const GOOD_CONFIG: &str = "title = \"Guide\"\n";

#[test]
fn fuzz_fiche_bytes() {
    let theme = default_theme();
    fuzz(
        "fiche bytes",
        (bytes_as_text(), bytes_as_text()),
        |(fiche, part)| {
            let fiche = fiche.unwrap_or_default();
            pipeline(GOOD_CONFIG, GOOD_PART, &[fiche], Some(&theme))?;
            match part {
                Some(part) => pipeline(GOOD_CONFIG, &part, &[GOOD_FICHE.into()], Some(&theme)),
                None => Ok(()),
            }
        },
    );
}

#[test]
fn fuzz_config_bytes() {
    fuzz("livret.toml bytes", bytes_as_text(), |config| {
        pipeline(
            config.as_deref().unwrap_or(""),
            GOOD_PART,
            &[GOOD_FICHE.into()],
            None,
        )
    });
}

#[test]
fn fuzz_fiche_documents() {
    let theme = default_theme();
    let fiches = prop::collection::vec(entry_text(), 1..4);
    fuzz(
        "fiche documents",
        (fiches, part_text()),
        |(fiches, part)| pipeline(GOOD_CONFIG, &part, &fiches, Some(&theme)),
    );
}

#[test]
fn fuzz_config_documents() {
    fuzz("livret.toml documents", config_text(), |config| {
        pipeline(&config, GOOD_PART, &[GOOD_FICHE.into()], None)
    });
}

#[test]
fn fuzz_whole_projects() {
    let fiches = prop::collection::vec(entry_text(), 1..3);
    fuzz(
        "whole projects",
        (config_text(), part_text(), fiches),
        |(config, part, fiches)| pipeline(&config, &part, &fiches, None),
    );
}

/// The harness itself finds what it must: a broken property fails the run.
#[test]
fn fuzz_harness_reports_findings() {
    let found = try_fuzz("self-test", markdown(true), |md| {
        prop_assert!(!md.contains("[^a]"), "found");
        Ok(())
    });
    let finding = found.expect_err("the harness missed an easy finding");
    // Shrunk to the smallest input that shows it.
    assert!(finding.contains("minimal failing input"), "{finding}");
}

//! Markdown: the one place that configures pulldown-cmark. It renders a field to HTML with the
//! booklet's rules — French typography on text (via `typo`), raw HTML escaped unless allowed —
//! and scans a field for the note keys and link targets it cites, so `booklet` can check them
//! before anything is rendered.
//!
//! A field is rendered once for both editions: `[^key]` note references and `@slug` links come
//! out as private-use markers, which `resolve_markers` turns into the web page's or the print
//! edition's numbers and anchors (per-page notes and `slug.html` on the web, booklet-wide notes
//! and `#slug` in print).

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, TextMergeStream};

use crate::text::links;
use crate::text::typo::French;

/// How references in the text are resolved for one output (a web page or the print edition).
pub trait Resolve {
    /// The number and anchors of a note call.
    fn note(&self, key: &str) -> Option<NoteRef>;
    /// The href of an `@slug` link target, and its label in print ("fiche n°3").
    fn fiche_link(&self, slug: &str) -> Option<FicheLink>;
}

/// A link to another fiche as resolved for one edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FicheLink {
    pub href: String,
    /// What print adds after the link text ("fiche n°3"), if anything.
    pub print_label: Option<String>,
}

/// A note call as resolved for one edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRef {
    pub number: u32,
    /// The id of the note itself (the call links to it).
    pub note_id: String,
    /// The id of the call (the note links back to it).
    pub ref_id: String,
}

/// Rendering settings shared by all fields of a booklet.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub french: bool,
    pub allow_html: bool,
}

/// What a field cites: note keys and link destinations, in order of appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    pub notes: Vec<String>,
    pub links: Vec<String>,
}

/// Marker delimiters (Unicode private use); content never keeps them (see `push_text`).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

fn is_marker_char(c: char) -> bool {
    c == OPEN || c == CLOSE
}

fn options(style: Style) -> Options {
    let mut o = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    if !style.french {
        // English-style smart quotes would be wrong in French: `typo` handles French text.
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    o
}

/// Splits text into plain pieces and `[^key]` note references.
fn split_notes(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = memchr::memmem::find(rest.as_bytes(), b"[^") {
        let after = &rest[start + 2..];
        let Some(end) = after.find(']') else { break };
        let key = &after[..end];
        if key.is_empty() || !key.chars().all(is_note_key_char) {
            pieces.push(Piece::Text(&rest[..start + 2]));
            rest = after;
            continue;
        }
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        pieces.push(Piece::Note(key));
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

pub fn is_note_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

enum Piece<'a> {
    Text(&'a str),
    Note(&'a str),
}

/// The note keys and link destinations a Markdown field cites.
pub fn scan(md: &str, into: &mut Scan) {
    // Notes, links and autolinks all need `[` or `<`; most paragraphs have neither.
    if memchr::memchr2(b'[', b'<', md.as_bytes()).is_none() {
        return;
    }
    // The same parser options as `render`, so that every link rendered was scanned.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in TextMergeStream::new(Parser::new_ext(md, options)) {
        match event {
            Event::Text(t) => {
                for piece in split_notes(&t) {
                    if let Piece::Note(k) = piece {
                        into.notes.push(k.to_string());
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => into.links.push(dest_url.to_string()),
            _ => {}
        }
    }
}

/// What all of `fields` cite, in order.
pub fn scan_all<'a>(fields: impl IntoIterator<Item = &'a str>) -> Scan {
    let mut scan = Scan::default();
    for field in fields {
        self::scan(field, &mut scan);
    }
    scan
}

/// Renders a block of Markdown (paragraphs, lists…) to HTML with markers (see
/// `resolve_markers`).
pub fn block(md: &str, style: Style) -> String {
    let mut out = String::with_capacity(md.len() + md.len() / 4);
    render(md, style, &mut out);
    out
}

/// Renders a one-line field (title, label) to inline HTML, without the paragraph around it.
pub fn inline(md: &str, style: Style) -> String {
    let html = block(md, style);
    let trimmed = html.trim_end();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

fn is_block_boundary(event: &Event) -> bool {
    match event {
        Event::Start(tag) => !matches!(
            tag,
            Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
        ),
        Event::End(tag) => !matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image
        ),
        Event::HardBreak | Event::SoftBreak | Event::Rule => false,
        _ => false,
    }
}

fn render(md: &str, style: Style, out: &mut String) {
    let mut events = Events {
        style,
        typo: French::new(),
        out: Vec::new(),
        in_code: false,
        fiche_links: Vec::new(),
    };
    for event in TextMergeStream::new(Parser::new_ext(md, options(style))) {
        events.push(event);
    }
    events.flush();
    pulldown_cmark::html::push_html(out, events.out.into_iter());
}

/// The events of one field on their way to HTML: text through the typography, note calls and
/// `@slug` links as markers, raw HTML escaped unless allowed, refused URLs dropped.
struct Events<'a> {
    style: Style,
    typo: French,
    out: Vec<Event<'a>>,
    in_code: bool,
    /// For each open link: its `@slug` target, or `None` for an ordinary link.
    fiche_links: Vec<Option<String>>,
}

impl<'a> Events<'a> {
    fn push(&mut self, event: Event<'a>) {
        if is_block_boundary(&event) {
            self.flush();
            self.typo.reset();
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => {
                self.in_code = true;
                self.out.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.out.push(event);
            }
            Event::Text(text) if !self.in_code => self.text(&text),
            Event::SoftBreak if self.style.french => {
                let mut html = String::new();
                self.typo.push_html("\n", &mut html);
                self.out.push(Event::InlineHtml(html.into()));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                self.flush();
                if self.style.allow_html {
                    self.out.push(Event::InlineHtml(h));
                } else {
                    self.out.push(Event::Text(h));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.flush();
                let dest_url = safe_dest(dest_url);
                self.out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Code(_) | Event::HardBreak => {
                self.flush();
                self.out.push(event);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.flush();
                self.link(link_type, dest_url, title, id);
            }
            Event::End(TagEnd::Link) => {
                self.flush();
                match self.fiche_links.pop() {
                    Some(Some(target)) => {
                        let mut html = String::from("</a>");
                        push_marker('R', &target, &mut html);
                        self.out.push(Event::InlineHtml(html.into()));
                    }
                    _ => self.out.push(Event::End(TagEnd::Link)),
                }
            }
            other => self.out.push(other),
        }
    }

    /// Running text: typography, and note calls as markers.
    fn text(&mut self, text: &str) {
        let mut html = String::with_capacity(text.len() + 16);
        for piece in split_notes(text) {
            match piece {
                Piece::Text(t) => push_text(t, self.style, &mut self.typo, &mut html),
                Piece::Note(key) => {
                    if self.style.french {
                        self.typo.finish(&mut html);
                    }
                    push_marker('N', key, &mut html)
                }
            }
        }
        self.out.push(Event::InlineHtml(html.into()));
    }

    /// The start of a link: to another fiche (`@slug`, a marker, since its href and print
    /// label depend on the edition), or to a URL (dropped when its scheme is refused).
    fn link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
    ) {
        if let Some(target) = dest_url.strip_prefix('@') {
            let mut html = String::from("<a href=\"");
            push_marker('H', target, &mut html);
            html.push('"');
            if !title.is_empty() {
                html.push_str(" title=\"");
                html_escape(&title, &mut html);
                html.push('"');
            }
            html.push('>');
            self.out.push(Event::InlineHtml(html.into()));
            self.fiche_links.push(Some(target.to_string()));
            return;
        }
        let dest_url = safe_dest(dest_url);
        self.fiche_links.push(None);
        self.out.push(Event::Start(Tag::Link {
            link_type: if link_type == LinkType::Autolink || link_type == LinkType::Email {
                link_type
            } else {
                LinkType::Inline
            },
            dest_url,
            title,
            id,
        }));
    }

    /// A space held back by the typography is written before anything that is not running
    /// text.
    fn flush(&mut self) {
        if self.style.french {
            let mut tail = String::new();
            self.typo.finish(&mut tail);
            if !tail.is_empty() {
                self.out.push(Event::InlineHtml(tail.into()));
            }
        }
    }
}

/// A link or image destination as written, or nothing when its scheme is refused: `booklet`
/// reports those as errors; this makes sure none is ever written.
fn safe_dest(dest: CowStr<'_>) -> CowStr<'_> {
    if links::refused_scheme(&dest).is_some() {
        CowStr::Borrowed("")
    } else {
        dest
    }
}

fn push_text(text: &str, style: Style, typo: &mut French, out: &mut String) {
    // Both markers start with the byte 0xEE (U+E000–U+EFFF): look for it first.
    if memchr::memchr(0xEE, text.as_bytes()).is_some() && text.contains(is_marker_char) {
        let cleaned = text.replace(is_marker_char, "\u{FFFD}");
        return push_text(&cleaned, style, typo, out);
    }
    if style.french {
        typo.push_html(&crate::text::typo::bind_compound_names(text), out);
    } else {
        html_escape(text, out);
    }
}

fn push_marker(kind: char, key: &str, out: &mut String) {
    out.push(OPEN);
    out.push(kind);
    out.push(':');
    // Keys and slugs are plain words; anything else is escaped like text.
    html_escape(key, out);
    out.push(CLOSE);
}

/// Replaces the markers of a rendered field with one edition's note references, fiche link
/// targets and print labels.
pub fn resolve_markers<'a>(html: &'a str, resolve: &dyn Resolve) -> std::borrow::Cow<'a, str> {
    if !html.contains(OPEN) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            out.push_str(after);
            return std::borrow::Cow::Owned(out);
        };
        let marker = &after[..end];
        rest = &after[end + CLOSE.len_utf8()..];
        let (kind, key) = marker.split_at(marker.len().min(2));
        match kind {
            "N:" => match resolve.note(key) {
                Some(NoteRef {
                    number: n,
                    note_id,
                    ref_id,
                }) => out.push_str(&format!(
                    "<sup class=\"note-ref\"><a href=\"#{note_id}\" id=\"{ref_id}\" \
                     aria-label=\"note {n}\">{n}</a></sup>"
                )),
                None => {
                    out.push_str("[^");
                    out.push_str(key);
                    out.push(']');
                }
            },
            "H:" => {
                let (slug, fragment) = key.split_once('#').unwrap_or((key, ""));
                match resolve.fiche_link(slug) {
                    // Inside one document (print) the fragment alone is the target.
                    Some(FicheLink { href, .. })
                        if !fragment.is_empty() && href.starts_with('#') =>
                    {
                        out.push('#');
                        out.push_str(fragment);
                    }
                    Some(FicheLink { href, .. }) => {
                        html_escape(&href, &mut out);
                        if !fragment.is_empty() {
                            out.push('#');
                            out.push_str(fragment);
                        }
                    }
                    None => out.push('#'),
                }
            }
            "R:" => {
                let slug = key.split('#').next().unwrap_or(key);
                if let Some(FicheLink {
                    print_label: Some(label),
                    ..
                }) = resolve.fiche_link(slug)
                {
                    out.push_str("<span class=\"print-ref\"> (");
                    html_escape(&label, &mut out);
                    out.push_str(")</span>");
                }
            }
            _ => {}
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Escapes text for HTML content and attribute values.
pub fn html_escape(text: &str, out: &mut String) {
    crate::text::html::escape_into(text, out);
}

/// The text of a Markdown field without markup or note references, with typography: for
/// `<title>`, meta descriptions and PDF metadata.
pub fn plain(md: &str, french: bool) -> String {
    let mut text = String::new();
    for event in TextMergeStream::new(Parser::new_ext(md, Options::empty())) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                for piece in split_notes(&t) {
                    if let Piece::Text(s) = piece {
                        text.push_str(s);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Item) => text.push(' '),
            _ => {}
        }
    }
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if french {
        crate::text::typo::french_plain(&collapsed)
    } else {
        collapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R;
    impl Resolve for R {
        fn note(&self, key: &str) -> Option<NoteRef> {
            (key == "a").then(|| NoteRef {
                number: 3,
                note_id: "note-3".into(),
                ref_id: "ref-3".into(),
            })
        }
        fn fiche_link(&self, slug: &str) -> Option<FicheLink> {
            (slug == "riace").then(|| FicheLink {
                href: "riace.html".into(),
                print_label: Some("fiche n°1".into()),
            })
        }
    }

    fn block(md: &str, style: Style, r: &R) -> String {
        resolve_markers(&super::block(md, style), r).into_owned()
    }

    fn inline(md: &str, style: Style, r: &R) -> String {
        resolve_markers(&super::inline(md, style), r).into_owned()
    }

    const FR: Style = Style {
        french: true,
        allow_html: false,
    };
    const EN: Style = Style {
        french: false,
        allow_html: false,
    };

    #[test]
    fn notes_links_and_scan() {
        let md = "Voir [Riace](@riace) et [site](https://x.org)[^a].";
        let mut s = Scan::default();
        scan(md, &mut s);
        assert_eq!(s.notes, ["a"]);
        assert_eq!(s.links, ["@riace", "https://x.org"]);
        let html = block(md, EN, &R);
        assert!(
            html.contains(
                "<a href=\"riace.html\">Riace</a><span class=\"print-ref\"> (fiche n°1)</span>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<sup class=\"note-ref\"><a href=\"#note-3\" id=\"ref-3\""),
            "{html}"
        );
    }

    #[test]
    fn markers_cannot_be_forged_by_content() {
        let html = super::block("a \u{E000}N:a\u{E001} b", EN);
        assert!(!html.contains('\u{E000}'), "{html}");
        assert!(!block("a \u{E000}N:a\u{E001} b", EN, &R).contains("note-ref"));
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        let html = block("a <script>alert(1)</script> b", EN, &R);
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let allowed = Style {
            french: false,
            allow_html: true,
        };
        assert!(block("a <b>x</b>", allowed, &R).contains("<b>x</b>"));
    }

    #[test]
    fn refused_schemes_are_recognised_and_never_rendered() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "  javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
        ] {
            assert!(links::refused_scheme(bad).is_some(), "{bad:?} accepted");
        }
        for good in [
            "https://x.org",
            "HTTP://x.org",
            "mailto:a@b.org",
            "tel:+33",
            "page.html",
            "#note",
            "@riace",
            "a/b:c",
            "?q=a:b",
        ] {
            assert_eq!(links::refused_scheme(good), None, "{good:?} refused");
        }
        // Even when `booklet` is bypassed, no refused URL reaches the HTML.
        for md in [
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "<javascript:alert(1)>",
            "[x](&#106;avascript:alert(1))",
            "![x](data:image/svg+xml,<svg>)",
            "[x][r]\n\n[r]: vbscript:x",
        ] {
            let html = block(md, EN, &R).to_ascii_lowercase();
            for scheme in ["javascript:", "data:", "vbscript:"] {
                assert!(!html.contains(&format!("=\"{scheme}")), "{md:?} → {html}");
            }
            let mut s = Scan::default();
            scan(md, &mut s);
            assert_eq!(s.links.len(), 1, "{md:?} not scanned");
        }
    }

    #[test]
    fn inline_strips_paragraph_and_plain_strips_markup() {
        assert_eq!(inline("Un **titre**", EN, &R), "Un <strong>titre</strong>");
        assert_eq!(plain("Un **titre**[^a]\n\n- deux", false), "Un titre deux");
    }

    #[test]
    fn french_quotes_stay_french() {
        let html = inline("Il dit « bonjour » et \"salut\"", FR, &R);
        assert!(html.contains('«') && html.contains('»'), "{html}");
        assert!(!html.contains('“'), "{html}");
    }

    #[test]
    fn typography_around_code_notes_links_and_breaks() {
        let html = inline("la commande `ls` !", FR, &R);
        assert!(html.contains("commande <code>ls</code>\u{202f}!"), "{html}");
        let html = inline("texte [^a] suite", FR, &R);
        assert!(html.starts_with("texte <sup"), "{html}");
        let html = inline("Italie\n: un", FR, &R);
        assert!(html.contains("Italie\u{202f}: un"), "{html}");
        let html = inline("voir [le site](https://x.org) !", FR, &R);
        assert!(html.contains("voir <a href"), "{html}");
        assert!(html.contains("</a>\u{202f}!"), "{html}");
    }

    #[test]
    fn code_is_left_alone() {
        let html = block("`a : b`\n\n```\nx ! y\n```", FR, &R);
        assert!(html.contains("<code>a : b</code>"), "{html}");
        assert!(html.contains("x ! y"), "{html}");
    }
}

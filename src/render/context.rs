//! The typed contexts the templates read, and their pure builders: from the booklet (and, for the
//! print edition, the measured page numbers) to plain data, no Tera. Every Markdown field of an
//! entry is rendered once (`RenderedEntry`, with markers) and resolved per edition (`refs`).
//!
//! Beside each builder sits the fingerprint of what it reads (`*_key`): `livret serve` renders
//! an output again only when its fingerprint changed, so a builder that starts reading a new
//! input must hash it too, right here.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::booklet::{Booklet, Entry, Item};
use crate::source::fiche::{Doc, Kind};
use crate::text::markdown::{self, Style};

use super::Mode;
use super::refs::{self, unresolved};
pub use super::site::SiteCtx;

/// Page numbers of the print edition, by anchor, as `livret pdf` measured them.
use super::layout::PrintLayout;

/// The `<head>` of one page: title, description, canonical URL.
#[derive(Debug, Clone, Serialize)]
pub struct MetaCtx {
    pub title: String,
    pub description: String,
    pub canonical: Option<String>,
    pub og_type: &'static str,
}

/// One entry (`entry` in the page templates): what every kind has, then its kind's own fields.
#[derive(Debug, Clone, Serialize)]
pub struct EntryCtx {
    pub kind: Kind,
    pub slug: String,
    pub href: String,
    pub number: Option<u32>,
    pub kicker: Option<String>,
    pub title: String,
    pub title_plain: String,
    pub description: String,
    pub part: Option<PartRef>,
    pub notes: Vec<NoteCtx>,
    #[serde(flatten)]
    pub body: BodyCtx,
}

/// The fields of one kind of entry.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum BodyCtx {
    Fiche(Box<FicheCtx>),
    Page(PageCtx),
    Sommaire {},
}

#[derive(Debug, Clone, Serialize)]
pub struct FicheCtx {
    pub example: Option<String>,
    pub tagline: Option<String>,
    pub figures: Vec<FigureCtx>,
    pub summary: Option<String>,
    pub how: Vec<HowCtx>,
    pub extras_summary: Vec<ExtraCtx>,
    pub extras_how: Vec<ExtraCtx>,
    pub extras_outcome: Vec<ExtraCtx>,
    pub outcome: Option<OutcomeCtx>,
    pub takeaways: Option<TakeawaysCtx>,
    pub links: Vec<LinkCtx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageCtx {
    pub lead: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartRef {
    pub slug: String,
    pub title: String,
    pub number: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FigureCtx {
    pub value: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HowCtx {
    pub heading: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExtraCtx {
    pub kind: &'static str,
    pub title: Option<String>,
    pub text: String,
    pub author: Option<String>,
    pub role: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OutcomeCtx {
    pub headline: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TakeawaysCtx {
    pub intro: Option<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkCtx {
    pub label: Option<String>,
    pub url: Option<String>,
    /// The URL as printed: scheme dropped, break opportunities after slashes.
    pub display_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NoteCtx {
    pub number: u32,
    pub id: String,
    pub ref_id: String,
    pub html: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavLink {
    pub href: String,
    pub title: String,
    pub number: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavCtx {
    pub prev: Option<NavLink>,
    pub next: Option<NavLink>,
}

/// The sommaire: groups of entries, each under its part (or none).
#[derive(Debug, Clone, Serialize)]
pub struct TocGroup {
    pub part: Option<TocPart>,
    pub entries: Vec<TocEntry>,
    /// In print, the group starts a new page of the sommaire (`PrintLayout::toc_breaks`).
    pub break_before: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocPart {
    pub slug: String,
    pub title: String,
    pub intro: Option<String>,
    pub href: String,
    pub page: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    pub slug: String,
    pub kind: Kind,
    pub number: Option<u32>,
    pub kicker: Option<String>,
    pub title: String,
    pub example: Option<String>,
    pub tagline: Option<String>,
    pub href: String,
    pub page: Option<u32>,
}

/// One block of the print edition (`item` in print_item.html).
#[derive(Debug, Clone, Serialize)]
pub struct PrintItem {
    /// `part`, or the entry's kind.
    pub kind: &'static str,
    pub part: Option<TocPart>,
    pub entry: Option<EntryCtx>,
    pub is_sommaire: bool,
    /// The sheet's copyfitting step (`data-fit`; 0: none).
    pub fit: i8,
    /// The sheet continues the page of the sheet before it.
    pub run_on: bool,
}

/// `index.html`: the pages before the sommaire, the sommaire, the first page to read.
pub struct IndexCtx {
    pub front: Vec<EntryCtx>,
    pub toc: Vec<TocGroup>,
    pub toc_title: String,
    pub start: Option<NavLink>,
    pub meta: MetaCtx,
}

/// The web page of one entry.
pub struct EntryPageCtx {
    pub meta: MetaCtx,
    pub entry: EntryCtx,
    pub nav: NavCtx,
    pub kind: Kind,
}

/// The edition-independent text of one sommaire line.
struct TocText {
    title: String,
    example: Option<String>,
    tagline: Option<String>,
    kicker: Option<String>,
}

impl TocText {
    fn of(entry: &Entry, style: Style) -> TocText {
        let inline = |md: &str| unresolved(markdown::inline(md, style));
        let line = sommaire_line(&entry.doc);
        TocText {
            title: inline(line.title),
            example: line.example.map(inline),
            tagline: line.tagline.map(inline),
            kicker: line.kicker.map(inline),
        }
    }
}

/// What an entry shows in the sommaire: read by `TocText::of` and hashed by `toc_key`, so the
/// two cannot differ. (Its slug, kind and number belong to the booklet's structure.)
#[derive(Hash)]
struct SommaireLine<'a> {
    listed: bool,
    title: &'a str,
    example: Option<&'a str>,
    tagline: Option<&'a str>,
    kicker: Option<&'a str>,
}

fn sommaire_line(doc: &Doc) -> SommaireLine<'_> {
    let (example, tagline, kicker) = match doc {
        Doc::Fiche(f) => (f.example.as_deref(), f.tagline.as_deref(), None),
        Doc::Page(p) => (None, None, p.kicker.as_deref()),
        Doc::Sommaire(_) => (None, None, None),
    };
    SommaireLine {
        listed: match doc {
            Doc::Fiche(_) => true,
            Doc::Page(p) => p.toc,
            Doc::Sommaire(_) => false,
        },
        title: doc.title(),
        example,
        tagline,
        kicker,
    }
}

/// The Markdown fields of one entry, rendered once with markers, shared by its web page and its
/// print block (they differ only in how the markers are resolved).
pub struct RenderedEntry {
    pub(super) title: String,
    pub(super) kicker: Option<String>,
    pub(super) body: BodyCtx,
    /// The entry's notes, in their order.
    pub(super) notes: Vec<String>,
    /// The web page's meta description ("" when the entry has none of its own).
    pub(super) description: String,
}

/// Builds every context from one booklet.
pub struct Contexts<'a> {
    pub booklet: &'a Booklet,
    pub style: Style,
    pub site: SiteCtx,
    /// The booklet's title with its subtitle, as plain text: the `<title>` of the index.
    pub(super) site_title: String,
    /// What `livret pdf` settled for the print edition (none in a plain build).
    pub(super) layout: Option<&'a PrintLayout>,
    pub(super) slugs: HashMap<&'a str, usize>,
    /// Each entry's title as plain text (for `<title>` and previous/next links).
    pub(super) titles_plain: Vec<String>,
    /// Each entry's sommaire line as HTML, the same in every edition: rendered once, in
    /// parallel (the sommaire appears on the index and in print, and can list thousands).
    toc_texts: Vec<TocText>,
}

impl<'a> Contexts<'a> {
    pub fn new(
        booklet: &'a Booklet,
        labels: &BTreeMap<String, String>,
        has_pdf: bool,
        layout: Option<&'a PrintLayout>,
    ) -> Contexts<'a> {
        let config = &booklet.config;
        let style = Style {
            french: config.is_french(),
            allow_html: config.allow_html,
        };
        let site = super::site::site(booklet, labels, style, has_pdf);
        let site_title = match &config.subtitle {
            Some(sub) => format!(
                "{} — {}",
                site.title_plain,
                markdown::plain(sub, style.french)
            ),
            None => site.title_plain.clone(),
        };
        Contexts {
            booklet,
            style,
            site,
            site_title,
            layout,
            slugs: booklet
                .entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.slug.as_str(), i))
                .collect(),
            titles_plain: booklet
                .entries
                .par_iter()
                .map(|e| markdown::plain(e.doc.title(), style.french))
                .collect(),
            toc_texts: booklet
                .entries
                .par_iter()
                .map(|e| TocText::of(e, style))
                .collect(),
        }
    }

    pub(super) fn label<'k>(&'k self, key: &'k str) -> &'k str {
        self.site.labels.get(key).map_or(key, String::as_str)
    }

    /// The sommaire for one edition.
    pub fn toc(&self, mode: Mode) -> Vec<TocGroup> {
        let mut groups: Vec<TocGroup> = Vec::new();
        for item in &self.booklet.order {
            match *item {
                Item::Part(p) => groups.push(TocGroup {
                    part: Some(self.toc_part(p, mode)),
                    entries: Vec::new(),
                    break_before: mode == Mode::Print
                        && self
                            .layout
                            .is_some_and(|l| l.toc_breaks.contains(&self.booklet.parts[p].slug)),
                }),
                Item::Entry(i) => {
                    let entry = &self.booklet.entries[i];
                    if !entry.in_toc() {
                        continue;
                    }
                    let toc_entry = self.toc_entry(i, mode);
                    match (entry.part, groups.last_mut()) {
                        (Some(_), Some(group)) if group.part.is_some() => {
                            group.entries.push(toc_entry)
                        }
                        (None, Some(group)) if group.part.is_none() => {
                            group.entries.push(toc_entry)
                        }
                        _ => groups.push(TocGroup {
                            part: None,
                            entries: vec![toc_entry],
                            break_before: false,
                        }),
                    }
                }
            }
        }
        groups
    }

    pub fn toc_part(&self, p: usize, mode: Mode) -> TocPart {
        let part = &self.booklet.parts[p];
        TocPart {
            slug: part.slug.clone(),
            title: unresolved(markdown::inline(&part.part.title, self.style)),
            intro: part
                .part
                .intro
                .as_deref()
                .map(|i| unresolved(markdown::block(i, self.style))),
            href: match mode {
                Mode::Print => format!("#{}", part.slug),
                Mode::Web => part
                    .entries
                    .first()
                    .map(|&i| self.booklet.entries[i].file_name())
                    .unwrap_or_else(|| "index.html".into()),
            },
            page: self.page_of(&part.slug, mode),
        }
    }

    fn toc_entry(&self, index: usize, mode: Mode) -> TocEntry {
        let entry = &self.booklet.entries[index];
        let text = &self.toc_texts[index];
        TocEntry {
            slug: entry.slug.clone(),
            kind: entry.doc.kind(),
            number: entry.number,
            kicker: text.kicker.clone(),
            title: text.title.clone(),
            example: text.example.clone(),
            tagline: text.tagline.clone(),
            href: refs::entry_href(entry, mode),
            page: self.page_of(&entry.slug, mode),
        }
    }

    fn page_of(&self, anchor: &str, mode: Mode) -> Option<u32> {
        match mode {
            Mode::Print => self.layout.and_then(|l| l.numbers.get(anchor).copied()),
            Mode::Web => None,
        }
    }

    fn nav_link(&self, index: Option<usize>) -> Option<NavLink> {
        let index = index?;
        let entry = &self.booklet.entries[index];
        Some(NavLink {
            href: entry.file_name(),
            title: self.titles_plain[index].clone(),
            number: entry.number,
        })
    }

    /// Head metadata: the booklet's own for the index, the page's for the others.
    pub fn meta(&self, title: Option<&str>, description: Option<&str>, file: &str) -> MetaCtx {
        MetaCtx {
            title: match title {
                Some(t) => format!("{t} — {}", self.site.title_plain),
                None => self.site_title.clone(),
            },
            description: description.unwrap_or(&self.site.description).to_string(),
            canonical: self.site.base_url.as_ref().map(|b| format!("{b}{file}")),
            og_type: if title.is_some() {
                "article"
            } else {
                "website"
            },
        }
    }

    /// `404.html`'s head: its own title, no canonical link (it stands for no address).
    pub fn not_found_meta(&self) -> MetaCtx {
        let mut meta = self.meta(Some(self.label("not_found_title")), None, "");
        meta.description = self.label("not_found_text").to_string();
        meta.canonical = None;
        meta.og_type = "website";
        meta
    }

    /// The entries `index.html` shows in full: those before the sommaire, outside parts.
    fn front(&self) -> impl Iterator<Item = usize> + '_ {
        let entries = &self.booklet.entries;
        (0..self.booklet.sommaire.unwrap_or(0)).filter(|&i| entries[i].part.is_none())
    }

    /// `index.html`: cover, the pages before the sommaire, the sommaire.
    pub fn index(&self) -> IndexCtx {
        // The front pages follow one another on one page: their notes are numbered on.
        let mut notes_before = 0u32;
        let front = self
            .front()
            .map(|i| {
                let ctx = self.entry_after(i, Mode::Web, &self.rendered(i), notes_before);
                notes_before += self.booklet.entries[i].notes.len() as u32;
                ctx
            })
            .collect();
        let first = self
            .booklet
            .entries
            .iter()
            .enumerate()
            .skip(self.booklet.sommaire.unwrap_or(0))
            .find(|(_, e)| e.has_page())
            .map(|(i, _)| i);
        IndexCtx {
            front,
            toc: self.toc(Mode::Web),
            toc_title: self
                .booklet
                .sommaire
                .map(|i| self.booklet.entries[i].doc.title().to_string())
                .unwrap_or_else(|| self.label("sommaire").to_string()),
            start: self.nav_link(first),
            meta: self.meta(None, None, ""),
        }
    }

    /// The web page of one entry.
    pub fn entry_page(&self, index: usize, rendered: &RenderedEntry) -> EntryPageCtx {
        let entry = &self.booklet.entries[index];
        let ctx = self.entry(index, Mode::Web, rendered);
        EntryPageCtx {
            meta: self.meta(
                Some(&ctx.title_plain),
                Some(&ctx.description),
                &entry.file_name(),
            ),
            kind: ctx.kind,
            entry: ctx,
            nav: NavCtx {
                prev: self.nav_link(entry.prev),
                next: self.nav_link(entry.next),
            },
        }
    }

    /// The plain title of an entry.
    pub fn title_plain(&self, index: usize) -> &str {
        &self.titles_plain[index]
    }

    /// The pages after the last part (Pour aller plus loin, Contact), in or out of the
    /// sommaire: the footer's links.
    pub fn back_pages(&self) -> Vec<NavLink> {
        let entries = &self.booklet.entries;
        let Some(last) = entries.iter().rposition(|e| e.part.is_some()) else {
            return Vec::new();
        };
        (last + 1..entries.len())
            .filter(|&i| entries[i].has_page() && entries[i].part.is_none())
            .filter_map(|i| self.nav_link(Some(i)))
            .collect()
    }

    /// One block of the print edition (a part divider, an entry, the sommaire).
    pub fn print_item(&self, item: Item, rendered: Option<&RenderedEntry>) -> PrintItem {
        match (item, rendered) {
            (Item::Entry(i), Some(rendered)) => {
                let entry = self.entry(i, Mode::Print, rendered);
                let slug = &self.booklet.entries[i].slug;
                PrintItem {
                    kind: entry.kind.name(),
                    is_sommaire: entry.kind == Kind::Sommaire,
                    part: None,
                    entry: Some(entry),
                    fit: self.layout.map_or(0, |l| l.fit(slug)),
                    run_on: self.layout.is_some_and(|l| l.runs_on(slug)),
                }
            }
            (Item::Entry(i), None) => self.print_item(item, Some(&self.rendered(i))),
            (Item::Part(p), _) => PrintItem {
                kind: "part",
                part: Some(self.toc_part(p, Mode::Print)),
                entry: None,
                is_sommaire: false,
                fit: 0,
                run_on: false,
            },
        }
    }

    /// The web pages `sitemap.xml` and `404.html` list.
    pub fn page_files(&self) -> Vec<String> {
        self.booklet
            .entries
            .iter()
            .filter(|e| e.has_page())
            .map(|e| e.file_name())
            .collect()
    }
}

// Fingerprints: what each builder above reads, hashed. `content` gives the hash of a source
// file's text (an entry's document or a part's `_part.toml`); the site context, numbers, slugs
// and kinds belong to the structure key (`plan::Fingerprints::global`).

/// `entry_page`: its entry, its part's title, its neighbours' titles.
pub fn page_key(booklet: &Booklet, index: usize, content: &dyn Fn(&Path) -> u64) -> u64 {
    let entries = &booklet.entries;
    let e = &entries[index];
    let title = |i: Option<usize>| i.map(|i| entries[i].doc.title());
    let part = e.part.map(|p| content(&booklet.parts[p].path));
    hash(&(content(&e.path), part, title(e.prev), title(e.next)))
}

/// `print_item`: its entry, its part's title, its notes' numbers (after all the notes before
/// it), and for the sommaire's block the sommaire (`toc`, from `toc_key`).
pub fn block_key(booklet: &Booklet, item: Item, toc: u64, content: &dyn Fn(&Path) -> u64) -> u64 {
    match item {
        Item::Part(p) => hash(&(0u8, content(&booklet.parts[p].path))),
        Item::Entry(i) => {
            let e = &booklet.entries[i];
            let sommaire = (e.doc.kind() == Kind::Sommaire).then_some(toc);
            let part = e.part.map(|p| content(&booklet.parts[p].path));
            let notes_before = (!e.notes.is_empty()).then_some(e.notes_before);
            hash(&(1u8, content(&e.path), part, notes_before, sommaire))
        }
    }
}

/// `toc` (and the print frame, which holds it): every part's text and every sommaire line.
pub fn toc_key(booklet: &Booklet, content: &dyn Fn(&Path) -> u64) -> u64 {
    let mut toc = DefaultHasher::new();
    for item in &booklet.order {
        match *item {
            Item::Part(p) => content(&booklet.parts[p].path).hash(&mut toc),
            Item::Entry(i) => sommaire_line(&booklet.entries[i].doc).hash(&mut toc),
        }
    }
    toc.finish()
}

/// `index`: the sommaire and, in full, the pages before it.
pub fn index_key(contexts_toc: u64, booklet: &Booklet, content: &dyn Fn(&Path) -> u64) -> u64 {
    let entries = &booklet.entries;
    let front: Vec<u64> = (0..booklet.sommaire.unwrap_or(0))
        .filter(|&i| entries[i].part.is_none())
        .map(|i| content(&entries[i].path))
        .collect();
    hash(&(contexts_toc, front))
}

pub fn hash(value: &impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// The sommaire beside the text (rendered once) as shown on the page `current`: the link to it
/// marked `aria-current="page"`, its part's `<details>` (`id="nav-<part>"`) open.
pub fn mark_current(sidebar: &str, current: &str, part: Option<&str>) -> String {
    let link = format!("class=\"nav-link\" href=\"{current}\"");
    let mut html = sidebar.replacen(
        &link,
        &format!("class=\"nav-link\" aria-current=\"page\" href=\"{current}\""),
        1,
    );
    if let Some(part) = part {
        let closed = format!("<details id=\"{part}-nav\">");
        html = html.replacen(&closed, &format!("<details id=\"{part}-nav\" open>"), 1);
    }
    html
}

/// The sommaire with the entries of one part only (`keep`, a part's slug; `None`: of none),
/// the other parts reduced to their titles; the entries outside parts stay.
pub fn toc_of_part(toc: &[TocGroup], keep: Option<&str>) -> Vec<TocGroup> {
    toc.iter()
        .map(|g| match &g.part {
            Some(part) if Some(part.slug.as_str()) != keep => TocGroup {
                part: Some(part.clone()),
                entries: Vec::new(),
                break_before: false,
            },
            _ => g.clone(),
        })
        .collect()
}

//! Rendering: typed `Serialize` contexts for each page kind (index, fiche, page, print edition)
//! built from the `Booklet`, and the Tera calls that turn them into HTML. The only module that
//! knows Tera. Every Markdown field is rendered twice: for the web (per-page note numbers,
//! `slug.html` links) and for print (booklet-wide note numbers, `#slug` anchors).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::booklet::{Booklet, Entry, Item};
use crate::error::{Diagnostic, Error, Result};
use crate::fiche::{Doc, Place};
use crate::markdown::{self, Resolve, Style};
use crate::theme::{self, Theme};

/// Which edition a context is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Web,
    Print,
}

/// Everything the renderer needs besides the booklet.
pub struct Renderer<'a> {
    pub booklet: &'a Booklet,
    pub theme: &'a Theme,
    pub style: Style,
    pub site: SiteCtx,
    /// `site` as a template value, made once: every page's context shares it (a cheap clone).
    site_value: tera::Value,
    /// The booklet's title with its subtitle, as plain text: the `<title>` of the index.
    site_title: String,
    /// Page numbers of the print edition, by anchor, once `livret pdf` has measured them.
    pub page_numbers: Option<&'a BTreeMap<String, u32>>,
    slugs: HashMap<&'a str, usize>,
    /// Each entry's title as plain text (for `<title>` and previous/next links).
    titles_plain: Vec<String>,
    /// Each entry's sommaire line as HTML, the same in every edition: rendered once, in
    /// parallel (the sommaire appears on the index and in print, and can list thousands).
    toc_texts: Vec<TocText>,
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
        let (example, tagline, kicker) = match &entry.doc {
            Doc::Fiche(f) => (
                f.example.as_deref().map(inline),
                f.tagline.as_deref().map(inline),
                None,
            ),
            Doc::Page(p) => (None, None, p.kicker.as_deref().map(inline)),
            Doc::Sommaire(_) => (None, None, None),
        };
        TocText {
            title: inline(entry.doc.title()),
            example,
            tagline,
            kicker,
        }
    }
}

/// The `<head>` of one page: title, description, canonical URL.
#[derive(Debug, Clone, Serialize)]
pub struct MetaCtx {
    pub title: String,
    pub description: String,
    pub canonical: Option<String>,
    pub og_type: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub title_plain: String,
    /// The plain title escaped for a CSS string (running headers).
    pub title_css: String,
    pub subtitle: Option<String>,
    pub strapline: Option<String>,
    pub publisher: Option<String>,
    pub publisher_short: Option<String>,
    pub publisher_plain: String,
    pub description: String,
    pub edition: Option<String>,
    pub website: Option<String>,
    pub website_label: Option<String>,
    pub lang: String,
    /// `lang` as an Open Graph locale (`fr` → `fr_FR`), when it names or implies a territory.
    pub og_locale: Option<String>,
    pub page_size: &'static str,
    pub page_width_mm: f64,
    pub page_height_mm: f64,
    pub base_url: Option<String>,
    pub cover_lead: Option<String>,
    pub colophon: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub has_pdf: bool,
    pub fiche_count: usize,
    pub generator: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryCtx {
    pub kind: &'static str,
    pub slug: String,
    pub href: String,
    pub number: Option<u32>,
    pub kicker: Option<String>,
    pub title: String,
    pub title_plain: String,
    pub description: String,
    pub example: Option<String>,
    pub tagline: Option<String>,
    pub part: Option<PartRef>,
    pub figures: Vec<FigureCtx>,
    pub summary: Option<String>,
    pub how: Vec<HowCtx>,
    pub extras_summary: Vec<ExtraCtx>,
    pub extras_how: Vec<ExtraCtx>,
    pub extras_outcome: Vec<ExtraCtx>,
    pub outcome: Option<OutcomeCtx>,
    pub takeaways: Option<TakeawaysCtx>,
    pub links: Vec<LinkCtx>,
    pub notes: Vec<NoteCtx>,
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
    pub kind: &'static str,
    pub number: Option<u32>,
    pub kicker: Option<String>,
    pub title: String,
    pub example: Option<String>,
    pub tagline: Option<String>,
    pub href: String,
    pub page: Option<u32>,
}

/// One block of the print edition.
#[derive(Debug, Clone, Serialize)]
pub struct PrintItem {
    pub kind: &'static str,
    pub part: Option<TocPart>,
    pub entry: Option<EntryCtx>,
    pub is_sommaire: bool,
}

/// Resolves notes and fiche links for one entry in one mode.
struct Refs<'a> {
    renderer: &'a Renderer<'a>,
    entry: &'a Entry,
    mode: Mode,
    /// Notes numbered before this entry on the same web page (the index shows several pages).
    web_offset: u32,
    cited: RefCell<HashMap<String, u32>>,
}

impl Refs<'_> {
    fn number(&self, local: usize) -> u32 {
        match self.mode {
            Mode::Web => self.web_offset + local as u32 + 1,
            Mode::Print => self.entry.notes_before + local as u32 + 1,
        }
    }
}

impl Resolve for Refs<'_> {
    fn note(&self, key: &str) -> Option<(u32, String, String)> {
        let local = self.entry.notes.iter().position(|(k, _)| k == key)?;
        let n = self.number(local);
        let mut cited = self.cited.borrow_mut();
        let count = cited.entry(key.to_string()).or_insert(0);
        *count += 1;
        Some((n, crate::ids::note_id(n), crate::ids::ref_id(n, *count)))
    }

    fn fiche_link(&self, slug: &str) -> Option<(String, Option<String>)> {
        let target = &self.renderer.booklet.entries[*self.renderer.slugs.get(slug)?];
        let href = self.renderer.entry_href(target, self.mode);
        let label = match (self.mode, target.number) {
            (Mode::Print, Some(n)) => Some(format!("{} {}", self.renderer.label("fiche_ref"), n)),
            _ => None,
        };
        Some((href, label))
    }
}

impl<'a> Renderer<'a> {
    pub fn new(booklet: &'a Booklet, theme: &'a Theme, has_pdf: bool) -> Renderer<'a> {
        let config = &booklet.config;
        let style = Style {
            french: config.is_french(),
            allow_html: config.allow_html,
        };
        let inline = |md: &str| unresolved(markdown::inline(md, style));
        let block = |md: &str| unresolved(markdown::block(md, style));
        let description = config
            .description
            .as_deref()
            .map(|d| markdown::plain(d, style.french))
            .unwrap_or_else(|| {
                let mut parts = vec![markdown::plain(&config.title, style.french)];
                parts.extend(
                    config
                        .subtitle
                        .as_deref()
                        .map(|s| markdown::plain(s, style.french)),
                );
                parts.extend(
                    config
                        .strapline
                        .as_deref()
                        .map(|s| markdown::plain(s, style.french)),
                );
                parts.join(" — ")
            });
        let (w, h) = config.page_size.mm();
        let site = SiteCtx {
            title: inline(&config.title),
            title_plain: markdown::plain(&config.title, style.french),
            title_css: css_string(&markdown::plain(&config.title, style.french)),
            subtitle: config.subtitle.as_deref().map(inline),
            strapline: config.strapline.as_deref().map(inline),
            publisher: config.publisher.as_deref().map(inline),
            publisher_short: config.publisher_short.clone(),
            publisher_plain: config
                .publisher
                .as_deref()
                .map(|p| markdown::plain(p, style.french))
                .unwrap_or_default(),
            description,
            edition: config.edition.as_deref().map(inline),
            website: config.website.clone(),
            website_label: config.website.as_deref().map(|w| {
                w.trim_start_matches("https://")
                    .trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_string()
            }),
            lang: config.lang.clone(),
            og_locale: og_locale(&config.lang),
            page_size: config.page_size.css(),
            page_width_mm: w,
            page_height_mm: h,
            base_url: config.base_url(),
            cover_lead: config.cover.lead.as_deref().map(block),
            colophon: config.colophon.body.as_deref().map(block),
            labels: theme
                .labels
                .iter()
                .map(|(k, v)| {
                    let v = if style.french {
                        crate::typo::french_plain(v)
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
            has_pdf,
            fiche_count: booklet
                .entries
                .iter()
                .filter(|e| e.number.is_some())
                .count(),
            generator: concat!("livret ", env!("CARGO_PKG_VERSION")),
        };
        let slugs = booklet
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.slug.as_str(), i))
            .collect();
        let titles_plain = booklet
            .entries
            .par_iter()
            .map(|e| markdown::plain(e.doc.title(), style.french))
            .collect();
        let toc_texts = booklet
            .entries
            .par_iter()
            .map(|e| TocText::of(e, style))
            .collect();
        let site_title = match &config.subtitle {
            Some(sub) => format!(
                "{} — {}",
                site.title_plain,
                markdown::plain(sub, style.french)
            ),
            None => site.title_plain.clone(),
        };
        Renderer {
            booklet,
            theme,
            style,
            site_value: tera::Value::from_serializable(&site),
            site,
            site_title,
            page_numbers: None,
            slugs,
            titles_plain,
            toc_texts,
        }
    }

    fn label<'k>(&'k self, key: &'k str) -> &'k str {
        self.site.labels.get(key).map_or(key, String::as_str)
    }

    /// Where an entry is, from a web page or inside the print edition.
    pub fn entry_href(&self, entry: &Entry, mode: Mode) -> String {
        match (mode, &entry.doc) {
            (Mode::Print, _) => format!("#{}", entry.slug),
            (Mode::Web, Doc::Sommaire(_)) => "index.html#sommaire".into(),
            (Mode::Web, _) => entry.file_name(),
        }
    }

    /// The context of one entry for one edition.
    pub fn entry(&self, index: usize, mode: Mode, fields: &Fields) -> EntryCtx {
        self.entry_after(index, mode, fields, 0)
    }

    /// `entry`, on a web page where `web_offset` notes come before it: the index page shows
    /// the front pages one after the other, and their note ids must not repeat.
    fn entry_after(&self, index: usize, mode: Mode, fields: &Fields, web_offset: u32) -> EntryCtx {
        let entry = &self.booklet.entries[index];
        let refs = Refs {
            renderer: self,
            entry,
            mode,
            web_offset,
            cited: RefCell::new(HashMap::new()),
        };
        let style = self.style;
        let inline = |md: &str| resolved(fields.get(md, true, style), &refs);
        let block = |md: &str| resolved(fields.get(md, false, style), &refs);
        let part = entry.part.map(|p| PartRef {
            slug: self.booklet.parts[p].slug.clone(),
            title: unresolved(markdown::inline(&self.booklet.parts[p].part.title, style)),
            number: p + 1,
        });
        let mut ctx = EntryCtx {
            kind: "page",
            slug: entry.slug.clone(),
            href: self.entry_href(entry, mode),
            number: entry.number,
            kicker: None,
            title: inline(entry.doc.title()),
            title_plain: self.titles_plain[index].clone(),
            description: String::new(),
            example: None,
            tagline: None,
            part,
            figures: Vec::new(),
            summary: None,
            how: Vec::new(),
            extras_summary: Vec::new(),
            extras_how: Vec::new(),
            extras_outcome: Vec::new(),
            outcome: None,
            takeaways: None,
            links: Vec::new(),
            notes: Vec::new(),
            lead: None,
            body: None,
        };
        match &entry.doc {
            Doc::Fiche(f) => {
                ctx.kind = "fiche";
                ctx.kicker = entry.number.map(|n| {
                    // HTML (templates print it as is): the labels are plain text to escape.
                    let text = format!("{} {}", self.label("fiche"), self.label("number"))
                        + &format!("\u{a0}{n}");
                    let mut html = String::with_capacity(text.len());
                    markdown::html_escape(&text, &mut html);
                    html
                });
                ctx.example = f.example.as_deref().map(inline);
                ctx.tagline = f.tagline.as_deref().map(inline);
                ctx.figures = f
                    .figures
                    .iter()
                    .map(|fig| FigureCtx {
                        value: fig.value.as_deref().map(inline),
                        label: inline(&fig.label),
                    })
                    .collect();
                ctx.summary = f.summary.as_deref().map(block);
                let extras = |place: Place| {
                    let mut out: Vec<ExtraCtx> = f
                        .quotes
                        .iter()
                        .filter(|q| q.at == place)
                        .map(|q| ExtraCtx {
                            kind: "quote",
                            title: None,
                            text: block(&q.text),
                            author: q.author.as_deref().map(inline),
                            role: q.role.as_deref().map(inline),
                        })
                        .collect();
                    out.extend(f.asides.iter().filter(|a| a.at == place).map(|a| ExtraCtx {
                        kind: "aside",
                        title: a.title.as_deref().map(inline),
                        text: block(&a.body),
                        author: None,
                        role: None,
                    }));
                    out
                };
                ctx.extras_summary = extras(Place::Summary);
                ctx.how = f
                    .how
                    .iter()
                    .map(|h| HowCtx {
                        heading: h.heading.as_deref().map(inline),
                        body: block(&h.body),
                    })
                    .collect();
                ctx.extras_how = extras(Place::How);
                ctx.outcome = f.outcome.as_ref().map(|o| OutcomeCtx {
                    headline: o.headline.as_deref().map(inline),
                    body: o.body.as_deref().map(block),
                });
                ctx.extras_outcome = extras(Place::Outcome);
                ctx.takeaways = f.takeaways.as_ref().map(|t| TakeawaysCtx {
                    intro: t.intro.as_deref().map(block),
                    items: t.items.iter().map(|i| inline(i)).collect(),
                });
                ctx.links = f
                    .links
                    .iter()
                    .map(|l| {
                        // `booklet` refuses these; never write one even so.
                        let url = l
                            .url
                            .as_deref()
                            .filter(|u| markdown::refused_scheme(u).is_none());
                        LinkCtx {
                            label: l.label.as_deref().map(inline),
                            url: url.map(str::to_string),
                            display_url: url.map(display_url),
                        }
                    })
                    .collect();
                if mode == Mode::Web {
                    ctx.description = f
                        .summary
                        .as_deref()
                        .map(|s| description(s, style.french))
                        .unwrap_or_default();
                }
            }
            Doc::Page(p) => {
                ctx.kicker = p.kicker.as_deref().map(inline);
                ctx.lead = p.lead.as_deref().map(block);
                ctx.body = p.body.as_deref().map(block);
                ctx.description = if mode == Mode::Print {
                    String::new()
                } else {
                    p.lead
                        .as_deref()
                        .or(p.body.as_deref())
                        .map(|s| description(s, style.french))
                        .unwrap_or_default()
                };
            }
            Doc::Sommaire(_) => ctx.kind = "sommaire",
        }
        if ctx.description.is_empty() {
            ctx.description = ctx.title_plain.clone();
        }
        // Notes last: their text may cite links, and numbering is already fixed.
        ctx.notes = entry
            .notes
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                let n = refs.number(i);
                NoteCtx {
                    number: n,
                    id: crate::ids::note_id(n),
                    ref_id: crate::ids::ref_id(n, 1),
                    html: inline(text),
                }
            })
            .collect();
        ctx
    }

    /// The sommaire for one edition.
    pub fn toc(&self, mode: Mode) -> Vec<TocGroup> {
        let mut groups: Vec<TocGroup> = Vec::new();
        for item in &self.booklet.order {
            match *item {
                Item::Part(p) => groups.push(TocGroup {
                    part: Some(self.toc_part(p, mode)),
                    entries: Vec::new(),
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
                        }),
                    }
                }
            }
        }
        groups
    }

    fn toc_part(&self, p: usize, mode: Mode) -> TocPart {
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
            kind: match entry.doc {
                Doc::Fiche(_) => "fiche",
                Doc::Page(_) => "page",
                Doc::Sommaire(_) => "sommaire",
            },
            number: entry.number,
            kicker: text.kicker.clone(),
            title: text.title.clone(),
            example: text.example.clone(),
            tagline: text.tagline.clone(),
            href: self.entry_href(entry, mode),
            page: self.page_of(&entry.slug, mode),
        }
    }

    fn page_of(&self, anchor: &str, mode: Mode) -> Option<u32> {
        match mode {
            Mode::Print => self.page_numbers.and_then(|p| p.get(anchor).copied()),
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

    fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        let bytes = self.render_bytes(template, ctx)?;
        String::from_utf8(bytes).map_err(|e| Error::Other(format!("{template}: {e}")))
    }

    /// A page as bytes, ready for its file: no second pass over it to check its UTF-8.
    fn render_bytes(&self, template: &str, ctx: &tera::Context) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(32 * 1024);
        self.theme
            .tera
            .render_to(template, ctx, &mut out)
            .map_err(|e| {
                // The template at fault may be a partial the page includes.
                let (name, at) = theme::error_location(&e).unwrap_or((template.to_string(), None));
                let dir = std::path::Path::new(theme::THEMES_DIR).join(&self.theme.name);
                let path = match name.strip_prefix("css/") {
                    Some(_) => dir.join(&name),
                    None => dir.join("templates").join(&name),
                };
                let mut d = Diagnostic::file(
                    &path,
                    format!("template error: {}", theme::error_message(&e)),
                );
                if let Some((line, col)) = at {
                    (d.line, d.col) = (line, col);
                }
                Error::Content(vec![d.with_help(
                    "fix the template; the variables available are listed in README.md",
                )])
            })?;
        Ok(out)
    }

    fn base_context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert("meta", &self.meta(None, None, ""));
        ctx.insert("page_kind", "page");
        // Prefix of the site's own links: empty (relative links) everywhere but on the 404 page.
        ctx.insert("root", "");
        ctx
    }

    /// What `404.html` adds to the site context. A static host serves that page in place of any
    /// missing URL, at any depth, so with `base_url` its links are absolute; without it they stay
    /// relative and work for missing pages at the top of the site. Its own title, no canonical
    /// link (it stands for no address), and `not-found` as the page kind.
    pub fn not_found(&self, ctx: &mut tera::Context) {
        ctx.insert("root", self.site.base_url.as_deref().unwrap_or(""));
        ctx.insert("page_kind", "not-found");
        let mut meta = self.meta(Some(self.label("not_found_title")), None, "");
        meta.description = self.label("not_found_text").to_string();
        meta.canonical = None;
        meta.og_type = "website";
        ctx.insert("meta", &meta);
    }

    /// Head metadata: the booklet's own for the index, the page's for the others.
    fn meta(&self, title: Option<&str>, description: Option<&str>, file: &str) -> MetaCtx {
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

    /// `index.html`: cover, the pages before the sommaire, the sommaire.
    pub fn index(&self) -> Result<Vec<u8>> {
        let front_end = self.booklet.sommaire.unwrap_or(0);
        let mut notes_before = 0u32;
        let front: Vec<EntryCtx> = (0..front_end)
            .filter(|&i| self.booklet.entries[i].part.is_none())
            .map(|i| {
                let ctx = self.entry_after(i, Mode::Web, &Fields::default(), notes_before);
                notes_before += self.booklet.entries[i].notes.len() as u32;
                ctx
            })
            .collect();
        let first = self
            .booklet
            .entries
            .iter()
            .enumerate()
            .skip(front_end)
            .find(|(_, e)| e.has_page())
            .map(|(i, _)| i);
        let mut ctx = self.base_context();
        ctx.insert("front", &front);
        ctx.insert("toc", &self.toc(Mode::Web));
        ctx.insert(
            "toc_title",
            &self
                .booklet
                .sommaire
                .map(|i| self.booklet.entries[i].doc.title().to_string())
                .unwrap_or_else(|| self.label("sommaire").to_string()),
        );
        ctx.insert("start", &self.nav_link(first));
        ctx.insert("page_kind", "index");
        ctx.insert("meta", &self.meta(None, None, ""));
        self.render_bytes("index.html", &ctx)
    }

    /// The web page of one entry.
    pub fn entry_page(&self, index: usize, fields: &Fields) -> Result<Vec<u8>> {
        let entry = &self.booklet.entries[index];
        let mut ctx = self.base_context();
        let entry_ctx = self.entry(index, Mode::Web, fields);
        ctx.insert(
            "meta",
            &self.meta(
                Some(&entry_ctx.title_plain),
                Some(&entry_ctx.description),
                &entry.file_name(),
            ),
        );
        ctx.insert("entry", &entry_ctx);
        ctx.insert(
            "nav",
            &NavCtx {
                prev: self.nav_link(entry.prev),
                next: self.nav_link(entry.next),
            },
        );
        ctx.insert("page_kind", &entry_kind(entry));
        let template = match entry.doc {
            Doc::Fiche(_) => "fiche.html",
            _ => "page.html",
        };
        self.render_bytes(template, &ctx)
    }

    /// A template rendered with the site context plus what `fill` adds (404 page, sitemap…).
    pub fn with_site(
        &self,
        template: &str,
        fill: impl FnOnce(&mut tera::Context),
    ) -> Result<String> {
        let mut ctx = self.base_context();
        fill(&mut ctx);
        self.render(template, &ctx)
    }

    /// The print edition's frame, split around the place where the items go, so the items can
    /// be streamed (thousands of fiches never sit in memory at once).
    pub fn print_frame(&self) -> Result<(String, String)> {
        let mut ctx = self.base_context();
        ctx.insert("toc", &self.toc(Mode::Print));
        ctx.insert("page_kind", "print");
        ctx.insert("meta", &self.meta(None, None, "print.html"));
        // The marker must occur once: the book's own text (its title, its colophon) could
        // hold any given marker, so another one is tried until it is unique.
        for attempt in 0..16 {
            let slot = format!("\u{1}livret-print-items-{attempt}\u{1}");
            ctx.insert("items_html", &slot);
            let html = self.render("print.html", &ctx)?;
            let mut parts = html.split(&slot);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(head), Some(tail), None) => return Ok((head.to_string(), tail.to_string())),
                (_, None, _) => break,
                _ => continue,
            }
        }
        Err(Error::Content(vec![Diagnostic::file(
            &std::path::Path::new(theme::THEMES_DIR)
                .join(&self.theme.name)
                .join("templates/print.html"),
            "print.html must output {{ items_html | safe }} exactly once",
        )]))
    }

    /// One block of the print edition (a part divider, an entry, the sommaire).
    pub fn print_item(&self, item: Item, fields: &Fields) -> Result<Vec<u8>> {
        let mut ctx = self.base_context();
        let print_item = match item {
            Item::Part(p) => PrintItem {
                kind: "part",
                part: Some(self.toc_part(p, Mode::Print)),
                entry: None,
                is_sommaire: false,
            },
            Item::Entry(i) => {
                let entry = self.entry(i, Mode::Print, fields);
                PrintItem {
                    kind: entry.kind,
                    is_sommaire: entry.kind == "sommaire",
                    part: None,
                    entry: Some(entry),
                }
            }
        };
        if print_item.is_sommaire {
            ctx.insert("toc", &self.toc(Mode::Print));
        }
        ctx.insert("item", &print_item);
        self.render_bytes("print_item.html", &ctx)
    }
}

fn entry_kind(entry: &Entry) -> &'static str {
    match entry.doc {
        Doc::Fiche(_) => "fiche",
        Doc::Page(_) => "page",
        Doc::Sommaire(_) => "sommaire",
    }
}

/// The Markdown fields of one entry, rendered once and shared by its web page and its print
/// block (they differ only in the markers `markdown::resolve_markers` fills in).
#[derive(Default)]
pub struct Fields(RefCell<HashMap<(usize, usize, bool), String>>);

impl Fields {
    fn get(&self, md: &str, inline: bool, style: Style) -> String {
        let key = (md.as_ptr() as usize, md.len(), inline);
        if let Some(html) = self.0.borrow().get(&key) {
            return html.clone();
        }
        let html = if inline {
            markdown::inline(md, style)
        } else {
            markdown::block(md, style)
        };
        self.0.borrow_mut().insert(key, html.clone());
        html
    }
}

/// A field rendered outside any entry (part titles, the sommaire): references stay unresolved.
fn unresolved(html: String) -> String {
    resolved(html, &NoRefs)
}

/// A rendered field with its markers filled in by `refs`; without markers, the same string.
fn resolved(html: String, refs: &dyn Resolve) -> String {
    match markdown::resolve_markers(&html, refs) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(resolved) => resolved,
    }
}

/// Resolves nothing: for fields that cannot cite (part titles, the sommaire).
struct NoRefs;
impl Resolve for NoRefs {
    fn note(&self, _: &str) -> Option<(u32, String, String)> {
        None
    }
    fn fiche_link(&self, _: &str) -> Option<(String, Option<String>)> {
        None
    }
}

/// A URL as printed on paper: no scheme, no trailing slash, a zero-width break opportunity
/// after each slash so long URLs wrap inside A5 margins.
pub fn display_url(url: &str) -> String {
    let bare = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("mailto:");
    let bare = bare.strip_suffix('/').unwrap_or(bare);
    let mut out = String::with_capacity(bare.len() + 8);
    for c in bare.chars() {
        out.push(c);
        if matches!(c, '/' | '?' | '&' | '=' | '-' | '_') {
            out.push('\u{200B}');
        }
    }
    out
}

/// The Open Graph locale of a BCP 47 language tag: `fr-CA` → `fr_CA`, `fr` → `fr_FR`; `None`
/// when the tag names no territory and the language has no obvious one.
fn og_locale(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let language = parts.next()?.to_ascii_lowercase();
    if let Some(region) = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Some(format!("{language}_{}", region.to_ascii_uppercase()));
    }
    let region = match language.as_str() {
        "fr" => "FR",
        "en" => "US",
        "de" => "DE",
        "es" => "ES",
        "it" => "IT",
        "pt" => "PT",
        "nl" => "NL",
        "ca" => "ES",
        _ => return None,
    };
    Some(format!("{language}_{region}"))
}

/// Escapes text for the inside of a double-quoted CSS string.
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("\\3c "),
            c => out.push(c),
        }
    }
    out
}

/// A page's meta description: the plain text of the first paragraph, at most 300 characters.
fn description(md: &str, french: bool) -> String {
    let md = md.trim_start();
    let first = md.split("\n\n").next().unwrap_or(md);
    truncate_words(&markdown::plain(first, french), 300)
}

/// At most `max` characters, cut at a word boundary, with an ellipsis.
fn truncate_words(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_print_without_scheme_and_can_break() {
        assert_eq!(
            display_url("https://solidaritycities.eu/"),
            "solidaritycities.eu"
        );
        assert!(display_url("http://a.org/b/c").contains("a.org/\u{200B}b/\u{200B}c"));
    }

    #[test]
    fn open_graph_locales() {
        assert_eq!(og_locale("fr").as_deref(), Some("fr_FR"));
        assert_eq!(og_locale("fr-CA").as_deref(), Some("fr_CA"));
        assert_eq!(og_locale("sr-Latn-RS").as_deref(), Some("sr_RS"));
        assert_eq!(og_locale("eo"), None);
    }

    #[test]
    fn truncation_cuts_at_words() {
        assert_eq!(truncate_words("un deux trois", 8), "un deux…");
        assert_eq!(truncate_words("court", 80), "court");
    }
}

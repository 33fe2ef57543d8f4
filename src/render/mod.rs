//! Rendering: which template makes which output, the Tera calls and their error mapping. The
//! data the templates read is built in `context` (typed, no Tera); the per-edition resolution
//! of notes and links is in `refs`; the theme (templates, stylesheets, assets) in `theme`, its
//! CSS compiled by `css`. The only module that knows Tera.

pub mod context;
pub mod css;
mod entry;
mod footnotes;
pub mod layout;
pub mod plan;
pub mod refs;
pub mod search;
mod site;
pub mod theme;

use std::path::Path;
use std::sync::OnceLock;

use crate::booklet::{Booklet, Item};
use crate::error::{Diagnostic, Error, Result};
use crate::output::names;

pub use context::{Contexts, RenderedEntry, SiteCtx};
pub use layout::{Numbers, PrintLayout};
pub use theme::Theme;

/// Up to this many sommaire lines, every page's sommaire lists every entry; beyond, the
/// entries of the page's own part and the titles of the others (the whole site's output would
/// otherwise grow with the square of its size: 1,000 fiches, 212 MB of HTML instead of 18).
pub const SIDEBAR_FULL: usize = 200;
/// Past `SIDEBAR_FULL`, the most parts the sommaire beside the text lists by title.
pub const SIDEBAR_PARTS: usize = 40;
/// Past `SIDEBAR_FULL`, the most entries of the current part it lists.
pub const SIDEBAR_PART_ENTRIES: usize = 40;

/// Which edition a context is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Web,
    Print,
}

/// Whether the site links to `livret.pdf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfLink {
    Linked,
    Absent,
}

/// What a render needs besides the booklet and its theme.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub pdf: PdfLink,
    /// The print edition's layout (page numbers, copyfitting), once `livret pdf` has
    /// measured it.
    pub layout: Option<&'a PrintLayout>,
}

/// Turns contexts into pages with the theme's templates.
pub struct Renderer<'a> {
    contexts: Contexts<'a>,
    theme: &'a Theme,
    /// `site` as a template value, made once: every page's context shares it (a cheap clone).
    site_value: tera::Value,
    /// The sommaire beside the text (`partials/sidebar.html`), rendered once for every page:
    /// `[whole]` for a booklet of up to `SIDEBAR_FULL` sommaire lines; beyond, one per part
    /// (`[outside parts, part 0, part 1, …]`), listing the fiches of that part only.
    sidebar: OnceLock<Vec<String>>,
    /// The pages after the last part (Pour aller plus loin, Contact): the footer links to them.
    back: Vec<context::NavLink>,
}

impl<'a> Renderer<'a> {
    pub fn new(booklet: &'a Booklet, theme: &'a Theme, settings: Settings<'a>) -> Renderer<'a> {
        let contexts = Contexts::new(
            booklet,
            &theme.labels,
            settings.pdf == PdfLink::Linked,
            settings.layout,
        );
        let back = contexts.back_pages();
        Renderer {
            site_value: tera::Value::from_serializable(&contexts.site),
            contexts,
            theme,
            sidebar: OnceLock::new(),
            back,
        }
    }

    pub fn contexts(&self) -> &Contexts<'a> {
        &self.contexts
    }

    pub fn site(&self) -> &SiteCtx {
        &self.contexts.site
    }

    /// The print layout it renders the print edition with (`Settings::layout`).
    pub fn layout(&self) -> Option<&'a PrintLayout> {
        self.contexts.layout
    }

    pub fn booklet(&self) -> &'a Booklet {
        self.contexts.booklet
    }

    pub fn theme(&self) -> &'a Theme {
        self.theme
    }

    /// The Markdown of one entry, rendered once for its web page and its print block.
    pub fn rendered(&self, index: usize) -> RenderedEntry {
        self.contexts.rendered(index)
    }

    fn render(&self, template: &str, ctx: &tera::Context) -> Result<String> {
        let bytes = self.render_bytes(template, ctx)?;
        String::from_utf8(bytes)
            .map_err(|e| Error::Invariant(format!("{template} rendered invalid UTF-8: {e}")))
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
                let dir = Path::new(theme::THEMES_DIR).join(&self.theme.name);
                let path = match name.strip_prefix("css/") {
                    Some(_) => dir.join(&name),
                    None => dir.join("templates").join(&name),
                };
                let mut d = Diagnostic::file(
                    &path,
                    crate::message::ThemeMsg::Rendering(theme::error_message(&e)),
                );
                if let Some((line, col)) = at {
                    (d.line, d.col) = (line, col);
                }
                Error::Content(vec![d])
            })?;
        Ok(out)
    }

    fn base_context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert("meta", &self.contexts.meta(None, None, ""));
        ctx.insert("page_kind", "page");
        // Prefix of the site's own links: empty (relative links) everywhere but on the 404 page.
        ctx.insert("root", "");
        ctx.insert("back", &self.back);
        ctx.insert("search_index", names::SEARCH_INDEX);
        ctx
    }

    /// The sommaire beside the text as it appears on the page `current` (a file name) of the
    /// part `part`: that page's link marked `aria-current="page"`, its part open. Rendered
    /// once (once per part past `SIDEBAR_FULL` lines), then marked by plain substitution, so a
    /// site of a thousand fiches does not render its sommaire a thousand times. Empty when the
    /// theme has no `partials/sidebar.html`.
    fn sidebar_for(&self, current: &str, part: Option<usize>) -> Result<String> {
        let variants = match self.sidebar.get() {
            Some(v) => v,
            None => {
                let v = self.render_sidebars()?;
                self.sidebar.get_or_init(|| v)
            }
        };
        let html = match variants.len() {
            1 => &variants[0],
            _ => &variants[part.map_or(0, |p| p + 1)],
        };
        let slug = part.map(|p| self.booklet().parts[p].slug.as_str());
        Ok(context::mark_current(html, current, slug))
    }

    fn render_sidebars(&self) -> Result<Vec<String>> {
        if !self.has_template("partials/sidebar.html") {
            return Ok(vec![String::new()]);
        }
        let toc = self.contexts.toc(Mode::Web);
        let lines: usize = toc.iter().map(|g| g.entries.len()).sum();
        let render = |toc: &[context::TocGroup]| {
            let mut ctx = self.base_context();
            ctx.insert("toc", toc);
            self.render("partials/sidebar.html", &ctx)
        };
        if lines <= SIDEBAR_FULL {
            return Ok(vec![render(&toc)?]);
        }
        // Past that, every page carrying hundreds of lines would multiply the site's size
        // (10,000 fiches: 566 MB instead of 201): the parts' titles with the current part's
        // entries when both stay short, else only the pages outside parts (the index's
        // sommaire stays complete).
        let parts = self.booklet().parts.len();
        if parts > SIDEBAR_PARTS {
            let outside: Vec<context::TocGroup> =
                toc.iter().filter(|g| g.part.is_none()).cloned().collect();
            return Ok(vec![render(&outside)?]);
        }
        let mut out = Vec::with_capacity(parts + 1);
        for keep in std::iter::once(None).chain((0..parts).map(Some)) {
            let keep = keep
                .map(|p| &self.booklet().parts[p])
                .filter(|part| part.entries.len() <= SIDEBAR_PART_ENTRIES)
                .map(|part| part.slug.as_str());
            out.push(render(&context::toc_of_part(&toc, keep))?);
        }
        Ok(out)
    }

    /// `index.html`: cover, the pages before the sommaire, the sommaire.
    pub fn index(&self) -> Result<Vec<u8>> {
        let c = self.contexts.index();
        let mut ctx = self.base_context();
        ctx.insert("front", &c.front);
        ctx.insert("toc", &c.toc);
        ctx.insert("toc_title", &c.toc_title);
        ctx.insert("start", &c.start);
        ctx.insert("page_kind", "index");
        ctx.insert("meta", &c.meta);
        ctx.insert("sidebar_html", &self.sidebar_for(names::INDEX, None)?);
        self.render_bytes("index.html", &ctx)
    }

    /// The web page of one entry.
    pub fn entry_page(&self, index: usize, rendered: &RenderedEntry) -> Result<Vec<u8>> {
        let c = self.contexts.entry_page(index, rendered);
        let mut ctx = self.base_context();
        ctx.insert("meta", &c.meta);
        ctx.insert("entry", &c.entry);
        ctx.insert("nav", &c.nav);
        ctx.insert("page_kind", &c.kind);
        let entry = &self.booklet().entries[index];
        ctx.insert(
            "sidebar_html",
            &self.sidebar_for(&entry.file_name(), entry.part)?,
        );
        let template = match c.kind {
            crate::source::fiche::Kind::Fiche => "fiche.html",
            _ => "page.html",
        };
        self.render_bytes(template, &ctx)
    }

    /// The search index's line for the web page of an entry, from that page's HTML.
    pub fn search_doc(&self, index: usize, page: &[u8]) -> search::SearchDoc {
        let entry = &self.booklet().entries[index];
        search::SearchDoc::of_page(
            entry.file_name(),
            entry.number,
            self.contexts.title_plain(index).to_string(),
            page,
        )
    }

    /// A stylesheet of the theme (`style.css`), before compiling: stylesheets are templates
    /// too (the page size, labels for running heads).
    pub fn stylesheet(&self, name: &str) -> Result<String> {
        self.render(&format!("css/{name}"), &self.base_context())
    }

    /// Whether the theme has this template (`404.html`, `sitemap.xml` are optional).
    pub fn has_template(&self, name: &str) -> bool {
        self.theme.tera.get_template_names().any(|n| n == name)
    }

    /// `404.html`. A static host serves it in place of any missing URL, at any depth, so with
    /// `base_url` its links are absolute; without it they stay relative and work for missing
    /// pages at the top of the site.
    pub fn not_found(&self) -> Result<String> {
        let mut ctx = self.base_context();
        ctx.insert("pages", &self.contexts.page_files());
        ctx.insert("root", self.site().base_url.as_deref().unwrap_or(""));
        ctx.insert("page_kind", "not-found");
        ctx.insert("meta", &self.contexts.not_found_meta());
        self.render("404.html", &ctx)
    }

    /// `sitemap.xml`.
    pub fn sitemap(&self) -> Result<String> {
        let mut ctx = self.base_context();
        ctx.insert("pages", &self.contexts.page_files());
        self.render("sitemap.xml", &ctx)
    }

    /// The print edition's frame, split around the place where the items go, so the items can
    /// be streamed (thousands of fiches never sit in memory at once).
    pub fn print_frame(&self) -> Result<(String, String)> {
        let mut ctx = self.base_context();
        ctx.insert("toc", &self.contexts.toc(Mode::Print));
        ctx.insert("page_kind", "print");
        ctx.insert("meta", &self.contexts.meta(None, None, "print.html"));
        // Whether the sommaire has its page numbers (from `livret pdf`): else a note says how.
        ctx.insert("numbered", &self.contexts.layout.is_some());
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
            &Path::new(theme::THEMES_DIR)
                .join(&self.theme.name)
                .join("templates/print.html"),
            crate::message::ThemeMsg::PrintFrame,
        )]))
    }

    /// One block of the print edition (a part divider, an entry, the sommaire). `rendered` is
    /// the entry's Markdown when its web page already rendered it.
    pub fn print_item(&self, item: Item, rendered: Option<&RenderedEntry>) -> Result<Vec<u8>> {
        let mut print_item = self.contexts.print_item(item, rendered);
        // In print, notes follow the blocks that call them (`footnotes`), not the entry.
        let notes = print_item
            .entry
            .as_mut()
            .map(|e| std::mem::take(&mut e.notes))
            .unwrap_or_default();
        let mut ctx = self.base_context();
        if print_item.is_sommaire {
            ctx.insert("toc", &self.contexts.toc(Mode::Print));
        }
        ctx.insert("item", &print_item);
        if notes.is_empty() {
            return self.render_bytes("print_item.html", &ctx);
        }
        let html = self.render("print_item.html", &ctx)?;
        Ok(footnotes::place(&html, &notes, &mut ThemeNotes(self))?.into_bytes())
    }
}

/// Notes drawn by the theme's `partials/footnotes.html` (a group after the calling block) and
/// `partials/footnote-float.html` (the copy at the call for `float: footnote`).
struct ThemeNotes<'r, 'a>(&'r Renderer<'a>);

impl footnotes::NoteMarkup for ThemeNotes<'_, '_> {
    fn group(&mut self, notes: &[&context::NoteCtx]) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.0.site_value.clone());
        ctx.insert("notes", notes);
        self.0.render("partials/footnotes.html", &ctx)
    }

    fn float(&mut self, note: &context::NoteCtx, inline: bool) -> Result<String> {
        let mut ctx = tera::Context::new();
        ctx.insert_value("site", self.0.site_value.clone());
        ctx.insert("note", note);
        ctx.insert("inline", &inline);
        self.0.render("partials/footnote-float.html", &ctx)
    }
}

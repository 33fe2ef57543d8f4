//! The context of one entry: its Markdown fields rendered once (`RenderedEntry`, with
//! markers), then resolved for an edition (per-page or booklet-wide notes, `slug.html` or
//! `#slug` links) in display order, so a note cited twice gets its second anchor where it is
//! read second.

use std::collections::BTreeSet;

use crate::source::fiche::{Doc, Fiche, Place};
use crate::text::hyphen;
use crate::text::ids;
use crate::text::markdown;
use crate::text::typo;

use super::Mode;
use super::context::*;
use super::refs::{self, Refs, resolve_in_place, unresolved};

impl Contexts<'_> {
    /// Renders the Markdown fields of one entry (the costly part of its contexts).
    pub fn rendered(&self, index: usize) -> RenderedEntry {
        let entry = &self.booklet.entries[index];
        let style = self.style;
        let inline = |md: &str| markdown::inline(md, style);
        let block = |md: &str| markdown::block(md, style);
        let (kicker, description, body) = match &entry.doc {
            Doc::Fiche(f) => self.rendered_fiche(entry.number, f),
            Doc::Page(p) => {
                let description = p
                    .lead
                    .as_deref()
                    .or(p.body.as_deref())
                    .map(|s| meta_description(s, style.french))
                    .unwrap_or_default();
                let body = BodyCtx::Page(PageCtx {
                    lead: p.lead.as_deref().map(block),
                    body: p.body.as_deref().map(block),
                });
                (p.kicker.as_deref().map(inline), description, body)
            }
            Doc::Sommaire(_) => (None, String::new(), BodyCtx::Sommaire {}),
        };
        RenderedEntry {
            title: inline(entry.doc.title()),
            kicker,
            body,
            notes: entry.notes.iter().map(|(_, text)| inline(text)).collect(),
            description,
        }
    }

    /// A fiche's kicker ("Bonne pratique n°N"), meta description and rendered fields.
    fn rendered_fiche(&self, number: Option<u32>, f: &Fiche) -> (Option<String>, String, BodyCtx) {
        let style = self.style;
        let inline = |md: &str| markdown::inline(md, style);
        let block = |md: &str| markdown::block(md, style);
        let kicker = number.map(|n| {
            // HTML (templates print it as is): the labels are plain text to escape.
            let text =
                format!("{} {}", self.label("fiche"), self.label("number")) + &format!("\u{a0}{n}");
            let mut html = String::with_capacity(text.len());
            markdown::html_escape(&text, &mut html);
            html
        });
        let extras = |place: Place| {
            let quotes = f.quotes.iter().filter(|q| q.at == place).map(|q| ExtraCtx {
                kind: "quote",
                title: None,
                text: block(&typo::inner_quotes(typo::strip_guillemets(&q.text))),
                author: q.author.as_deref().map(inline),
                role: q.role.as_deref().map(inline),
            });
            let asides = f.asides.iter().filter(|a| a.at == place).map(|a| ExtraCtx {
                kind: "aside",
                title: a.title.as_deref().map(inline),
                text: block(&a.body),
                author: None,
                role: None,
            });
            quotes.chain(asides).collect::<Vec<_>>()
        };
        let description = f
            .summary
            .as_deref()
            .map(|s| meta_description(s, style.french))
            .unwrap_or_default();
        let body = BodyCtx::Fiche(Box::new(FicheCtx {
            example: f.example.as_deref().map(inline),
            tagline: f.tagline.as_deref().map(inline),
            figures: f
                .figures
                .iter()
                .map(|fig| FigureCtx {
                    value: fig.value.as_deref().map(inline),
                    label: inline(&fig.label),
                })
                .collect(),
            summary: f.summary.as_deref().map(block),
            extras_summary: extras(Place::Summary),
            how: f
                .how
                .iter()
                .map(|h| HowCtx {
                    heading: h.heading.as_deref().map(inline),
                    body: block(&h.body),
                })
                .collect(),
            extras_how: extras(Place::How),
            outcome: f.outcome.as_ref().map(|o| OutcomeCtx {
                headline: o.headline.as_deref().map(inline),
                body: o.body.as_deref().map(block),
            }),
            extras_outcome: extras(Place::Outcome),
            takeaways: f.takeaways.as_ref().map(|t| TakeawaysCtx {
                intro: t.intro.as_deref().map(block),
                items: t.items.iter().map(|i| inline(i)).collect(),
            }),
            links: f
                .links
                .iter()
                .map(|l| {
                    // `booklet` refuses these; never write one even so.
                    let url = l
                        .url
                        .as_deref()
                        .filter(|u| crate::text::links::refused_scheme(u).is_none());
                    LinkCtx {
                        label: l.label.as_deref().map(inline),
                        url: url.map(str::to_string),
                        display_url: url.map(super::site::display_url),
                    }
                })
                .collect(),
        }));
        (kicker, description, body)
    }

    /// The context of one entry for one edition, from its rendered fields.
    pub fn entry(&self, index: usize, mode: Mode, rendered: &RenderedEntry) -> EntryCtx {
        self.entry_after(index, mode, rendered, 0)
    }

    /// `entry`, on a web page where `web_offset` notes come before it.
    pub(super) fn entry_after(
        &self,
        index: usize,
        mode: Mode,
        rendered: &RenderedEntry,
        web_offset: u32,
    ) -> EntryCtx {
        let entry = &self.booklet.entries[index];
        let refs = Refs::new(
            self.booklet,
            &self.slugs,
            entry,
            mode,
            self.label("fiche_ref"),
            web_offset,
        );
        // Markers are resolved in display order: a note cited twice gets its second anchor
        // where it is read second.
        let mut title = rendered.title.clone();
        resolve_in_place(&mut title, &refs);
        let mut kicker = rendered.kicker.clone();
        let mut body = rendered.body.clone();
        if let BodyCtx::Page(_) = body {
            resolve_opt(&mut kicker, &refs);
        }
        resolve_body(&mut body, &refs);
        let whole = match mode {
            Mode::Print => self.layout.and_then(|l| l.whole_words(&entry.slug)),
            Mode::Web => None,
        };
        if mode == Mode::Print && self.style.french {
            hyphenate_body(&mut body, whole);
        }
        let title_plain = self.titles_plain[index].clone();
        let description = match mode {
            Mode::Web if !rendered.description.is_empty() => rendered.description.clone(),
            _ => title_plain.clone(),
        };
        let notes = rendered
            .notes
            .iter()
            .enumerate()
            .map(|(i, html)| {
                let n = refs::note_number(entry, i, mode, web_offset);
                let mut html = html.clone();
                resolve_in_place(&mut html, &refs);
                if mode == Mode::Print && self.style.french {
                    html = hyphen::soft_hyphens(&html);
                    if let Some(words) = whole {
                        html = hyphen::unbreak(&html, words);
                    }
                }
                NoteCtx {
                    number: n,
                    id: ids::note_id(n),
                    ref_id: ids::ref_id(n, 1),
                    html,
                }
            })
            .collect();
        EntryCtx {
            kind: entry.doc.kind(),
            slug: entry.slug.clone(),
            href: refs::entry_href(entry, mode),
            number: entry.number,
            kicker,
            title,
            title_plain,
            description,
            part: entry.part.map(|p| PartRef {
                slug: self.booklet.parts[p].slug.clone(),
                title: unresolved(markdown::inline(
                    &self.booklet.parts[p].part.title,
                    self.style,
                )),
                number: p + 1,
            }),
            notes,
            body,
        }
    }
}

fn resolve_opt(field: &mut Option<String>, refs: &Refs) {
    if let Some(html) = field {
        resolve_in_place(html, refs);
    }
}

/// Resolves every field of a body, in display order.
fn resolve_body(body: &mut BodyCtx, refs: &Refs) {
    let extras = |list: &mut Vec<ExtraCtx>| {
        // Quotes come before asides in each list, as they were rendered.
        for x in list.iter_mut() {
            resolve_opt(&mut x.title, refs);
            resolve_in_place(&mut x.text, refs);
            resolve_opt(&mut x.author, refs);
            resolve_opt(&mut x.role, refs);
        }
    };
    match body {
        BodyCtx::Fiche(f) => {
            resolve_opt(&mut f.example, refs);
            resolve_opt(&mut f.tagline, refs);
            for fig in &mut f.figures {
                resolve_opt(&mut fig.value, refs);
                resolve_in_place(&mut fig.label, refs);
            }
            resolve_opt(&mut f.summary, refs);
            extras(&mut f.extras_summary);
            for how in &mut f.how {
                resolve_opt(&mut how.heading, refs);
                resolve_in_place(&mut how.body, refs);
            }
            extras(&mut f.extras_how);
            if let Some(o) = &mut f.outcome {
                resolve_opt(&mut o.headline, refs);
                resolve_opt(&mut o.body, refs);
            }
            extras(&mut f.extras_outcome);
            if let Some(t) = &mut f.takeaways {
                resolve_opt(&mut t.intro, refs);
                for item in &mut t.items {
                    resolve_in_place(item, refs);
                }
            }
            for l in &mut f.links {
                resolve_opt(&mut l.label, refs);
            }
        }
        BodyCtx::Page(p) => {
            resolve_opt(&mut p.lead, refs);
            resolve_opt(&mut p.body, refs);
        }
        BodyCtx::Sommaire {} => {}
    }
}

/// Hyphenates the running text of a print body: paragraphs of the summary, the "how"
/// sections, the outcome, quotes, asides, takeaways and pages; never headings, titles,
/// kickers, figures, links or URLs.
/// Soft hyphens in an entry's running text for print, except in `whole`'s words.
fn hyphenate_body(body: &mut BodyCtx, whole: Option<&BTreeSet<String>>) {
    let shy = |html: &mut String| {
        *html = hyphen::soft_hyphens(html);
        if let Some(words) = whole {
            *html = hyphen::unbreak(html, words);
        }
    };
    let shy_opt = |html: &mut Option<String>| {
        if let Some(h) = html {
            shy(h);
        }
    };
    match body {
        BodyCtx::Fiche(f) => {
            shy_opt(&mut f.summary);
            let extras = f
                .extras_summary
                .iter_mut()
                .chain(f.extras_how.iter_mut())
                .chain(f.extras_outcome.iter_mut());
            for x in extras {
                shy(&mut x.text);
            }
            for how in &mut f.how {
                shy(&mut how.body);
            }
            if let Some(o) = &mut f.outcome {
                shy_opt(&mut o.body);
            }
            if let Some(t) = &mut f.takeaways {
                shy_opt(&mut t.intro);
                t.items.iter_mut().for_each(shy);
            }
        }
        BodyCtx::Page(p) => {
            shy_opt(&mut p.lead);
            shy_opt(&mut p.body);
        }
        BodyCtx::Sommaire {} => {}
    }
}

/// A page's meta description: the plain text of the first paragraph, at most 300 characters.
fn meta_description(md: &str, french: bool) -> String {
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
    fn truncation_cuts_at_words() {
        assert_eq!(truncate_words("un deux trois", 8), "un deux…");
        assert_eq!(truncate_words("court", 80), "court");
    }
}

//! The booklet model, built from the loaded tree: document order, parts, fiche numbers, slugs,
//! note numbering, prev/next, and every cross-file check (duplicate slugs, notes cited but not
//! defined or never cited, links to unknown fiches, refused URL schemes). Knows no HTML.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::error::{Diagnostic, Diagnostics, Result};
use crate::message::{ContentMsg, LinkMsg};
use crate::source::Source;
use crate::source::config::Config;
use crate::source::fiche::{Doc, Part};
use crate::source::locate::locate_link;
use crate::source::walk::{LoadedEntry, Node};
use crate::text::links::url_problem;
use crate::text::markdown::{self, Scan};
use crate::text::slug;

/// The whole booklet, in document order.
#[derive(Debug, Clone)]
pub struct Booklet {
    pub config: Config,
    pub parts: Vec<PartInfo>,
    pub entries: Vec<Entry>,
    /// Print order: part dividers and entries.
    pub order: Vec<Item>,
    /// Index of the `kind = "sommaire"` entry, if any.
    pub sommaire: Option<usize>,
    /// What the lints found that does not stop the build (`crate::lint`).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Part(usize),
    Entry(usize),
}

#[derive(Debug, Clone)]
pub struct PartInfo {
    pub slug: String,
    pub path: PathBuf,
    pub part: Part,
    /// Entry indices of this part, in order.
    pub entries: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub slug: String,
    pub path: PathBuf,
    pub doc: Doc,
    /// "Bonne pratique n°N" for fiches.
    pub number: Option<u32>,
    pub part: Option<usize>,
    /// Note keys in order of first citation, with their text.
    pub notes: Vec<(String, String)>,
    /// Number of notes before this entry in the whole booklet (print numbering).
    pub notes_before: u32,
    /// Web navigation: previous and next pages (the sommaire marker has no page).
    pub prev: Option<usize>,
    pub next: Option<usize>,
}

impl Entry {
    /// Whether this entry has its own page on the web.
    pub fn has_page(&self) -> bool {
        !matches!(self.doc, Doc::Sommaire(_))
    }

    /// Listed in the sommaire.
    pub fn in_toc(&self) -> bool {
        match &self.doc {
            Doc::Fiche(_) => true,
            Doc::Page(p) => p.toc,
            Doc::Sommaire(_) => false,
        }
    }

    /// The output file of this entry's web page.
    pub fn file_name(&self) -> String {
        format!("{}.html", self.slug)
    }
}

/// Output names livret writes itself: a slug may not take them.
pub const RESERVED_SLUGS: &[&str] = &crate::output::names::RESERVED_SLUGS;

/// Assembles the booklet and checks everything that spans files. All problems are reported.
pub fn assemble(config: Config, nodes: Vec<Node>) -> Result<Booklet> {
    assemble_with(config, nodes, &[])
}

/// Like `assemble`, for a folder where some files did not parse: `known_slugs` are their slugs,
/// accepted as link targets so that a broken fiche does not also make every link to it an error.
pub fn assemble_with(
    mut config: Config,
    nodes: Vec<Node>,
    known_slugs: &[String],
) -> Result<Booklet> {
    let mut diagnostics = Diagnostics::new();
    let Flat {
        parts,
        mut entries,
        sources,
        part_sources,
        cited,
        order,
    } = flatten(nodes);
    let mut found = Vec::new();
    check_slugs(&entries, &sources, &parts, &part_sources, &mut found);
    let sommaire = number(&mut entries, &mut found);
    link_pages(&mut entries);

    // Notes and links.
    let mut slugs: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.slug.as_str(), i))
        .collect();
    for slug in known_slugs {
        slugs.entry(slug.as_str()).or_insert(usize::MAX);
    }
    let mut resolved_notes = Vec::with_capacity(entries.len());
    for ((entry, source), scan) in entries.iter().zip(&sources).zip(cited) {
        resolved_notes.push(check_references(entry, source, scan, &slugs, &mut found));
    }
    for (part, source) in parts.iter().zip(&part_sources) {
        if let Some(intro) = &part.part.intro {
            let mut scan = Scan::default();
            markdown::scan(intro, &mut scan);
            check_links(source, &[intro.as_str()], &scan.links, &slugs, &mut found);
        }
    }
    let mut running = 0u32;
    for (entry, notes) in entries.iter_mut().zip(resolved_notes) {
        entry.notes_before = running;
        running += notes.len() as u32;
        entry.notes = notes;
    }
    let mut warnings = Vec::new();
    for (entry, source) in entries.iter().zip(&sources) {
        let mut fields = entry.doc.markdown_fields();
        fields.extend(entry.notes.iter().map(|(_, text)| text.as_str()));
        for d in crate::lint::entry(source, &fields, config.allow_html) {
            match d.severity {
                crate::error::Severity::Error => found.push(d),
                crate::error::Severity::Warning => warnings.push(d),
            }
        }
    }
    diagnostics.extend(found);
    diagnostics.finish()?;
    let fiches = entries.iter().filter(|e| e.number.is_some()).count();
    config.fill_count(fiches);
    Ok(Booklet {
        config,
        parts,
        entries,
        order,
        sommaire,
        warnings,
    })
}

/// The loaded tree laid flat in document order, with each file's source and citations.
struct Flat {
    parts: Vec<PartInfo>,
    entries: Vec<Entry>,
    sources: Vec<Source>,
    part_sources: Vec<Source>,
    cited: Vec<Scan>,
    order: Vec<Item>,
}

impl Flat {
    fn push_entry(&mut self, e: LoadedEntry, part: Option<usize>) {
        let slug = e.doc.slug().map(str::to_string).unwrap_or(e.name_slug);
        self.order.push(Item::Entry(self.entries.len()));
        self.entries.push(Entry {
            slug,
            path: e.source.path.clone(),
            doc: e.doc,
            number: None,
            part,
            notes: Vec::new(),
            notes_before: 0,
            prev: None,
            next: None,
        });
        self.sources.push(e.source);
        self.cited.push(e.cited);
    }
}

fn flatten(nodes: Vec<Node>) -> Flat {
    let mut flat = Flat {
        parts: Vec::new(),
        entries: Vec::new(),
        sources: Vec::new(),
        part_sources: Vec::new(),
        cited: Vec::new(),
        order: Vec::new(),
    };
    for node in nodes {
        match node {
            Node::Entry(e) => flat.push_entry(e, None),
            Node::Part(p) => {
                let index = flat.parts.len();
                flat.order.push(Item::Part(index));
                let first = flat.entries.len();
                for e in p.entries {
                    flat.push_entry(e, Some(index));
                }
                flat.parts.push(PartInfo {
                    slug: p.part.slug.clone().unwrap_or(p.name_slug),
                    path: p.source.path.clone(),
                    part: p.part,
                    entries: (first..flat.entries.len()).collect(),
                });
                flat.part_sources.push(p.source);
            }
        }
    }
    flat
}

/// Numbers the fiches in document order; returns the sommaire's entry (one at most).
fn number(entries: &mut [Entry], diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
    let mut number = 0;
    let mut sommaire = None;
    for (i, entry) in entries.iter_mut().enumerate() {
        match entry.doc {
            Doc::Fiche(_) => {
                number += 1;
                entry.number = Some(number);
            }
            Doc::Sommaire(_) => {
                if sommaire.is_some() {
                    diagnostics.push(Diagnostic::file(&entry.path, ContentMsg::SecondSommaire));
                } else {
                    sommaire = Some(i);
                }
            }
            Doc::Page(_) => {}
        }
    }
    sommaire
}

/// Previous and next web pages (the sommaire marker has no page).
fn link_pages(entries: &mut [Entry]) {
    let pages: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].has_page())
        .collect();
    for (k, &i) in pages.iter().enumerate() {
        entries[i].prev = k.checked_sub(1).map(|p| pages[p]);
        entries[i].next = pages.get(k + 1).copied();
    }
}

/// One slug to check, with where it comes from.
struct SlugOf<'a> {
    slug: &'a str,
    path: &'a PathBuf,
    source: &'a Source,
    /// Written as `slug = "…"` (else taken from the file name).
    explicit: bool,
    sommaire: bool,
}

fn check_slugs(
    entries: &[Entry],
    sources: &[Source],
    parts: &[PartInfo],
    part_sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, &PathBuf> = HashMap::new();
    let all = entries
        .iter()
        .zip(sources)
        .map(|(e, source)| SlugOf {
            slug: e.slug.as_str(),
            path: &e.path,
            source,
            explicit: e.doc.slug().is_some(),
            sommaire: matches!(e.doc, Doc::Sommaire(_)),
        })
        .chain(parts.iter().zip(part_sources).map(|(p, source)| SlugOf {
            slug: p.slug.as_str(),
            path: &p.path,
            source,
            explicit: p.part.slug.is_some(),
            sommaire: false,
        }));
    for of in all {
        let (slug, path) = (of.slug, of.path);
        if let Some(d) = slug_problem(&of) {
            diagnostics.push(d);
        } else if let Some(first) = seen.get(slug) {
            diagnostics.push(of.located(ContentMsg::DuplicateSlug {
                slug: slug.to_string(),
                first: first.display().to_string(),
                second: path.display().to_string(),
            }));
        } else {
            seen.insert(slug, path);
        }
    }
}

impl SlugOf<'_> {
    /// A diagnostic at the `slug` key, or about the file when the slug is its name's.
    fn located(&self, message: ContentMsg) -> Diagnostic {
        if self.explicit {
            self.source.at_text("slug", message)
        } else {
            Diagnostic::file(self.path, message)
        }
    }
}

/// What is wrong with one slug on its own: too long, not clean, reserved, or giving an id
/// livret generates.
fn slug_problem(of: &SlugOf) -> Option<Diagnostic> {
    let slug = of.slug;
    let length = slug.chars().count();
    if length > slug::MAX_SLUG_CHARS {
        return Some(of.located(ContentMsg::SlugTooLong {
            shown: slug.chars().take(40).collect(),
            length,
            limit: slug::MAX_SLUG_CHARS,
            example: slug::shorten_slug(&slug::slugify(slug)),
            explicit: of.explicit,
        }));
    }
    if !slug::is_valid_slug(slug) {
        return Some(of.located(ContentMsg::InvalidSlug {
            slug: slug.to_string(),
            example: slug::slugify(slug),
        }));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Some(of.located(ContentMsg::ReservedSlug(slug.to_string())));
    }
    let crate::text::ids::Clash { id, owner } = crate::text::ids::slug_clash(slug, of.sommaire)?;
    Some(of.located(ContentMsg::SlugIdClash {
        slug: slug.to_string(),
        id,
        owner,
        explicit: of.explicit,
        suffixes: crate::text::ids::SLUG_SUFFIXES.join(", slug-"),
        fixed: crate::text::ids::FIXED.join(", "),
    }))
}

/// Checks the notes and links of one entry, given what its fields cite; returns its notes in
/// citation order.
fn check_references(
    entry: &Entry,
    source: &Source,
    mut scan: Scan,
    slugs: &HashMap<&str, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, String)> {
    let empty = BTreeMap::new();
    let defined = entry.doc.notes().unwrap_or(&empty);
    let mut notes: Vec<(String, String)> = Vec::new();
    for key in &scan.notes {
        if notes.iter().any(|(k, _)| k == key) {
            continue;
        }
        match defined.get(key) {
            Some(text) => notes.push((key.clone(), text.clone())),
            None => diagnostics.push(undefined_note(source, key, defined)),
        }
    }
    // A note may cite another note: one cited only from notes is numbered after the others.
    let mut cited: Vec<String> = scan.notes.clone();
    let mut next = 0;
    while next < notes.len() {
        let mut inner = Scan::default();
        markdown::scan(&notes[next].1, &mut inner);
        next += 1;
        for key in inner.notes {
            if cited.contains(&key) {
                continue;
            }
            cited.push(key.clone());
            match defined.get(&key) {
                Some(text) => notes.push((key, text.clone())),
                None => diagnostics.push(undefined_note(source, &key, defined)),
            }
        }
    }
    for key in defined.keys() {
        if !cited.contains(key) {
            let message = ContentMsg::NoteNeverCited(key.clone());
            diagnostics.push(match note_key_offset(&source.text, key) {
                Some(offset) => source.at(offset, message),
                None => source.at_text(&format!("{key} ="), message),
            });
        }
    }
    // Notes may cite other notes' links too.
    for (_, text) in &notes {
        markdown::scan(text, &mut scan);
    }
    let mut links: Vec<String> = scan.links;
    links.extend(entry.doc.field_urls().into_iter().map(str::to_string));
    let mut fields = entry.doc.markdown_fields();
    fields.extend(notes.iter().map(|(_, text)| text.as_str()));
    check_links(source, &fields, &links, slugs, diagnostics);
    if let Doc::Fiche(f) = &entry.doc {
        for link in &f.links {
            if link.label.is_none() && link.url.is_none() {
                diagnostics.push(source.at_text("[[links]]", ContentMsg::EmptyLink));
            }
        }
    }
    notes
}

/// A note cited (in a field or in another note) but not defined under `[notes]`.
fn undefined_note(source: &Source, key: &str, defined: &BTreeMap<String, String>) -> Diagnostic {
    let keys: Vec<String> = defined.keys().cloned().collect();
    let best = crate::source::de::closest(key, &keys).map(str::to_string);
    source.at_text(
        &format!("[^{key}]"),
        ContentMsg::NoteUndefined {
            key: key.to_string(),
            best,
        },
    )
}

/// Where the note `key` is defined: its line under `[notes]` (a key of the same name written
/// above `[notes]` is another field).
fn note_key_offset(text: &str, key: &str) -> Option<usize> {
    let header = if text.starts_with("[notes]") {
        0
    } else {
        text.find("\n[notes]")? + 1
    };
    let mut offset = header;
    for line in text[header..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        let rest = trimmed
            .strip_prefix(key)
            .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")));
        if rest.is_some_and(|r| r.trim_start().starts_with('=')) {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

/// `fields`: the Markdown fields the links were found in, to locate them.
fn check_links(
    source: &Source,
    fields: &[&str],
    links: &[String],
    slugs: &HashMap<&str, usize>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for link in links {
        if let Some(problem) = link_problem(link, slugs) {
            diagnostics.push(locate_link(source, fields, link, problem));
        }
    }
}

/// Why a link destination is refused, if it is.
fn link_problem(link: &str, slugs: &HashMap<&str, usize>) -> Option<LinkMsg> {
    let link = link.trim();
    if let Some(target) = link.strip_prefix('@') {
        let slug = target.split('#').next().unwrap_or(target);
        if slugs.contains_key(slug) {
            return None;
        }
        let mut known: Vec<String> = slugs.keys().map(|s| s.to_string()).collect();
        known.sort();
        let best = crate::source::de::closest(slug, &known).map(str::to_string);
        return Some(LinkMsg::UnknownFiche {
            slug: slug.to_string(),
            best,
        });
    }
    url_problem(link).map(LinkMsg::Refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_rules() -> crate::error::TestResult {
        let mut slugs = HashMap::new();
        slugs.insert("riace", 0);
        assert!(link_problem("@riace", &slugs).is_none());
        assert!(link_problem("@riace#bilan", &slugs).is_none());
        let problem = link_problem("@riac", &slugs).ok_or("@riac accepted")?;
        let help = crate::message::Message::from(problem)
            .text(crate::message::Lang::En)
            .help;
        assert!(help.ok_or("no help")?.contains("@riace"));
        assert!(link_problem("https://x.org/a?b=c", &slugs).is_none());
        assert!(link_problem("mailto:contact@o-c-u.org", &slugs).is_none());
        assert!(link_problem("autre.html#x", &slugs).is_none());
        assert!(link_problem("javascript:alert(1)", &slugs).is_some());
        assert!(link_problem("JavaScript:alert(1)", &slugs).is_some());
        assert!(link_problem("data:text/html,x", &slugs).is_some());
        assert!(link_problem("https://exa mple.org", &slugs).is_some());
        assert!(link_problem("http://", &slugs).is_some());
        Ok(())
    }
}

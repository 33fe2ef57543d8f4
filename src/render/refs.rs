//! Per-edition resolution of what a rendered field cites: note calls become the web page's
//! numbers (per page) or the print edition's (across the booklet), `@slug` links become
//! `slug.html` or `#slug` (with "fiche n°N" in print). Fields are rendered once with markers
//! (see `text::markdown`); this fills them in for one edition.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::booklet::{Booklet, Entry};
use crate::text::ids;
use crate::text::markdown::{self, FicheLink, NoteRef, Resolve};

use super::Mode;

/// Where an entry is, from a web page or inside the print edition.
pub fn entry_href(entry: &Entry, mode: Mode) -> String {
    match (mode, entry.doc.kind()) {
        (Mode::Print, _) => format!("#{}", entry.slug),
        (Mode::Web, crate::source::fiche::Kind::Sommaire) => "index.html#sommaire".into(),
        (Mode::Web, _) => entry.file_name(),
    }
}

/// The number of an entry's `local`-th note (0-based) in one edition, on a web page where
/// `web_offset` notes come before the entry's (the index shows several pages one after the
/// other, and their note ids must not repeat).
pub fn note_number(entry: &Entry, local: usize, mode: Mode, web_offset: u32) -> u32 {
    match mode {
        Mode::Web => web_offset + local as u32 + 1,
        Mode::Print => entry.notes_before + local as u32 + 1,
    }
}

/// Resolves notes and fiche links for one entry in one edition.
pub struct Refs<'a> {
    pub booklet: &'a Booklet,
    pub slugs: &'a HashMap<&'a str, usize>,
    pub entry: &'a Entry,
    pub mode: Mode,
    /// The label before a fiche's number in print ("fiche n°").
    pub fiche_ref: &'a str,
    /// Notes numbered before this entry's on the same web page.
    pub web_offset: u32,
    /// How often each note was cited so far (a second call gets its own anchor).
    cited: RefCell<HashMap<String, u32>>,
}

impl<'a> Refs<'a> {
    pub fn new(
        booklet: &'a Booklet,
        slugs: &'a HashMap<&'a str, usize>,
        entry: &'a Entry,
        mode: Mode,
        fiche_ref: &'a str,
        web_offset: u32,
    ) -> Refs<'a> {
        Refs {
            booklet,
            slugs,
            entry,
            mode,
            fiche_ref,
            web_offset,
            cited: RefCell::new(HashMap::new()),
        }
    }
}

impl Resolve for Refs<'_> {
    fn note(&self, key: &str) -> Option<NoteRef> {
        let local = self.entry.notes.iter().position(|(k, _)| k == key)?;
        let number = note_number(self.entry, local, self.mode, self.web_offset);
        let mut cited = self.cited.borrow_mut();
        let count = cited.entry(key.to_string()).or_insert(0);
        *count += 1;
        Some(NoteRef {
            number,
            note_id: ids::note_id(number),
            ref_id: ids::ref_id(number, *count),
        })
    }

    fn fiche_link(&self, slug: &str) -> Option<FicheLink> {
        let target = &self.booklet.entries[*self.slugs.get(slug)?];
        Some(FicheLink {
            href: entry_href(target, self.mode),
            print_label: match (self.mode, target.number) {
                (Mode::Print, Some(n)) => Some(format!("{} {}", self.fiche_ref, n)),
                _ => None,
            },
        })
    }
}

/// Resolves nothing: for fields that cannot cite (part titles, the sommaire).
pub struct NoRefs;

impl Resolve for NoRefs {
    fn note(&self, _: &str) -> Option<NoteRef> {
        None
    }
    fn fiche_link(&self, _: &str) -> Option<FicheLink> {
        None
    }
}

/// A rendered field with its markers filled in by `refs`; without markers, the same string.
pub fn resolved(html: String, refs: &dyn Resolve) -> String {
    match markdown::resolve_markers(&html, refs) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(resolved) => resolved,
    }
}

/// Fills in the markers of a field in place.
pub fn resolve_in_place(html: &mut String, refs: &dyn Resolve) {
    if let std::borrow::Cow::Owned(resolved) = markdown::resolve_markers(html, refs) {
        *html = resolved;
    }
}

/// A field rendered outside any entry (part titles, the sommaire): references stay unresolved.
pub fn unresolved(html: String) -> String {
    resolved(html, &NoRefs)
}

//! Which outputs a render makes: all of them (`livret build`), or only those whose inputs
//! changed since the last render (`livret serve`). An output's inputs are fingerprinted by the
//! `*_key` functions that sit beside its context builder in `context`; this module gathers
//! them for a whole booklet and compares two sets.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use crate::booklet::{Booklet, Item};

use super::context::{self, hash};

/// The fingerprint of every output of a booklet: equal fingerprints, equal output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    /// Structure (order, slugs, kinds, numbers, parts), config, theme, PDF presence: what
    /// every output reads. When it changes, everything is rendered again.
    pub global: u64,
    /// `index.html`.
    pub index: u64,
    /// The print edition's frame (it holds the sommaire).
    pub frame: u64,
    /// Each entry's web page (0 for an entry without one).
    pub pages: Vec<u64>,
    /// Each print block, in document order.
    pub blocks: Vec<u64>,
}

impl Fingerprints {
    /// `content` hashes a source file's text; `theme` is the fingerprint of the theme.
    pub fn of(
        booklet: &Booklet,
        theme: u64,
        has_pdf: bool,
        content: &dyn Fn(&Path) -> u64,
    ) -> Fingerprints {
        let mut global = DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut global);
        serde_json::to_string(&booklet.config)
            .unwrap_or_default()
            .hash(&mut global);
        (theme, has_pdf).hash(&mut global);
        for item in &booklet.order {
            match *item {
                Item::Part(p) => {
                    let part = &booklet.parts[p];
                    (0u8, &part.slug, &part.path, &part.entries).hash(&mut global);
                }
                Item::Entry(i) => {
                    let e = &booklet.entries[i];
                    (1u8, &e.slug, &e.path, e.doc.kind(), e.number, e.part).hash(&mut global);
                }
            }
        }
        let toc = context::toc_key(booklet, content);
        Fingerprints {
            global: global.finish(),
            index: context::index_key(toc, booklet, content),
            frame: toc,
            pages: (0..booklet.entries.len())
                .map(|i| match booklet.entries[i].has_page() {
                    // Every page holds the sommaire beside its text.
                    true => context::hash(&(context::page_key(booklet, i, content), toc)),
                    false => 0,
                })
                .collect(),
            blocks: booklet
                .order
                .iter()
                .map(|&item| context::block_key(booklet, item, toc, content))
                .collect(),
        }
    }
}

/// The outputs to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Stylesheets, static assets, 404 and sitemap.
    pub shared: bool,
    pub index: bool,
    /// The print edition's frame.
    pub frame: bool,
    /// By entry: its web page.
    pub pages: Vec<bool>,
    /// By position in document order: the print block.
    pub blocks: Vec<bool>,
}

impl Plan {
    /// Whether it renders any of the print edition.
    pub fn prints(&self) -> bool {
        self.frame || self.blocks.iter().any(|&b| b)
    }

    /// Everything.
    pub fn all(booklet: &Booklet) -> Plan {
        Plan {
            shared: true,
            index: true,
            frame: true,
            pages: booklet.entries.iter().map(|e| e.has_page()).collect(),
            blocks: vec![true; booklet.order.len()],
        }
    }

    /// What changed from `before` to `now`, two fingerprints of the same structure (equal
    /// `global`): the shared files depend on nothing else and stay.
    pub fn changed(now: &Fingerprints, before: &Fingerprints) -> Plan {
        let stale = |new: &[u64], old: &[u64]| -> Vec<bool> {
            new.iter()
                .enumerate()
                .map(|(i, n)| old.get(i) != Some(n))
                .collect()
        };
        let mut pages = stale(&now.pages, &before.pages);
        for (i, key) in now.pages.iter().enumerate() {
            if *key == 0 {
                pages[i] = false; // no web page
            }
        }
        Plan {
            shared: false,
            index: now.index != before.index,
            frame: now.frame != before.frame,
            pages,
            blocks: stale(&now.blocks, &before.blocks),
        }
    }
}

/// A fingerprint of anything hashable (the theme's files, for instance).
pub fn fingerprint(value: &impl Hash) -> u64 {
    hash(value)
}

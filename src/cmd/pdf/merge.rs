//! Joining the PDFs Chromium printed for the chunks of a print edition (`chunks`) into one
//! document, as if it had been printed in one piece: the pages in order (less each chunk's
//! padding pages), the named destinations of every chunk (so links between chunks and the
//! sommaire's page numbers resolve), and one tagged structure: a single `Document` element
//! holding each chunk's elements in order, and one parent tree whose keys are renumbered
//! chunk after chunk (pages' `/StructParents`, annotations' `/StructParent`). Each chunk keeps
//! its own embedded font subsets. Bookmarks and metadata are `finish`'s.

use std::collections::{BTreeMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary};

use super::inspect::deref;
use crate::error::{Error, Result};

/// One chunk's PDF and the padding pages to drop: `lead` at the start, `trail` at the end.
pub struct Part<'a> {
    pub pdf: &'a [u8],
    pub lead: usize,
    pub trail: usize,
}

/// Page attributes a page inherits from its ancestors in the page tree.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// What the parts add up to while they are read.
#[derive(Default)]
struct Merged {
    objects: BTreeMap<ObjectId, Object>,
    pages: Vec<ObjectId>,
    dests: Dictionary,
    /// The parent tree's pairs, renumbered.
    nums: Vec<(i64, Object)>,
    next_key: i64,
    /// The first chunk's `Document` element, and every chunk's elements under it.
    document: Option<ObjectId>,
    kids: Vec<Object>,
    catalog: Option<Dictionary>,
    info: Option<Object>,
    next_id: u32,
}

/// The parts as one PDF document (saved by `finish`, with its bookmarks).
pub fn join(parts: &[Part]) -> Result<Document> {
    let mut merged = Merged {
        next_id: 1,
        ..Merged::default()
    };
    for (i, part) in parts.iter().enumerate() {
        let doc = super::inspect::load(part.pdf, &format!("the PDF of chunk {}", i + 1))?;
        merged.add(doc, part.lead, part.trail, i + 1)?;
    }
    let mut doc = merged.finish()?;
    doc.prune_objects();
    Ok(doc)
}

impl Merged {
    fn add(&mut self, mut doc: Document, lead: usize, trail: usize, n: usize) -> Result<()> {
        let highest = doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
        shift(&mut doc, self.next_id - 1);
        self.next_id += highest.max(doc.max_id) + 1;
        let all: Vec<ObjectId> = doc.get_pages().into_values().collect();
        if all.len() < lead + trail + 1 {
            return Err(Error::Invariant(format!(
                "chunk {n} printed {} pages, fewer than its {} padding pages and one page",
                all.len(),
                lead + trail
            )));
        }
        let kept = &all[lead..all.len() - trail];
        let kept_set: HashSet<ObjectId> = kept.iter().copied().collect();
        let key_base = self.next_key;
        for &page in kept {
            inherit(&mut doc, page);
            renumber_keys(&mut doc, page, key_base);
        }
        self.pages.extend_from_slice(kept);
        let catalog = doc
            .catalog()
            .map_err(|e| Error::other(format!("chunk {n}'s PDF has no catalog: {e}")))?
            .clone();
        if let Ok(dests) = catalog.get(b"Dests").and_then(|d| deref(&doc, d).as_dict()) {
            for (name, dest) in dests.iter() {
                let dest = deref(&doc, dest);
                let page = match dest {
                    Object::Array(a) => a.first(),
                    Object::Dictionary(d) => {
                        d.get(b"D").ok().and_then(|d| d.as_array().ok()?.first())
                    }
                    _ => None,
                };
                let on_kept = page
                    .and_then(|p| p.as_reference().ok())
                    .is_some_and(|p| kept_set.contains(&p));
                if on_kept && !self.dests.has(name) {
                    self.dests.set(name.clone(), dest.clone());
                }
            }
        }
        self.add_structure(&doc, &catalog, key_base);
        if self.catalog.is_none() {
            self.catalog = Some(catalog);
            self.info = doc.trailer.get(b"Info").ok().cloned();
        }
        self.objects.append(&mut doc.objects);
        Ok(())
    }

    /// Adds a chunk's structure tree: its top elements go under the first chunk's `Document`
    /// element, its parent tree's keys move up by `key_base`.
    fn add_structure(&mut self, doc: &Document, catalog: &Dictionary, key_base: i64) {
        let Ok(root) = catalog
            .get(b"StructTreeRoot")
            .and_then(|r| deref(doc, r).as_dict())
        else {
            return;
        };
        let top: Vec<Object> = match root.get(b"K") {
            Ok(k) => match deref(doc, k) {
                Object::Array(a) => a.clone(),
                _ => vec![k.clone()],
            },
            Err(_) => Vec::new(),
        };
        // Chromium writes one `Document` element; its children are the chunk's content.
        for element in top {
            let dict = element
                .as_reference()
                .ok()
                .and_then(|id| doc.get_dictionary(id).ok().map(|d| (id, d)));
            match dict {
                Some((id, d)) if d.get(b"S").ok() == Some(&Object::Name(b"Document".to_vec())) => {
                    if self.document.is_none() {
                        self.document = Some(id);
                    }
                    if let Ok(k) = d.get(b"K") {
                        match deref(doc, k) {
                            Object::Array(a) => self.kids.extend(a.iter().cloned()),
                            _ => self.kids.push(k.clone()),
                        }
                    }
                }
                _ => self.kids.push(element),
            }
        }
        if let Ok(tree) = root.get(b"ParentTree") {
            let mut pairs = Vec::new();
            number_tree(doc, tree, &mut pairs, 0);
            let mut next = root
                .get(b"ParentTreeNextKey")
                .and_then(Object::as_i64)
                .unwrap_or(0);
            for (key, value) in pairs {
                next = next.max(key + 1);
                self.nums.push((key + key_base, value));
            }
            self.next_key = key_base + next;
        }
    }

    /// The joined document: one page tree, one catalog, one structure tree.
    fn finish(self) -> Result<Document> {
        let mut doc = Document::with_version("1.4");
        doc.objects = self.objects;
        doc.max_id = self.next_id;
        let pages_id = doc.new_object_id();
        for &page in &self.pages {
            if let Ok(dict) = doc.get_dictionary_mut(page) {
                dict.set("Parent", pages_id);
            }
        }
        let count = self.pages.len() as i64;
        let kids: Vec<Object> = self.pages.into_iter().map(Object::Reference).collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
        );
        let mut catalog = self
            .catalog
            .ok_or_else(|| Error::Invariant("no chunk to join".into()))?;
        catalog.set("Pages", pages_id);
        let dests = doc.add_object(Object::Dictionary(self.dests));
        catalog.set("Dests", dests);
        if let Some(document) = self.document {
            for kid in &self.kids {
                if let Ok(id) = kid.as_reference()
                    && let Ok(dict) = doc.get_dictionary_mut(id)
                    && dict.has(b"P")
                {
                    dict.set("P", document);
                }
            }
            if let Ok(dict) = doc.get_dictionary_mut(document) {
                dict.set("K", self.kids);
            }
            let mut nums = self.nums;
            nums.sort_by_key(|(k, _)| *k);
            let nums: Vec<Object> = nums
                .into_iter()
                .flat_map(|(k, v)| [Object::Integer(k), v])
                .collect();
            let tree = doc.add_object(dictionary! { "Nums" => nums });
            let root = doc.add_object(dictionary! {
                "Type" => "StructTreeRoot",
                "K" => document,
                "ParentTree" => tree,
                "ParentTreeNextKey" => self.next_key,
            });
            if let Ok(dict) = doc.get_dictionary_mut(document) {
                dict.set("P", root);
            }
            catalog.set("StructTreeRoot", root);
        }
        let catalog = doc.add_object(Object::Dictionary(catalog));
        doc.trailer = dictionary! { "Root" => catalog };
        if let Some(info) = self.info {
            doc.trailer.set("Info", info);
        }
        Ok(doc)
    }
}

/// Moves every object number of `doc` up by `by`, references and trailer included.
fn shift(doc: &mut Document, by: u32) {
    if by == 0 {
        return;
    }
    let objects = std::mem::take(&mut doc.objects);
    doc.objects = objects
        .into_iter()
        .map(|((n, g), mut o)| {
            shift_refs(&mut o, by);
            ((n + by, g), o)
        })
        .collect();
    for (_, value) in doc.trailer.iter_mut() {
        shift_refs(value, by);
    }
}

fn shift_refs(object: &mut Object, by: u32) {
    match object {
        Object::Reference(id) => id.0 += by,
        Object::Array(a) => a.iter_mut().for_each(|o| shift_refs(o, by)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| shift_refs(o, by)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| shift_refs(o, by)),
        _ => {}
    }
}

/// Copies onto `page` what it inherits from its ancestors, before it changes parent.
fn inherit(doc: &mut Document, page: ObjectId) {
    let mut found: Vec<(&[u8], Object)> = Vec::new();
    let Ok(dict) = doc.get_dictionary(page) else {
        return;
    };
    let mut parent = dict.get(b"Parent").and_then(Object::as_reference).ok();
    let mut missing: Vec<&[u8]> = INHERITED.into_iter().filter(|k| !dict.has(k)).collect();
    let mut guard = 0;
    while let Some(id) = parent
        && !missing.is_empty()
        && guard < 32
    {
        guard += 1;
        let Ok(node) = doc.get_dictionary(id) else {
            break;
        };
        missing.retain(|key| match node.get(key) {
            Ok(value) => {
                found.push((key, value.clone()));
                false
            }
            Err(_) => true,
        });
        parent = node.get(b"Parent").and_then(Object::as_reference).ok();
    }
    if let Ok(dict) = doc.get_dictionary_mut(page) {
        for (key, value) in found {
            dict.set(key.to_vec(), value);
        }
    }
}

/// Moves the parent-tree keys of a page and of its annotations up by `by`.
fn renumber_keys(doc: &mut Document, page: ObjectId, by: i64) {
    if by == 0 {
        return;
    }
    let mut annots = Vec::new();
    if let Ok(dict) = doc.get_dictionary_mut(page) {
        if let Ok(key) = dict.get(b"StructParents").and_then(Object::as_i64) {
            dict.set("StructParents", key + by);
        }
        match dict.get_mut(b"Annots") {
            Ok(Object::Array(a)) => {
                for annot in a.iter_mut() {
                    match annot {
                        Object::Reference(id) => annots.push(*id),
                        Object::Dictionary(d) => bump(d, by),
                        _ => {}
                    }
                }
            }
            Ok(Object::Reference(id)) => {
                let id = *id;
                if let Ok(Object::Array(a)) = doc.get_object(id) {
                    annots.extend(a.iter().filter_map(|o| o.as_reference().ok()));
                }
            }
            _ => {}
        }
    }
    for id in annots {
        if let Ok(d) = doc.get_dictionary_mut(id) {
            bump(d, by);
        }
    }
}

fn bump(annot: &mut Dictionary, by: i64) {
    if let Ok(key) = annot.get(b"StructParent").and_then(Object::as_i64) {
        annot.set("StructParent", key + by);
    }
}

/// The pairs of a number tree (`/Nums`, and `/Kids` below).
fn number_tree(doc: &Document, node: &Object, out: &mut Vec<(i64, Object)>, depth: usize) {
    let Ok(node) = deref(doc, node).as_dict() else {
        return;
    };
    if let Ok(nums) = node.get(b"Nums").and_then(|n| deref(doc, n).as_array()) {
        for pair in nums.chunks(2) {
            if let [key, value] = pair
                && let Ok(key) = key.as_i64()
            {
                out.push((key, value.clone()));
            }
        }
    }
    if depth < 32
        && let Ok(kids) = node.get(b"Kids").and_then(|k| deref(doc, k).as_array())
    {
        for kid in kids {
            number_tree(doc, kid, out, depth + 1);
        }
    }
}

/// The transformation a page's content starts with (`a b c d e f cm`): Chromium's device scale,
/// smaller when it shrank the document to fit something wider than the page.
pub fn first_matrix(doc: &Document, page: ObjectId) -> Option<Vec<u8>> {
    let content = doc.get_page_content(page);
    let end = memchr::memmem::find(&content[..content.len().min(256)], b" cm")?;
    Some(content[..end].to_vec())
}

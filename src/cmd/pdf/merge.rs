//! Joining the PDFs Chromium printed for the chunks of a print edition (`chunks`) into one
//! document, as if it had been printed in one piece: the pages in order (less each chunk's
//! padding pages), the named destinations of every chunk (so links between chunks and the
//! sommaire's page numbers resolve), and one tagged structure: a single `Document` element
//! holding each chunk's elements in order, and one parent tree whose keys are renumbered
//! chunk after chunk (pages' `/StructParents`, annotations' `/StructParent`). Each chunk keeps
//! its own embedded font subsets. Bookmarks and metadata are `finish`'s.
//!
//! A big booklet's objects are not all held at once: as each chunk is read, the objects
//! `finish` never changes (content streams, fonts, structure elements, annotations) are
//! written out as PDF text, and only the rest stays a document (`Joined`: the catalog, the
//! page tree and pages, the structure tree's root, the destinations, the document
//! information). `Joined::save` writes that after them, with the cross-reference table.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, Writer, dictionary};

use super::inspect::deref;
use crate::error::{Error, Result};

/// One chunk's PDF and the padding pages to drop: `lead` at the start, `trail` at the end.
pub struct Part {
    pub pdf: Vec<u8>,
    pub lead: usize,
    pub trail: usize,
}

/// Page attributes a page inherits from its ancestors in the page tree.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];
/// The version the file declares: 1.5 for its cross-reference stream, 1.7 for the tagged
/// structure Chromium writes (PDF/UA is based on it).
const VERSION: &str = "1.7";

/// A joined booklet: `doc` holds what `finish` changes (its `max_id` is above every object
/// written); every other object is already written out, in `body`.
pub struct Joined {
    pub doc: Document,
    body: Body,
}

/// A PDF file being written: its header, then indirect objects, each where `offsets` says.
struct Body {
    bytes: Vec<u8>,
    offsets: Vec<(ObjectId, usize)>,
}

impl Default for Body {
    fn default() -> Body {
        let mut bytes = format!("%PDF-{VERSION}\n").into_bytes();
        // The line that marks the file binary.
        bytes.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
        Body {
            bytes,
            offsets: Vec::new(),
        }
    }
}

impl Body {
    /// Writes `object` as the indirect object `id`.
    fn write(&mut self, id: ObjectId, object: &Object) -> Result<()> {
        let out = &mut self.bytes;
        self.offsets.push((id, out.len()));
        let gap = |needed: bool| if needed { " " } else { "" };
        let written = write!(
            out,
            "{} {} obj\n{}",
            id.0,
            id.1,
            gap(Writer::need_separator(object))
        )
        .and_then(|()| Writer::write_object(out, object))
        .and_then(|()| write!(out, "{}\nendobj\n", gap(Writer::need_end_separator(object))));
        written.map_err(|e| Error::other(format!("cannot write the PDF: {e}")))
    }
}

impl Joined {
    /// A document printed in one piece: nothing written out yet.
    pub fn whole(mut doc: Document) -> Joined {
        doc.prune_objects();
        Joined {
            doc,
            body: Body::default(),
        }
    }

    /// The PDF file: the objects written out, then the document's, the cross-reference
    /// stream (object 0 heading the free list, then subsections of consecutive object
    /// numbers, the stream itself last) and the trailer.
    pub fn save(self) -> Result<Vec<u8>> {
        let Joined { doc, mut body } = self;
        for (&id, object) in &doc.objects {
            body.write(id, object)?;
        }
        let mut offsets = std::mem::take(&mut body.offsets);
        offsets.sort_unstable_by_key(|(id, _)| *id);
        let xref_id = offsets.last().map_or(1, |((n, _), _)| n + 1);
        let xref_at = body.bytes.len();
        offsets.push(((xref_id, 0), xref_at));
        let width = (1..8).find(|w| xref_at >> (8 * w) == 0).unwrap_or(8);
        let mut rows = Vec::with_capacity((offsets.len() + 1) * (width + 3));
        let mut index = Vec::new();
        let row = |rows: &mut Vec<u8>, kind: u8, value: usize, generation: u16| {
            rows.push(kind);
            rows.extend_from_slice(&(value as u64).to_be_bytes()[8 - width..]);
            rows.extend_from_slice(&generation.to_be_bytes());
        };
        row(&mut rows, 0, 0, 65535);
        let (mut start, mut count) = (0u32, 1i64);
        for &((n, g), at) in &offsets {
            if n != start + count as u32 {
                index.extend([Object::Integer(i64::from(start)), Object::Integer(count)]);
                (start, count) = (n, 0);
            }
            row(&mut rows, 1, at, g);
            count += 1;
        }
        index.extend([Object::Integer(i64::from(start)), Object::Integer(count)]);
        let mut dict = doc.trailer.clone();
        for key in [&b"Prev"[..], b"XRefStm", b"Filter", b"DecodeParms"] {
            dict.remove(key);
        }
        dict.set("Type", Object::Name(b"XRef".to_vec()));
        dict.set("Size", i64::from(xref_id) + 1);
        dict.set("Index", index);
        let w = [1, width as i64, 2].map(Object::Integer).to_vec();
        dict.set("W", w);
        let mut stream = lopdf::Stream::new(dict, rows);
        stream
            .compress()
            .map_err(|e| Error::other(format!("cannot write the PDF: {e}")))?;
        body.write((xref_id, 0), &Object::Stream(stream))?;
        let mut bytes = body.bytes;
        bytes.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF\n").as_bytes());
        Ok(bytes)
    }
}

/// What the parts add up to while they are read.
#[derive(Default)]
struct Merged {
    /// The objects kept as a document: the pages, the `Document` element, the information.
    objects: BTreeMap<ObjectId, Object>,
    /// The objects written out so far.
    body: Body,
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

/// The parts as one PDF document (saved by `finish`, with its bookmarks). Each part's bytes
/// go as soon as it is read.
pub fn join(parts: Vec<Part>) -> Result<Joined> {
    let mut merged = Merged {
        next_id: 1,
        ..Merged::default()
    };
    for (i, part) in parts.into_iter().enumerate() {
        let doc = super::inspect::load(&part.pdf, &format!("the PDF of chunk {}", i + 1))?;
        drop(part.pdf);
        merged.add(doc, part.lead, part.trail, i + 1)?;
    }
    merged.finish()
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
        self.add_dests(&doc, &catalog, &kept_set);
        let first_kid = self.kids.len();
        let first_key = self.nums.len();
        let had_document = self.document.is_some();
        self.add_structure(&doc, &catalog, key_base);
        // Every chunk's top elements hang under the one `Document` element.
        if let Some(document) = self.document {
            for kid in &self.kids[first_kid..] {
                if let Ok(id) = kid.as_reference()
                    && let Ok(dict) = doc.get_dictionary_mut(id)
                    && dict.has(b"P")
                {
                    dict.set("P", document);
                }
            }
        }
        // What stays a document; everything it reaches is written out now.
        let mut keep: HashSet<ObjectId> = kept_set.clone();
        let mut roots: Vec<Object> = Vec::new();
        if let Some(document) = self.document.filter(|_| !had_document) {
            keep.insert(document);
        }
        if self.catalog.is_none() {
            self.info = doc.trailer.get(b"Info").ok().cloned();
            if let Some(Ok(info)) = self.info.as_ref().map(Object::as_reference) {
                keep.insert(info);
                roots.extend(
                    doc.get_dictionary(info)
                        .iter()
                        .flat_map(|d| d.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>()),
                );
            }
            for (key, value) in catalog.iter() {
                if !matches!(key.as_slice(), b"Pages" | b"Dests" | b"StructTreeRoot") {
                    roots.push(value.clone());
                }
            }
            self.catalog = Some(catalog);
        }
        for &page in kept {
            if let Ok(dict) = doc.get_dictionary(page) {
                roots.extend(
                    dict.iter()
                        .filter(|(k, _)| k.as_slice() != b"Parent")
                        .map(|(_, v)| v.clone()),
                );
            }
        }
        roots.extend(self.kids[first_kid..].iter().cloned());
        roots.extend(self.nums[first_key..].iter().map(|(_, v)| v.clone()));
        self.spill(doc, roots, keep, &kept_set)
    }

    /// Keeps the named destinations of `doc` that point to its kept pages (the first chunk
    /// that names one wins).
    fn add_dests(&mut self, doc: &Document, catalog: &Dictionary, kept: &HashSet<ObjectId>) {
        if let Ok(dests) = catalog.get(b"Dests").and_then(|d| deref(doc, d).as_dict()) {
            for (name, dest) in dests.iter() {
                let dest = deref(doc, dest);
                let page = match dest {
                    Object::Array(a) => a.first(),
                    Object::Dictionary(d) => {
                        d.get(b"D").ok().and_then(|d| d.as_array().ok()?.first())
                    }
                    _ => None,
                };
                let on_kept = page
                    .and_then(|p| p.as_reference().ok())
                    .is_some_and(|p| kept.contains(&p));
                if on_kept && !self.dests.has(name) {
                    self.dests.set(name.clone(), dest.clone());
                }
            }
        }
    }

    /// Moves `keep` into the joined document and writes out what `roots` reach of the rest
    /// of `doc` (short of `keep` and of the pages not in `pages`).
    fn spill(
        &mut self,
        mut doc: Document,
        roots: Vec<Object>,
        keep: HashSet<ObjectId>,
        pages: &HashSet<ObjectId>,
    ) -> Result<()> {
        let spilled = reachable(&doc, roots, &keep, pages);
        for id in keep {
            if let Some(object) = doc.objects.remove(&id) {
                self.objects.insert(id, object);
            }
        }
        for id in spilled {
            if let Some(object) = doc.objects.get(&id) {
                self.body.write(id, object)?;
            }
        }
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
    fn finish(self) -> Result<Joined> {
        let mut doc = Document::with_version(VERSION);
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
        Ok(Joined {
            doc,
            body: self.body,
        })
    }
}

/// The objects `roots` reach in `doc`, in order, short of those in `keep` and of pages not in
/// `pages` (a chunk's padding).
fn reachable(
    doc: &Document,
    roots: Vec<Object>,
    keep: &HashSet<ObjectId>,
    pages: &HashSet<ObjectId>,
) -> Vec<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack = Vec::new();
    for root in &roots {
        refs(root, &mut stack);
    }
    while let Some(id) = stack.pop() {
        if keep.contains(&id) || seen.contains(&id) {
            continue;
        }
        let Some(object) = doc.objects.get(&id) else {
            continue;
        };
        let page = matches!(object, Object::Dictionary(d)
            if d.get(b"Type").ok() == Some(&Object::Name(b"Page".to_vec())));
        if page && !pages.contains(&id) {
            continue;
        }
        seen.insert(id);
        refs(object, &mut stack);
    }
    let mut ids: Vec<ObjectId> = seen.into_iter().collect();
    ids.sort_unstable();
    ids
}

/// Pushes every object `object` refers to.
fn refs(object: &Object, out: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(a) => a.iter().for_each(|o| refs(o, out)),
        Object::Dictionary(d) => d.iter().for_each(|(_, o)| refs(o, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, o)| refs(o, out)),
        _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF as a chunk prints it: a padding page, one page of content with a font, a link
    /// annotation and a structure element, then the padding page of stubs; `name` is the id
    /// its content page defines.
    fn chunk(name: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut doc = Document::with_version("1.4");
        let pages = doc.new_object_id();
        let font = doc.add_object(
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" },
        );
        let page = |text: &str, doc: &mut Document| {
            let content = doc.add_object(lopdf::Stream::new(
                Dictionary::new(),
                format!("BT /F1 12 Tf 10 10 Td ({text}) Tj ET").into_bytes(),
            ));
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages, "Contents" => content,
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            })
        };
        let lead = page("lead", &mut doc);
        let body = page(name, &mut doc);
        let trail = page("stubs", &mut doc);
        let annot = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![0.into(), 0.into(), 9.into(), 9.into()],
            "StructParent" => 1, "Dest" => Object::string_literal("elsewhere"),
        });
        let page_dict = doc.get_dictionary_mut(body)?;
        page_dict.set("Annots", vec![Object::Reference(annot)]);
        page_dict.set("StructParents", 0);
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Count" => 3,
                "MediaBox" => vec![0.into(), 0.into(), 420.into(), 595.into()],
                "Kids" => vec![lead.into(), body.into(), trail.into()],
            }),
        );
        let root = doc.new_object_id();
        let document = doc.new_object_id();
        let element = doc.add_object(dictionary! {
            "Type" => "StructElem", "S" => "P", "P" => document, "Pg" => body, "K" => 0,
        });
        doc.objects.insert(
            document,
            Object::Dictionary(dictionary! { "Type" => "StructElem", "S" => "Document", "P" => root, "K" => vec![element.into()] }),
        );
        let tree = doc.add_object(dictionary! { "Nums" => vec![0.into(), vec![Object::Reference(element)].into(), 1.into(), element.into()] });
        doc.objects.insert(
            root,
            Object::Dictionary(dictionary! { "Type" => "StructTreeRoot", "K" => document, "ParentTree" => tree, "ParentTreeNextKey" => 2 }),
        );
        let fit = |page| vec![Object::Reference(page), "Fit".into()];
        let dests = doc.add_object(dictionary! { name => fit(body), "elsewhere" => fit(trail) });
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages, "Dests" => dests, "StructTreeRoot" => root,
            "MarkInfo" => dictionary! { "Marked" => true },
        });
        let info = doc.add_object(dictionary! { "Producer" => Object::string_literal("test") });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)?;
        Ok(bytes)
    }

    /// Every reference in `doc` resolves.
    fn dangling(doc: &Document) -> Vec<ObjectId> {
        let mut found = Vec::new();
        for object in doc.objects.values() {
            refs(object, &mut found);
        }
        refs(&Object::Dictionary(doc.trailer.clone()), &mut found);
        found.retain(|id| !doc.objects.contains_key(id));
        found
    }

    #[test]
    fn chunks_join_into_one_document_without_their_padding() -> crate::error::TestResult {
        let mut parts = Vec::new();
        for name in ["a", "b"] {
            parts.push(Part {
                pdf: chunk(name)?,
                lead: 1,
                trail: 1,
            });
        }
        let bytes = join(parts)?.save()?;
        assert!(bytes.starts_with(b"%PDF-1.7\n"));
        let doc = Document::load_mem(&bytes)?;
        let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
        assert_eq!(pages.len(), 2);
        let texts: Vec<String> = pages
            .iter()
            .map(|&p| String::from_utf8_lossy(&doc.get_page_content(p)).into_owned())
            .collect();
        assert!(
            texts[0].contains("(a)") && texts[1].contains("(b)"),
            "{texts:?}"
        );
        // Neither the padding pages nor their content streams are written.
        let page_objects = doc
            .objects
            .values()
            .filter(|o| matches!(o, Object::Dictionary(d) if d.get(b"Type").ok() == Some(&Object::Name(b"Page".to_vec()))))
            .count();
        assert_eq!(page_objects, 2);
        assert!(!String::from_utf8_lossy(&bytes).contains("(lead)"));
        assert_eq!(dangling(&doc), Vec::<ObjectId>::new());
        // Each chunk's destination lands on its page; the stubs' are gone.
        let dests = super::super::inspect::destinations(&doc);
        assert_eq!(
            dests.into_iter().collect::<Vec<_>>(),
            [("a".to_string(), 1), ("b".to_string(), 2)]
        );
        // One Document element holds both chunks' elements, which point back at it; the
        // second chunk's parent-tree keys follow the first's.
        let root = doc.catalog()?.get(b"StructTreeRoot")?.as_reference()?;
        let root = doc.get_dictionary(root)?;
        let document = root.get(b"K")?.as_reference()?;
        let kids = doc.get_dictionary(document)?.get(b"K")?.as_array()?.clone();
        assert_eq!(kids.len(), 2);
        for kid in &kids {
            let kid = doc.get_dictionary(kid.as_reference()?)?;
            assert_eq!(kid.get(b"P")?.as_reference()?, document);
        }
        assert_eq!(root.get(b"ParentTreeNextKey")?.as_i64()?, 4);
        let second = doc.get_dictionary(pages[1])?;
        assert_eq!(second.get(b"StructParents")?.as_i64()?, 2);
        Ok(())
    }

    #[test]
    fn a_document_printed_whole_saves_as_it_reads() -> crate::error::TestResult {
        let doc = Document::load_mem(&chunk("a")?)?;
        let bytes = Joined::whole(doc).save()?;
        let again = Document::load_mem(&bytes)?;
        assert_eq!(again.get_pages().len(), 3);
        assert_eq!(dangling(&again), Vec::<ObjectId>::new());
        let info = again.trailer.get(b"Info")?.as_reference()?;
        assert_eq!(
            again.get_dictionary(info)?.get(b"Producer")?.as_str()?,
            b"test"
        );
        Ok(())
    }
}

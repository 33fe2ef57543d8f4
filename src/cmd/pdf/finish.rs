//! The last touches on the PDF Chromium printed: document metadata (title, author, subject,
//! language, creator) and the bookmarks. Chromium can build an outline from the headings
//! (`--generate-pdf-document-outline`), but its titles lose the spaces where a heading wraps
//! ("desmigrant.e.s"), take `text-transform` capitals, sometimes come twice, and it nests every
//! "En bref" under the cover's `<h1>`. So the bookmarks are written here instead, from the
//! booklet's own titles, pointing at the named destinations Chromium wrote for the same ids.
//! Everything else — the tagged structure, fonts, links — is kept as it is.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Object, ObjectId, dictionary, text_string};

use super::inspect::deref;
use super::merge::Joined;

use crate::error::{Error, Result};

/// What the finished PDF says about itself.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub title: String,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub lang: String,
    pub creator: String,
}

/// One bookmark to write.
#[derive(Debug, Clone)]
pub struct OutlineItem {
    pub title: String,
    pub target: Target,
    pub children: Vec<OutlineItem>,
}

/// Where a bookmark opens.
#[derive(Debug, Clone)]
pub enum Target {
    /// A page (1-based).
    Page(u32),
    /// The named destination of an element id.
    Anchor(String),
}

/// The finished PDF and how many blank pages were added.
pub struct Finished {
    pub bytes: Vec<u8>,
    pub pages: usize,
    pub blanks: usize,
}

/// Sets the metadata, writes the bookmarks and pads the page count to a multiple of 4 (what a
/// saddle-stitched booklet needs) with blank pages before the last page, the back cover.
pub fn finish(joined: Joined, meta: &Metadata, outline: &[OutlineItem]) -> Result<Finished> {
    let mut joined = joined;
    let doc = &mut joined.doc;
    set_metadata(doc, meta)?;
    write_outline(doc, outline)?;
    let (pages, blanks) = pad(doc)?;
    Ok(Finished {
        bytes: joined.save()?,
        pages,
        blanks,
    })
}

/// Pads a document of more than one page to a multiple of 4 pages with blank pages before
/// its last; returns its pages and the blanks added.
pub(super) fn pad(doc: &mut Document) -> Result<(usize, usize)> {
    let pages = doc.get_pages().len();
    let blanks = match pages {
        0 | 1 => 0,
        _ => super::impose::padded(pages) - pages,
    };
    insert_blanks(doc, blanks)?;
    Ok((pages + blanks, blanks))
}

/// Inserts `count` empty pages, the size of the last page, just before it.
fn insert_blanks(doc: &mut Document, count: usize) -> Result<()> {
    if count == 0 {
        return Ok(());
    }
    let failed = |e: lopdf::Error| Error::other(format!("cannot add blank pages: {e}"));
    let last = *doc
        .get_pages()
        .values()
        .next_back()
        .ok_or_else(|| Error::other("the PDF has no pages"))?;
    let media_box = super::inspect::media_box(doc, last)
        .ok_or_else(|| Error::other("the last page has no size"))?;
    let parent = doc
        .get_dictionary(last)
        .and_then(|d| d.get(b"Parent"))
        .and_then(Object::as_reference)
        .map_err(failed)?;
    let blanks: Vec<Object> = (0..count)
        .map(|_| {
            Object::Reference(doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => parent,
                "MediaBox" => media_box.iter().map(|&v| Object::Real(v)).collect::<Vec<_>>(),
                "Resources" => Dictionary::new(),
            }))
        })
        .collect();
    let kids = doc
        .get_dictionary_mut(parent)
        .and_then(|p| p.get_mut(b"Kids"))
        .and_then(Object::as_array_mut)
        .map_err(failed)?;
    let at = kids
        .iter()
        .position(|k| k.as_reference().ok() == Some(last))
        .ok_or_else(|| Error::other("the page tree does not list its last page"))?;
    kids.splice(at..at, blanks);
    // Every ancestor counts the new pages.
    let mut node = Some(parent);
    let mut guard = 0;
    while let Some(id) = node {
        guard += 1;
        let dict = doc.get_dictionary_mut(id).map_err(failed)?;
        let n = dict.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
        dict.set("Count", n + count as i64);
        node = dict.get(b"Parent").and_then(Object::as_reference).ok();
        if guard > 64 {
            break;
        }
    }
    Ok(())
}

/// The document information entries `meta` gives (title, author, subject, creator).
pub(super) fn info_entries(meta: &Metadata) -> Vec<(&'static str, Object)> {
    let mut entries = vec![("Title", text_string(&meta.title))];
    if let Some(author) = &meta.author {
        entries.push(("Author", text_string(author)));
    }
    if let Some(subject) = &meta.subject {
        entries.push(("Subject", text_string(subject)));
    }
    entries.push(("Creator", text_string(&meta.creator)));
    entries
}

fn set_metadata(doc: &mut Document, meta: &Metadata) -> Result<()> {
    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    let info = doc
        .get_dictionary_mut(info_id)
        .map_err(|e| Error::other(format!("the PDF has no usable /Info: {e}")))?;
    for (key, value) in info_entries(meta) {
        info.set(key, value);
    }
    let catalog = doc
        .catalog_mut()
        .map_err(|e| Error::other(format!("the PDF has no catalog: {e}")))?;
    catalog.set("Lang", text_string(&meta.lang));
    // Viewers show the title rather than the file name.
    let mut prefs = Dictionary::new();
    prefs.set("DisplayDocTitle", true);
    catalog.set("ViewerPreferences", prefs);
    Ok(())
}

/// Replaces the document outline with `items`, every item open.
fn write_outline(doc: &mut Document, items: &[OutlineItem]) -> Result<()> {
    let pages = doc.get_pages();
    let named = named_destinations(doc);
    let root = doc.new_object_id();
    let (first, last, count) = add_items(doc, root, items, &pages, &named)?;
    let mut dict = dictionary! { "Type" => "Outlines", "Count" => count as i64 };
    if let (Some(f), Some(l)) = (first, last) {
        dict.set("First", f);
        dict.set("Last", l);
    }
    doc.objects.insert(root, Object::Dictionary(dict));
    let catalog = doc
        .catalog_mut()
        .map_err(|e| Error::other(format!("the PDF has no catalog: {e}")))?;
    catalog.set("Outlines", root);
    if !items.is_empty() {
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    Ok(())
}

type Added = (Option<ObjectId>, Option<ObjectId>, usize);

fn add_items(
    doc: &mut Document,
    parent: ObjectId,
    items: &[OutlineItem],
    pages: &BTreeMap<u32, ObjectId>,
    named: &BTreeMap<Vec<u8>, Object>,
) -> Result<Added> {
    let ids: Vec<ObjectId> = items.iter().map(|_| doc.new_object_id()).collect();
    let mut visible = 0;
    for (i, item) in items.iter().enumerate() {
        let dest = match &item.target {
            Target::Page(n) => {
                let page = pages.get(n).ok_or_else(|| {
                    Error::other(format!(
                        "bookmark `{}`: the PDF has no page {n}",
                        item.title
                    ))
                })?;
                Object::Array(vec![
                    Object::Reference(*page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Null,
                    Object::Integer(0),
                ])
            }
            Target::Anchor(a) => named.get(a.as_bytes()).cloned().ok_or_else(|| {
                Error::other(format!(
                    "bookmark `{}`: the PDF has no destination #{a}",
                    item.title
                ))
            })?,
        };
        let (first, last, below) = add_items(doc, ids[i], &item.children, pages, named)?;
        visible += 1 + below;
        let mut dict = dictionary! {
            "Title" => text_string(&item.title),
            "Parent" => parent,
            "Dest" => dest,
        };
        if i > 0 {
            dict.set("Prev", ids[i - 1]);
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", *next);
        }
        if let (Some(f), Some(l)) = (first, last) {
            dict.set("First", f);
            dict.set("Last", l);
            dict.set("Count", below as i64);
        }
        doc.objects.insert(ids[i], Object::Dictionary(dict));
    }
    Ok((ids.first().copied(), ids.last().copied(), visible))
}

/// The explicit destination arrays of the catalog's `/Dests` and `/Names /Dests`, by name.
fn named_destinations(doc: &Document) -> BTreeMap<Vec<u8>, Object> {
    let mut out = BTreeMap::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    if let Ok(dests) = catalog.get(b"Dests").and_then(|d| deref(doc, d).as_dict()) {
        for (name, dest) in dests.iter() {
            if let Some(array) = explicit(doc, dest) {
                out.insert(name.clone(), array);
            }
        }
    }
    if let Ok(tree) = catalog
        .get(b"Names")
        .and_then(|n| deref(doc, n).as_dict())
        .and_then(|n| n.get(b"Dests"))
    {
        let mut stack = vec![(tree, 0)];
        while let Some((node, depth)) = stack.pop() {
            let Ok(node) = deref(doc, node).as_dict() else {
                continue;
            };
            if let Ok(names) = node.get(b"Names").and_then(|n| deref(doc, n).as_array()) {
                for pair in names.chunks(2) {
                    if let [key, dest] = pair
                        && let Ok(key) = deref(doc, key).as_str()
                        && let Some(array) = explicit(doc, dest)
                    {
                        out.insert(key.to_vec(), array);
                    }
                }
            }
            if depth < 32
                && let Ok(kids) = node.get(b"Kids").and_then(|k| deref(doc, k).as_array())
            {
                stack.extend(kids.iter().map(|k| (k, depth + 1)));
            }
        }
    }
    out
}

fn explicit(doc: &Document, dest: &Object) -> Option<Object> {
    match deref(doc, dest) {
        Object::Array(a) => Some(Object::Array(a.clone())),
        Object::Dictionary(d) => Some(deref(doc, d.get(b"D").ok()?).clone()),
        _ => None,
    }
}

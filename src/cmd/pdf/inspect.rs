//! Reading a PDF that Chromium printed: on which page each named destination lands (Chromium
//! writes one for every element id that some `<a href="#id">` targets), and page sizes.
//! Read-only; `finish` edits.

use std::collections::{BTreeMap, HashMap};

use lopdf::{Document, Object, ObjectId};

use crate::error::{Error, Result};

/// Parses PDF bytes; `what` names the document in errors.
pub fn load(bytes: &[u8], what: &str) -> Result<Document> {
    Document::load_mem(bytes).map_err(|e| Error::other(format!("cannot read {what}: {e}")))
}

/// Page numbers (1-based) by object id of the page.
pub fn page_numbers(doc: &Document) -> HashMap<ObjectId, u32> {
    doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect()
}

/// Every named destination and the page (1-based) it points to: the catalog's `/Dests`
/// dictionary (what Chromium writes) and the `/Names /Dests` name tree (other producers).
pub fn destinations(doc: &Document) -> BTreeMap<String, u32> {
    let pages = page_numbers(doc);
    let mut out = BTreeMap::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    if let Ok(dests) = catalog.get(b"Dests").and_then(|d| deref(doc, d).as_dict()) {
        for (name, dest) in dests.iter() {
            if let Some(page) = dest_page(doc, dest, &pages) {
                out.insert(String::from_utf8_lossy(name).into_owned(), page);
            }
        }
    }
    if let Ok(tree) = catalog
        .get(b"Names")
        .and_then(|n| deref(doc, n).as_dict())
        .and_then(|n| n.get(b"Dests"))
    {
        name_tree(doc, tree, &pages, &mut out, 0);
    }
    out
}

fn name_tree(
    doc: &Document,
    node: &Object,
    pages: &HashMap<ObjectId, u32>,
    out: &mut BTreeMap<String, u32>,
    depth: usize,
) {
    let Ok(node) = deref(doc, node).as_dict() else {
        return;
    };
    if depth > 32 {
        return;
    }
    if let Ok(names) = node.get(b"Names").and_then(|n| deref(doc, n).as_array()) {
        for pair in names.chunks(2) {
            if let [key, dest] = pair
                && let Ok(key) = deref(doc, key).as_str()
                && let Some(page) = dest_page(doc, dest, pages)
            {
                out.insert(String::from_utf8_lossy(key).into_owned(), page);
            }
        }
    }
    if let Ok(kids) = node.get(b"Kids").and_then(|k| deref(doc, k).as_array()) {
        for kid in kids {
            name_tree(doc, kid, pages, out, depth + 1);
        }
    }
}

/// The page of an explicit destination `[page /XYZ …]` or `<< /D [page …] >>`.
fn dest_page(doc: &Document, dest: &Object, pages: &HashMap<ObjectId, u32>) -> Option<u32> {
    let dest = deref(doc, dest);
    let array = match dest {
        Object::Array(a) => a,
        Object::Dictionary(d) => deref(doc, d.get(b"D").ok()?).as_array().ok()?,
        _ => return None,
    };
    let page = array.first()?.as_reference().ok()?;
    pages.get(&page).copied()
}

/// A page's media box, inherited from the page tree when not on the page itself.
pub fn media_box(doc: &Document, page: ObjectId) -> Option<[f32; 4]> {
    let mut node = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(mb) = node.get(b"MediaBox").and_then(|m| deref(doc, m).as_array()) {
            let v: Vec<f32> = mb
                .iter()
                .filter_map(|o| deref(doc, o).as_float().ok())
                .collect();
            return (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]]);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// Follows a reference (one level is all PDF producers use here).
pub fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).map_or(object, |(_, o)| o)
}

//! Imposition for a home printer: the booklet's pages, two-up on A4 landscape sheets in
//! saddle-stitch order, to print double-sided (flip on the short edge), fold in the middle and
//! staple. The page count is padded to a multiple of 4 with blank pages, put just before the
//! last page so the back cover stays on the outside. With N pages after padding, sheet sides
//! read N|1, 2|N-1, N-2|3, 4|N-3, …
//!
//! Each booklet page becomes a form XObject (its content and resources, untouched: fonts stay
//! embedded, text stays text), drawn scaled to fit and centred in its half of the sheet.

use lopdf::{Dictionary, Object, ObjectId, Stream, dictionary};

use crate::error::{Error, Result};

/// A4 landscape, in points.
pub const SHEET: (f32, f32) = (841.89, 595.28);

/// Which booklet page (1-based, in the padded sequence) goes left and right on each sheet side.
pub fn folding_order(padded: usize) -> Vec<(usize, usize)> {
    (0..padded / 2)
        .map(|side| {
            let (low, high) = (side + 1, padded - side);
            if side % 2 == 0 {
                (high, low)
            } else {
                (low, high)
            }
        })
        .collect()
}

/// The page count padded to a multiple of 4.
pub fn padded(pages: usize) -> usize {
    pages.div_ceil(4).max(1) * 4
}

/// Where each padded position's page comes from: `Some(i)` for source page i (0-based), `None`
/// for a blank. Blanks go just before the last page (the back cover).
pub fn padded_sequence(pages: usize) -> Vec<Option<usize>> {
    let total = padded(pages);
    let mut seq: Vec<Option<usize>> = (0..pages).map(Some).collect();
    let blanks = total - pages;
    let at = pages.saturating_sub(1).max(if pages == 1 { 1 } else { 0 });
    for _ in 0..blanks {
        seq.insert(at, None);
    }
    seq
}

/// An imposed PDF and its number of A4 sides (pages).
pub struct Imposed {
    pub bytes: Vec<u8>,
    pub sides: usize,
}

/// Imposes the booklet PDF `bytes`; returns the A4 landscape PDF.
pub fn booklet(bytes: &[u8]) -> Result<Imposed> {
    let mut doc = super::inspect::load(bytes, "the booklet PDF")?;
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    if pages.is_empty() {
        return Err(Error::other("the booklet PDF has no pages to impose"));
    }
    let failed = |e: lopdf::Error| Error::other(format!("cannot impose the booklet: {e}"));

    // Every source page as a form XObject.
    let mut forms = Vec::with_capacity(pages.len());
    for &page in &pages {
        let [x0, y0, x1, y1] =
            super::inspect::media_box(&doc, page).unwrap_or([0.0, 0.0, 420.0, 595.0]);
        let content = doc.get_page_content(page);
        let resources = {
            let dict = doc.get_dictionary(page).map_err(failed)?;
            match dict.get(b"Resources") {
                Ok(r) => r.clone(),
                Err(_) => {
                    let (inherited, ids) = doc.get_page_resources(page).map_err(failed)?;
                    match (inherited, ids.first()) {
                        (Some(d), _) => Object::Dictionary(d.clone()),
                        (None, Some(&id)) => Object::Reference(id),
                        (None, None) => Object::Dictionary(Dictionary::new()),
                    }
                }
            }
        };
        let mut form = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Form",
                "BBox" => vec![x0.into(), y0.into(), x1.into(), y1.into()],
                "Resources" => resources,
            },
            content,
        );
        let _ = form.compress();
        forms.push((doc.add_object(form), (x0, y0, x1 - x0, y1 - y0)));
    }

    // The sheets.
    let pages_id = doc.new_object_id();
    let seq = padded_sequence(pages.len());
    let mut kids = Vec::new();
    let (sw, sh) = SHEET;
    let half = sw / 2.0;
    for (left, right) in folding_order(seq.len()) {
        let mut ops = String::new();
        let mut xobjects = Dictionary::new();
        for (slot, position) in [(0.0, left), (half, right)] {
            let Some(source) = seq[position - 1] else {
                continue; // a blank page
            };
            let (form, (x0, y0, w, h)) = forms[source];
            let scale = (half / w).min(sh / h);
            let tx = slot + (half - w * scale) / 2.0 - x0 * scale;
            let ty = (sh - h * scale) / 2.0 - y0 * scale;
            let name = format!("P{}", source + 1);
            ops.push_str(&format!(
                "q {scale:.5} 0 0 {scale:.5} {tx:.3} {ty:.3} cm /{name} Do Q\n"
            ));
            xobjects.set(name, form);
        }
        let mut content = Stream::new(Dictionary::new(), ops.into_bytes());
        let _ = content.compress();
        let content_id = doc.add_object(content);
        let page = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), sw.into(), sh.into()],
            "Resources" => dictionary! { "XObject" => xobjects },
            "Contents" => content_id,
        };
        kids.push(Object::Reference(doc.add_object(page)));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );

    // A new catalog: the booklet's links, bookmarks and tags point at pages that no longer exist.
    let old_catalog = doc.catalog().map_err(failed)?.clone();
    let mut catalog = dictionary! { "Type" => "Catalog", "Pages" => pages_id };
    if let Ok(lang) = old_catalog.get(b"Lang") {
        catalog.set("Lang", lang.clone());
    }
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    doc.prune_objects();
    doc.renumber_objects();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::other(format!("cannot write the imposed PDF: {e}")))?;
    Ok(Imposed {
        bytes: out,
        sides: count as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saddle_stitch_order() {
        assert_eq!(folding_order(4), vec![(4, 1), (2, 3)]);
        assert_eq!(folding_order(8), vec![(8, 1), (2, 7), (6, 3), (4, 5)]);
    }

    #[test]
    fn padding_keeps_the_back_cover_last() {
        assert_eq!(padded(42), 44);
        assert_eq!(padded(44), 44);
        assert_eq!(padded(1), 4);
        let seq = padded_sequence(6);
        assert_eq!(
            seq,
            vec![
                Some(0),
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                None,
                None,
                Some(5)
            ]
        );
        assert_eq!(padded_sequence(1), vec![Some(0), None, None, None]);
        assert_eq!(padded_sequence(4).len(), 4);
    }
}

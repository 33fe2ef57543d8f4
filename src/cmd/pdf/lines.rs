//! The set lines of a printed page, read from its content stream: where each line of text sits
//! and what it says. Copyfitting measures how full a page is from them, and the hyphenation
//! rules find the lines that end in a hyphen. Read-only.
//!
//! Chromium (Skia) writes text as `BT … Tf … Tm (glyphs) Tj … Td (glyphs) Tj … ET` inside `cm`
//! transforms, with Type0 fonts whose `/ToUnicode` map gives the characters. This reads the
//! text-positioning and text-showing operators of the PDF specification (9.4) in full, with the
//! graphics state's transform; glyph widths are not needed, because every glyph run is placed
//! by its own `Td` or `Tm`.

use std::collections::HashMap;

use lopdf::Encoding;
use lopdf::{Document, Object, ObjectId};

/// One set line: its text and its vertical extent, in points from the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The baseline.
    pub baseline: f32,
    /// The top of the line's tallest type (baseline minus its font size).
    pub top: f32,
    pub text: String,
}

impl Line {
    /// The line ends at a soft hyphen the build inserted: Chromium writes the soft hyphen and
    /// then the hyphen it drew.
    pub fn ends_at_soft_hyphen(&self) -> bool {
        self.text.trim_end().ends_with("\u{ad}-")
    }

    /// The line ends with a hyphen of any kind (a soft hyphen or a compound word's).
    pub fn ends_hyphenated(&self) -> bool {
        let text = self.text.trim_end();
        text.ends_with('-')
            && text
                .chars()
                .rev()
                .nth(1)
                .is_some_and(|c| c.is_alphabetic() || c == '\u{ad}')
    }
}

/// A 2-D affine transform `[a b c d e f]`, as PDF writes them.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` then `then`: the product self × then.
    fn then(self, then: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = then.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn apply(self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// How much the transform scales vertical lengths.
    fn y_scale(self) -> f32 {
        let [_, b, _, d, _, _] = self.0;
        (b * b + d * d).sqrt()
    }

    fn of(operands: &[Object]) -> Option<Matrix> {
        let mut m = [0.0f32; 6];
        if operands.len() != 6 {
            return None;
        }
        for (slot, o) in m.iter_mut().zip(operands) {
            *slot = number(o)?;
        }
        Some(Matrix(m))
    }
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// A run of glyphs at one place.
struct Run {
    x: f32,
    baseline: f32,
    size: f32,
    text: String,
}

/// Decodes glyph codes into text, one font encoding per font dictionary, parsed once per
/// document; pages are then read on every core.
pub struct Reader<'a> {
    doc: &'a Document,
    encodings: HashMap<ObjectId, Encoding<'a>>,
}

impl<'a> Reader<'a> {
    pub fn new(doc: &'a Document) -> Reader<'a> {
        let mut encodings = HashMap::new();
        for page in doc.get_pages().into_values() {
            for font in font_ids(doc, page).into_values() {
                if let std::collections::hash_map::Entry::Vacant(slot) = encodings.entry(font)
                    && let Some(e) = doc
                        .get_dictionary(font)
                        .ok()
                        .and_then(|f| f.get_font_encoding(doc).ok())
                {
                    slot.insert(e);
                }
            }
        }
        Reader { doc, encodings }
    }

    /// The lines of `pages`, in that order, read on every core; `height(page)` is a page's
    /// height in points.
    pub fn pages(
        &self,
        pages: &[ObjectId],
        height: impl Fn(ObjectId) -> f32 + Sync,
    ) -> Vec<Vec<Line>> {
        use rayon::prelude::*;
        pages
            .par_iter()
            .map(|&page| self.lines(page, height(page)))
            .collect()
    }

    /// The lines of a page, top to bottom; `height` is the page's height in points.
    pub fn lines(&self, page: ObjectId, height: f32) -> Vec<Line> {
        let fonts = font_ids(self.doc, page);
        let content = self.doc.get_page_content(page);
        let mut runs = Vec::new();
        let mut ctm = Matrix::IDENTITY;
        let mut stack = Vec::new();
        let (mut tm, mut tlm) = (Matrix::IDENTITY, Matrix::IDENTITY);
        let (mut font, mut size, mut leading) = (None::<ObjectId>, 0.0f32, 0.0f32);
        super::content::each(&content, |operator, args| match operator {
            b"q" => stack.push(ctm),
            b"Q" => ctm = stack.pop().unwrap_or(Matrix::IDENTITY),
            b"cm" => {
                if let Some(m) = Matrix::of(args) {
                    ctm = m.then(ctm);
                }
            }
            b"BT" => (tm, tlm) = (Matrix::IDENTITY, Matrix::IDENTITY),
            b"Tf" => {
                font = args
                    .first()
                    .and_then(|n| n.as_name().ok())
                    .and_then(|n| fonts.get(n).copied());
                size = args.get(1).and_then(number).unwrap_or(0.0);
            }
            b"TL" => leading = args.first().and_then(number).unwrap_or(0.0),
            b"Tm" => {
                if let Some(m) = Matrix::of(args) {
                    (tm, tlm) = (m, m);
                }
            }
            b"Td" | b"TD" => {
                let x = args.first().and_then(number).unwrap_or(0.0);
                let y = args.get(1).and_then(number).unwrap_or(0.0);
                if operator == b"TD" {
                    leading = -y;
                }
                tlm = Matrix::translate(x, y).then(tlm);
                tm = tlm;
            }
            b"T*" | b"'" | b"\"" => {
                tlm = Matrix::translate(0.0, -leading).then(tlm);
                tm = tlm;
                if operator != b"T*" {
                    let text = args
                        .last()
                        .map(|s| self.decode(font, s))
                        .unwrap_or_default();
                    runs.push(run(tm.then(ctm), size, text, height));
                }
            }
            b"Tj" | b"TJ" => {
                let text = match args.first() {
                    Some(Object::Array(items)) => items
                        .iter()
                        .filter(|i| matches!(i, Object::String(..)))
                        .map(|s| self.decode(font, s))
                        .collect(),
                    Some(s) => self.decode(font, s),
                    None => String::new(),
                };
                runs.push(run(tm.then(ctm), size, text, height));
            }
            _ => {}
        });
        gather(runs)
    }

    fn decode(&self, font: Option<ObjectId>, s: &Object) -> String {
        let (Some(font), Object::String(bytes, _)) = (font, s) else {
            return String::new();
        };
        match self.encodings.get(&font) {
            Some(e) => Document::decode_text(e, bytes).unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// The page's fonts by resource name, as object ids.
fn font_ids(doc: &Document, page: ObjectId) -> HashMap<Vec<u8>, ObjectId> {
    let mut out = HashMap::new();
    let Ok((own, inherited)) = doc.get_page_resources(page) else {
        return out;
    };
    let dicts = own.into_iter().chain(
        inherited
            .iter()
            .filter_map(|&id| doc.get_dictionary(id).ok()),
    );
    for resources in dicts {
        let Ok(fonts) = resources
            .get(b"Font")
            .and_then(|f| doc.dereference(f))
            .and_then(|(_, f)| f.as_dict())
        else {
            continue;
        };
        for (name, font) in fonts.iter() {
            if let Ok(id) = font.as_reference() {
                out.entry(name.clone()).or_insert(id);
            }
        }
    }
    out
}

/// A run at the origin of the text space `m` (text matrix × CTM), measured from the page top.
fn run(m: Matrix, size: f32, text: String, height: f32) -> Run {
    let (x, y) = m.apply(0.0, 0.0);
    Run {
        x,
        baseline: height - y,
        size: size * m.y_scale(),
        text,
    }
}

/// Runs whose baselines lie within 0.45 of the type size make a line (a note call's raised
/// figure belongs to its line; lines are 1.2 or more apart), read left to right.
fn gather(mut runs: Vec<Run>) -> Vec<Line> {
    runs.retain(|r| !r.text.is_empty());
    runs.sort_by(|a, b| a.baseline.total_cmp(&b.baseline));
    let mut groups: Vec<Vec<Run>> = Vec::new();
    for r in runs {
        match groups.last_mut() {
            Some(group)
                if group.last().is_some_and(|last| {
                    (r.baseline - last.baseline).abs() <= 0.45 * last.size.max(r.size)
                }) =>
            {
                group.push(r)
            }
            _ => groups.push(vec![r]),
        }
    }
    groups
        .into_iter()
        .map(|mut group| {
            group.sort_by(|a, b| a.x.total_cmp(&b.x));
            // Chromium maps a soft hyphen's glyph to a space; unlike a space it has no width,
            // so the next glyph starts where it does.
            for k in 1..group.len() {
                if group[k - 1].text == " " && (group[k].x - group[k - 1].x).abs() < 0.05 {
                    group[k - 1].text = "\u{ad}".to_string();
                }
            }
            Line {
                baseline: group.iter().map(|r| r.baseline).fold(f32::MIN, f32::max),
                top: group
                    .iter()
                    .map(|r| r.baseline - r.size)
                    .fold(f32::MAX, f32::min),
                text: group.into_iter().map(|r| r.text).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_compose_like_pdf() {
        // Skia's page flip, then a text matrix that flips back.
        let ctm = Matrix([0.24, 0.0, 0.0, -0.24, 0.0, 595.0]).then(Matrix::IDENTITY);
        let inner = Matrix([3.125, 0.0, 0.0, 3.125, 0.0, 0.0]).then(ctm);
        let tm = Matrix([1.0, 0.0, 0.0, -1.0, 100.0, 40.0]);
        let (x, y) = tm.then(inner).apply(0.0, 0.0);
        assert!((x - 75.0).abs() < 1e-3, "{x}");
        assert!((595.0 - y - 30.0).abs() < 1e-3, "{y}");
        assert!((tm.then(inner).y_scale() - 0.75).abs() < 1e-4);
    }

    #[test]
    fn runs_on_one_baseline_make_one_line() {
        let run = |x: f32, baseline: f32, text: &str| Run {
            x,
            baseline,
            size: 9.0,
            text: text.into(),
        };
        let lines = gather(vec![
            run(10.0, 100.0, "accueil"),
            run(40.0, 100.3, " "),
            run(40.0, 100.3, "-"),
            run(10.0, 112.0, "lir les"),
        ]);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "accueil\u{ad}-");
        assert!(lines[0].ends_at_soft_hyphen() && lines[0].ends_hyphenated());
        assert!(!lines[1].ends_hyphenated());
        assert!((lines[0].top - 91.0).abs() < 1e-3);
        assert!((lines[0].baseline - 100.3).abs() < 1e-3);
    }
}

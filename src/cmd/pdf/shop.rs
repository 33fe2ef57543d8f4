//! The print-shop PDF of `livret pdf --print-shop`: the settled print edition printed once more
//! on pages 3 mm larger on every side (the bleed), so the full-bleed `@page` backgrounds of the
//! cover and part dividers run past the trim, then finished for a print shop: TrimBox and
//! BleedBox on every page, no links, bookmarks, tags or other annotations, an sRGB output intent
//! with its ICC profile embedded, PDF/X-4 identification in the XMP metadata, and a page count
//! padded to a multiple of 4. With `--marks`, crop marks in registration colour (the
//! `Separation /All` colour space, on every plate) outside the bleed, on a MediaBox grown to
//! hold them.
//!
//! The ICC profile is the International Color Consortium's `sRGB2014.icc` (as shipped by
//! Debian's weasyprint package); the ICC allows it to be copied, embedded and used without
//! restriction.

use lopdf::{Dictionary, Document, Object, Stream, dictionary, text_string};

use super::finish::Metadata;
use crate::error::{Error, Result};

/// The bleed on every side, in millimetres.
pub const BLEED_MM: f64 = 3.0;
/// The sRGB profile of the output intent.
const SRGB_ICC: &[u8] = include_bytes!("sRGB2014.icc");
/// Points per millimetre.
const PT_PER_MM: f64 = 72.0 / 25.4;
/// Extra paper printed beyond the bleed (right and bottom), cut off by the MediaBox: Chromium
/// rounds page sizes to whole device pixels, and the bleed must be painted in full.
const SLUG_MM: f64 = 1.0;

/// The page rules laid over the theme's for the print-shop pass: the page grows by the bleed
/// (plus the slug) and every margin grows with it, so the text block keeps its size and place
/// relative to the trim and every page breaks where it did in `livret.pdf`. The margins are
/// those of the default theme's print.css plus the bleed. Running text is set in pure black,
/// which print shops' RGB-to-CMYK conversion maps to the black ink alone.
/// `screen_pt` is the page size of the screen pass: Chromium lays an A5 page out 420 × 594.96 pt
/// (148.17 × 209.89 mm), and the bottom margin keeps the text block exactly that high. Its
/// width needs no such correction since nothing sticks out of the screen pass's pages (the
/// theme's coloured pages reach past the edge by a negative `@page` margin), so Chromium lays
/// both passes out unscaled.
pub fn bleed_css(trim_mm: (f64, f64), screen_pt: (f64, f64)) -> String {
    let (w, h) = trim_mm;
    let b = BLEED_MM;
    let extra = b + SLUG_MM;
    let below = b + SLUG_MM + (h - screen_pt.1 / PT_PER_MM);
    format!(
        "<style>/* livret pdf --print-shop: {b} mm bleed */\n\
         @page {{ size: {pw:.3}mm {ph:.3}mm; margin: {t}mm {r:.3}mm {bo:.3}mm {l}mm; }}\n\
         @page :left {{ margin-left: {ll}mm; margin-right: {lr:.3}mm; }}\n\
         @page :right {{ margin-left: {rl}mm; margin-right: {rr:.3}mm; }}\n\
         @page cover {{ margin: {full}; }} @page divider {{ margin: {full}; }} \
         @page back {{ margin: {full}; }}\n\
         :root {{ --ink: #000; }}\n</style>\n",
        pw = w + 2.0 * b + SLUG_MM,
        ph = h + 2.0 * b + SLUG_MM,
        t = 15.0 + b,
        r = 13.0 + extra,
        bo = 16.0 + below,
        l = 13.0 + b,
        ll = 12.0 + b,
        lr = 16.0 + extra,
        rl = 16.0 + b,
        rr = 12.0 + extra,
        full = format!("{b}mm {extra:.3}mm {below:.3}mm {b}mm"),
    )
}

/// The print edition with the bleed rules added at the end of its `<head>`.
pub fn with_bleed(html: &str, trim_mm: (f64, f64), screen_pt: (f64, f64)) -> Result<String> {
    let at = html
        .find("</head>")
        .ok_or_else(|| Error::other("the print edition has no </head> to add the bleed to"))?;
    Ok(format!(
        "{}{}{}",
        &html[..at],
        bleed_css(trim_mm, screen_pt),
        &html[at..]
    ))
}

/// The finished print-shop PDF and its page count.
pub struct Shop {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// Crop marks: how far from the trim they start (past the bleed, so that no cut shows one) and
/// how long they are, in millimetres; the paper around the bleed that holds them.
pub const MARK_OFFSET_MM: f64 = BLEED_MM + 1.0;
pub const MARK_LENGTH_MM: f64 = 5.0;
pub const MARKS_MARGIN_MM: f64 = MARK_OFFSET_MM + MARK_LENGTH_MM + 1.0 - BLEED_MM;
/// The marks' line width, in points (a hairline that survives the cut of a shop's plates).
const MARK_WIDTH_PT: f64 = 0.25;
/// The name of the registration colour space in each page's resources.
const REGISTRATION: &str = "LivretRegistration";

/// Finishes the bleed pass for a print shop (see the module doc); `marks` adds crop marks.
pub fn finish(bytes: &[u8], trim_mm: (f64, f64), meta: &Metadata, marks: bool) -> Result<Shop> {
    let mut doc = super::inspect::load(bytes, "the print-shop pass")?;
    let failed = |e: lopdf::Error| Error::other(format!("cannot finish the print-shop PDF: {e}"));
    let (pages, _) = super::finish::pad(&mut doc)?;
    for page in doc.get_pages().into_values() {
        let media = super::inspect::media_box(&doc, page)
            .ok_or_else(|| Error::other("a page of the print-shop pass has no size"))?;
        let [trim, bleed] = boxes(media, trim_mm);
        let dict = doc.get_dictionary_mut(page).map_err(failed)?;
        dict.remove(b"Annots");
        dict.remove(b"StructParents");
        dict.remove(b"Tabs");
        let m = if marks {
            MARKS_MARGIN_MM * PT_PER_MM
        } else {
            0.0
        };
        let media = [bleed[0] - m, bleed[1] - m, bleed[2] + m, bleed[3] + m];
        dict.set("MediaBox", rect(media));
        dict.set("CropBox", rect(media));
        dict.set("BleedBox", rect(bleed));
        dict.set("TrimBox", rect(trim));
        if marks {
            add_marks(&mut doc, page, trim, bleed)?;
        }
    }
    let icc = doc.add_object(Stream::new(dictionary! { "N" => 3 }, SRGB_ICC.to_vec()));
    let xmp = doc.add_object(
        Stream::new(
            dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
            xmp(meta).into_bytes(),
        )
        .with_compression(false),
    );
    let catalog = doc.catalog_mut().map_err(failed)?;
    for key in [
        "Outlines",
        "Names",
        "Dests",
        "StructTreeRoot",
        "MarkInfo",
        "PageMode",
        "OpenAction",
        "AcroForm",
    ] {
        catalog.remove(key.as_bytes());
    }
    catalog.set("Lang", text_string(&meta.lang));
    catalog.set("Metadata", xmp);
    catalog.set(
        "OutputIntents",
        vec![Object::Dictionary(dictionary! {
            "Type" => "OutputIntent",
            "S" => "GTS_PDFX",
            "OutputConditionIdentifier" => text_string("sRGB IEC61966-2.1"),
            "RegistryName" => text_string("http://www.color.org"),
            "Info" => text_string("sRGB IEC61966-2.1"),
            "DestOutputProfile" => icc,
        })],
    );
    set_info(&mut doc, meta)?;
    doc.version = "1.6".into();
    doc.prune_objects();
    let mut out = Vec::with_capacity(bytes.len() + 8192);
    doc.save_to(&mut out)
        .map_err(|e| Error::other(format!("cannot write the print-shop PDF: {e}")))?;
    Ok(Shop { bytes: out, pages })
}

/// Draws the crop marks of one page: its content is clipped to the bleed (Chromium painted a
/// slug past it, right and below), then eight hairlines in registration colour prolong the trim
/// lines outside the bleed, two at each corner.
fn add_marks(
    doc: &mut Document,
    page: lopdf::ObjectId,
    trim: [f64; 4],
    bleed: [f64; 4],
) -> Result<()> {
    let failed = |e: lopdf::Error| Error::other(format!("cannot draw the crop marks: {e}"));
    let registration = Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(b"All".to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Dictionary(dictionary! {
            "FunctionType" => 2,
            "Domain" => vec![0.into(), 1.into()],
            "C0" => vec![0.into(), 0.into(), 0.into(), 0.into()],
            "C1" => vec![1.into(), 1.into(), 1.into(), 1.into()],
            "N" => 1,
        }),
    ]);
    let resources = doc.get_or_create_resources(page).map_err(failed)?;
    let resources = resources.as_dict_mut().map_err(failed)?;
    let spaces = match resources.get(b"ColorSpace") {
        Ok(Object::Dictionary(d)) => d.clone(),
        Ok(Object::Reference(id)) => {
            let id = *id;
            doc.get_dictionary(id).map_err(failed)?.clone()
        }
        _ => Dictionary::new(),
    };
    let mut spaces = spaces;
    spaces.set(REGISTRATION, registration);
    let resources = doc.get_or_create_resources(page).map_err(failed)?;
    resources
        .as_dict_mut()
        .map_err(failed)?
        .set("ColorSpace", spaces);

    let [bx0, by0, bx1, by1] = bleed;
    let clip = format!(
        "q {bx0:.3} {by0:.3} {:.3} {:.3} re W n\n",
        bx1 - bx0,
        by1 - by0
    );
    let (off, len) = (MARK_OFFSET_MM * PT_PER_MM, MARK_LENGTH_MM * PT_PER_MM);
    let mut lines = format!("Q q /{REGISTRATION} CS 1 SCN {MARK_WIDTH_PT} w 0 J [] 0 d\n");
    for (x, sx) in [(trim[0], -1.0), (trim[2], 1.0)] {
        for (y, sy) in [(trim[1], -1.0), (trim[3], 1.0)] {
            lines += &format!(
                "{:.3} {y:.3} m {:.3} {y:.3} l S {x:.3} {:.3} m {x:.3} {:.3} l S\n",
                x + sx * off,
                x + sx * (off + len),
                y + sy * off,
                y + sy * (off + len),
            );
        }
    }
    lines += "Q\n";
    let before = doc.add_object(Stream::new(Dictionary::new(), clip.into_bytes()));
    let after = doc.add_object(Stream::new(Dictionary::new(), lines.into_bytes()));
    let dict = doc.get_dictionary_mut(page).map_err(failed)?;
    let mut contents = vec![Object::Reference(before)];
    match dict.get(b"Contents") {
        Ok(Object::Array(parts)) => contents.extend(parts.iter().cloned()),
        Ok(other) => contents.push(other.clone()),
        Err(_) => {}
    }
    contents.push(Object::Reference(after));
    dict.set("Contents", contents);
    Ok(())
}

/// TrimBox and BleedBox of a page printed with the bleed: the trim starts one bleed from the
/// top-left corner (where the layout starts), whatever slug Chromium left right and below.
pub fn boxes(media: [f32; 4], trim_mm: (f64, f64)) -> [[f64; 4]; 2] {
    let b = BLEED_MM * PT_PER_MM;
    let (w, h) = (trim_mm.0 * PT_PER_MM, trim_mm.1 * PT_PER_MM);
    let left = f64::from(media[0]) + b;
    let top = f64::from(media[3]) - b;
    let trim = [left, top - h, left + w, top];
    let bleed = [trim[0] - b, trim[1] - b, trim[2] + b, trim[3] + b];
    [trim, bleed]
}

fn rect(r: [f64; 4]) -> Vec<Object> {
    r.iter()
        .map(|&v| Object::Real(((v * 1000.0).round() / 1000.0) as f32))
        .collect()
}

fn set_info(doc: &mut Document, meta: &Metadata) -> Result<()> {
    let mut info = Dictionary::new();
    for (key, value) in super::finish::info_entries(meta) {
        info.set(key, value);
    }
    info.set("Producer", text_string(&meta.creator));
    info.set("Trapped", Object::Name(b"False".to_vec()));
    info.set("GTS_PDFXVersion", text_string("PDF/X-4"));
    let id = doc.add_object(info);
    doc.trailer.set("Info", id);
    Ok(())
}

/// The XMP packet: title, creator tool and the PDF/X-4 identification.
fn xmp(meta: &Metadata) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:pdfx="http://ns.adobe.com/pdfx/1.3/" xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<xmp:CreatorTool>{creator}</xmp:CreatorTool>
<pdf:Producer>{creator}</pdf:Producer>
<pdf:Trapped>False</pdf:Trapped>
<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#,
        title = esc(&meta.title),
        creator = esc(&meta.creator),
    )
}

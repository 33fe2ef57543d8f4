//! `livret pdf --print-shop` end to end: the real guide printed by real Chromium, and
//! `out/livret-imprimeur.pdf` read back with qpdf, poppler-utils (pdfinfo, pdffonts, pdftoppm)
//! and lopdf: bleed and trim boxes on every page, fonts embedded, no links, an sRGB output
//! intent, a page count for saddle stitching, the cover's colour in the page's corners. The
//! screen PDF printed beside it keeps its links and bookmarks.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::support::*;

/// Points per millimetre.
const PT: f64 = 72.0 / 25.4;

static GUIDE: OnceLock<Option<PathBuf>> = OnceLock::new();

/// The guide printed once with `--print-shop`: its out/ folder, or `None` (skip) when a tool is
/// missing locally (under CI=true a missing tool fails).
fn shop_out() -> Option<&'static Path> {
    GUIDE
        .get_or_init(|| {
            chromium()?;
            require_tool("pdfinfo", "apt-get install poppler-utils")?;
            require_tool("qpdf", "apt-get install qpdf")?;
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("print-shop-guide");
            let _ = std::fs::remove_dir_all(&dir);
            let copy = guide_copy();
            copy_dir(copy.path(), &dir);
            let _lock = browser_lock();
            let out = livret_ok(&dir, &["pdf", "--print-shop"]);
            assert!(
                stdout(&out).contains("livret-imprimeur.pdf"),
                "{}",
                stdout(&out)
            );
            Some(dir.join("out"))
        })
        .as_deref()
}

fn run(tool: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(pdf)
        .output()
        .expect("run a PDF tool");
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `pdfinfo -box`: the named box of every page, in page order.
fn boxes(pdf: &Path, name: &str) -> Vec<[f64; 4]> {
    run("pdfinfo", &["-box", "-f", "1", "-l", "9999"], pdf)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(&format!("{name}:")))
        .map(|l| {
            let v: Vec<f64> = l
                .split(':')
                .nth(1)
                .expect("box values")
                .split_whitespace()
                .map(|n| n.parse().expect("a number"))
                .collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

#[test]
fn the_print_shop_pdf_passes_qpdf_check() {
    let Some(out) = shop_out() else { return };
    let pdf = out.join("livret-imprimeur.pdf");
    let status = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .expect("qpdf");
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{text}");
    assert!(
        text.contains("No syntax or stream encoding errors"),
        "{text}"
    );
}

#[test]
fn every_page_has_an_a5_trim_box_and_a_3_mm_bleed_box_inside_its_media_box() {
    let Some(out) = shop_out() else { return };
    let pdf = out.join("livret-imprimeur.pdf");
    let pages: usize = run("pdfinfo", &[], &pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a page count");
    let (trims, bleeds, medias) = (
        boxes(&pdf, "TrimBox"),
        boxes(&pdf, "BleedBox"),
        boxes(&pdf, "MediaBox"),
    );
    assert_eq!(
        (trims.len(), bleeds.len(), medias.len()),
        (pages, pages, pages)
    );
    assert_eq!(pages % 4, 0, "{pages} pages");
    let b = 3.0 * PT;
    for (i, ((t, bl), m)) in trims.iter().zip(&bleeds).zip(&medias).enumerate() {
        let page = i + 1;
        assert!(
            (t[2] - t[0] - 148.0 * PT).abs() < 0.05,
            "page {page} trim {t:?}"
        );
        assert!(
            (t[3] - t[1] - 210.0 * PT).abs() < 0.05,
            "page {page} trim {t:?}"
        );
        for k in 0..4 {
            let outward = if k < 2 { t[k] - bl[k] } else { bl[k] - t[k] };
            assert!(
                (outward - b).abs() < 0.05,
                "page {page}: bleed {bl:?}, trim {t:?}"
            );
        }
        assert!(
            m[0] <= bl[0] + 0.01
                && m[1] <= bl[1] + 0.01
                && m[2] >= bl[2] - 0.01
                && m[3] >= bl[3] - 0.01,
            "page {page}: bleed {bl:?} outside media {m:?}"
        );
    }
}

#[test]
fn every_font_is_embedded() {
    let Some(out) = shop_out() else { return };
    let listing = run("pdffonts", &[], &out.join("livret-imprimeur.pdf"));
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "{listing}");
    for font in fonts {
        // name, type…, encoding, then emb sub uni and the object id.
        let cols: Vec<&str> = font.split_whitespace().collect();
        assert_eq!(cols[cols.len() - 5], "yes", "not embedded: {font}");
    }
}

#[test]
fn no_annotations_or_bookmarks_and_an_srgb_output_intent_with_its_profile() {
    let Some(out) = shop_out() else { return };
    let doc = lopdf::Document::load(out.join("livret-imprimeur.pdf")).expect("load the PDF");
    for (n, page) in doc.get_pages() {
        let dict = doc.get_dictionary(page).expect("a page");
        assert!(dict.get(b"Annots").is_err(), "page {n} has annotations");
    }
    let catalog = doc.catalog().expect("a catalog");
    assert!(catalog.get(b"Outlines").is_err(), "bookmarks left");
    let intents = catalog
        .get(b"OutputIntents")
        .and_then(lopdf::Object::as_array)
        .expect("OutputIntents");
    let intent = intents[0].as_dict().expect("an intent");
    assert_eq!(
        intent.get(b"S").and_then(lopdf::Object::as_name).ok(),
        Some(&b"GTS_PDFX"[..])
    );
    let icc_id = intent
        .get(b"DestOutputProfile")
        .and_then(lopdf::Object::as_reference)
        .expect("an ICC profile");
    let icc = doc
        .get_object(icc_id)
        .and_then(lopdf::Object::as_stream)
        .expect("a stream");
    let bytes = icc.get_plain_content().expect("profile bytes");
    // An ICC profile: its size first, `acsp` at 36, an RGB colour space at 16.
    assert_eq!(
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize,
        bytes.len()
    );
    assert_eq!(&bytes[36..40], b"acsp");
    assert_eq!(&bytes[16..20], b"RGB ");
    let xmp_id = catalog
        .get(b"Metadata")
        .and_then(lopdf::Object::as_reference)
        .expect("XMP");
    let xmp = doc
        .get_object(xmp_id)
        .and_then(lopdf::Object::as_stream)
        .expect("XMP stream");
    let xmp = String::from_utf8_lossy(&xmp.content).into_owned();
    assert!(
        xmp.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"),
        "{xmp}"
    );
}

#[test]
fn the_screen_pdf_keeps_its_links_and_bookmarks() {
    let Some(out) = shop_out() else { return };
    let doc = lopdf::Document::load(out.join("livret.pdf")).expect("load the PDF");
    let catalog = doc.catalog().expect("a catalog");
    assert!(catalog.get(b"Outlines").is_ok());
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let links = doc
        .get_pages()
        .values()
        .filter(|&&p| {
            doc.get_dictionary(p)
                .is_ok_and(|d| d.get(b"Annots").is_ok())
        })
        .count();
    assert!(links > 0);
}

#[test]
fn the_cover_colour_reaches_every_corner_of_the_bleed() {
    let Some(out) = shop_out() else { return };
    let pdf = out.join("livret-imprimeur.pdf");
    // The default theme's cover: #0b5563.
    let teal = (0x0b, 0x55, 0x63);
    for (fx, fy) in [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)] {
        let got = pixel(&pdf, 1, fx, fy);
        let close = |a: u8, b: u8| a.abs_diff(b) <= 6;
        assert!(
            close(got.0, teal.0) && close(got.1, teal.1) && close(got.2, teal.2),
            "corner ({fx}, {fy}) of the cover is {got:?}"
        );
    }
}

#[test]
fn every_word_sits_at_least_4_mm_inside_the_trim() {
    let Some(out) = shop_out() else { return };
    let pdf = out.join("livret-imprimeur.pdf");
    let (b, w, h) = (3.0 * PT, 148.0 * PT, 210.0 * PT);
    let bbox = Command::new("pdftotext")
        .arg("-bbox")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let bbox = String::from_utf8_lossy(&bbox.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        let at = line.find(&format!("{name}=\"")).expect("a coordinate") + name.len() + 2;
        line[at..]
            .split('"')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a number")
    };
    let mut words = 0;
    for line in bbox.lines().filter(|l| l.contains("<word ")) {
        words += 1;
        // pdftotext measures from the top-left of the page (the bleed box here).
        let inside = [
            attr(line, "xMin") - b,
            attr(line, "yMin") - b,
            b + w - attr(line, "xMax"),
            b + h - attr(line, "yMax"),
        ];
        let least = inside.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            least >= 4.0 * PT,
            "{:.1} mm from the trim: {line}",
            least / PT
        );
    }
    assert!(words > 1000, "{words} words");
}

/// The points a content stream moves and draws lines to (`x y m`, `x y l`).
fn path_points(content: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(content);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut points = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if (*t == "m" || *t == "l")
            && i >= 2
            && let (Ok(x), Ok(y)) = (tokens[i - 2].parse(), tokens[i - 1].parse())
        {
            points.push((x, y));
        }
    }
    points
}

#[test]
fn crop_marks_sit_outside_the_bleed_in_registration_colour() {
    let Some(_) = shop_out() else { return };
    let dir = guide_copy();
    {
        let _lock = browser_lock();
        livret_ok(dir.path(), &["pdf", "--print-shop", "--marks"]);
    }
    let pdf = dir.path().join("out/livret-imprimeur.pdf");
    let check = Command::new("qpdf")
        .arg("--check")
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The boxes: trim and bleed as without marks, the page larger than the bleed by 7 mm.
    let (media, bleed, trim) = (
        boxes(&pdf, "MediaBox"),
        boxes(&pdf, "BleedBox"),
        boxes(&pdf, "TrimBox"),
    );
    assert!(media.len() >= 36 && media.len() % 4 == 0, "{}", media.len());
    assert_eq!((media.len(), bleed.len()), (trim.len(), trim.len()));
    for ((m, b), t) in media.iter().zip(&bleed).zip(&trim) {
        assert!(((t[2] - t[0]) / PT - 148.0).abs() < 0.1, "{t:?}");
        assert!(((t[3] - t[1]) / PT - 210.0).abs() < 0.1, "{t:?}");
        for k in 0..4 {
            let out = if k < 2 { -1.0 } else { 1.0 };
            assert!(((b[k] - t[k]) * out / PT - 3.0).abs() < 0.05, "{b:?} {t:?}");
            assert!(((m[k] - b[k]) * out / PT - 7.0).abs() < 0.05, "{m:?} {b:?}");
        }
    }

    // Every page draws its eight marks in a Separation /All colour space, each point of them
    // outside the bleed and inside the page.
    let doc = lopdf::Document::load(&pdf).unwrap();
    for ((n, id), b) in doc.get_pages().into_iter().zip(&bleed) {
        let (resources, ids) = doc.get_page_resources(id).unwrap();
        let resources = resources
            .cloned()
            .or_else(|| ids.first().map(|i| doc.get_dictionary(*i).unwrap().clone()))
            .unwrap();
        let spaces = resources.get(b"ColorSpace").unwrap();
        let spaces = match spaces {
            lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
            other => other.as_dict().unwrap(),
        };
        let registration = spaces
            .get(b"LivretRegistration")
            .unwrap()
            .as_array()
            .unwrap();
        assert_eq!(registration[0].as_name().unwrap(), b"Separation");
        assert_eq!(registration[1].as_name().unwrap(), b"All");
        let contents = doc.get_page_contents(id);
        let last = doc.get_object(*contents.last().unwrap()).unwrap();
        let marks = last.as_stream().unwrap().get_plain_content().unwrap();
        let text = String::from_utf8_lossy(&marks);
        assert!(
            text.contains("/LivretRegistration CS 1 SCN"),
            "page {n}: {text}"
        );
        let points = path_points(&marks);
        assert_eq!(points.len(), 16, "page {n}: {text}");
        for (x, y) in points {
            let outside = x < b[0] - 0.9 * PT
                || x > b[2] + 0.9 * PT
                || y < b[1] - 0.9 * PT
                || y > b[3] + 0.9 * PT;
            assert!(
                outside,
                "page {n}: a mark point ({x}, {y}) inside the bleed {b:?}"
            );
        }
    }

    // Seen: on the cover, the teal reaches the bleed, the paper beyond is white (Chromium's
    // slug is clipped), and a mark prolongs each trim line.
    let dpi = 288.0;
    let (w, h, rgb) = render_page(&pdf, 1, dpi as u32);
    let (m, b, t) = (media[0], bleed[0], trim[0]);
    let at = |x: f64, y: f64| {
        let px = ((x - m[0]) * dpi / 72.0) as usize;
        let py = ((m[3] - y) * dpi / 72.0) as usize;
        assert!(px < w && py < h);
        let i = (py * w + px) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    let darkest = |x: f64, y: f64| {
        let mut min = 255u8;
        for dx in [-0.3, 0.0, 0.3] {
            for dy in [-0.3, 0.0, 0.3] {
                let (r, g, bl) = at(x + dx, y + dy);
                min = min.min(r.max(g).max(bl));
            }
        }
        min
    };
    let teal = |c: (u8, u8, u8)| c.0 < 40 && (0x45..0x65).contains(&c.1) && c.2 > 0x50;
    assert!(
        teal(at(b[0] + 0.5, b[3] - 0.5)),
        "{:?}",
        at(b[0] + 0.5, b[3] - 0.5)
    );
    assert!(
        teal(at(b[2] - 0.5, b[1] + 0.5)),
        "{:?}",
        at(b[2] - 0.5, b[1] + 0.5)
    );
    for (x, y) in [
        (b[2] + 0.5 * PT, (b[1] + b[3]) / 2.0),
        ((b[0] + b[2]) / 2.0, b[1] - 0.5 * PT),
        (m[0] + 1.0, m[1] + 1.0),
        (m[2] - 1.0, m[3] - 1.0),
    ] {
        assert_eq!(at(x, y), (255, 255, 255), "({x}, {y}) outside the bleed");
    }
    for (x, y) in [
        (t[0] - 6.5 * PT, t[3]),
        (t[0], t[3] + 6.5 * PT),
        (t[2] + 6.5 * PT, t[1]),
        (t[2], t[1] - 6.5 * PT),
    ] {
        assert!(darkest(x, y) < 100, "no mark at ({x}, {y})");
    }
}

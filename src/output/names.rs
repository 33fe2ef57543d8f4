//! The one table of the files livret writes into `out/` under names of its own (a leaf: it
//! imports nothing). Pages take their names from slugs (`riace.html`), theme
//! files from the theme (`css/style.css` → `style.css`, `static/fonts/…` → `fonts/…`); every
//! other name livret writes is in `FILES`. `build`, `pdf`, the output folder's manifest, the
//! reserved slugs and the theme-name check all read their names here, so `check` refuses
//! exactly the collisions `build` would hit (`output::claims`).

/// The web edition's front page: cover, the pages before the sommaire, the sommaire.
pub const INDEX: &str = "index.html";
/// The whole booklet in one document, for printing.
pub const PRINT: &str = "print.html";
/// The theme's print stylesheet (`css/print.css`), which print.html links: `livret pdf`
/// measures its pages against the text area of its `@page` rule.
pub const PRINT_STYLESHEET: &str = "print.css";
/// The page static hosts show for a missing address.
pub const NOT_FOUND: &str = "404.html";
/// The sitemap (only with `base_url`).
pub const SITEMAP: &str = "sitemap.xml";
/// Tells GitHub Pages not to run Jekyll over `out/`.
pub const NOJEKYLL: &str = ".nojekyll";
/// The PDF that `livret pdf` writes next to the site.
pub const PDF: &str = "livret.pdf";
/// The imposed PDF that `livret pdf --imposition booklet` writes next to `livret.pdf`.
pub const IMPOSED: &str = "livret-imposition.pdf";
/// The offline search index, a script the theme's `search.js` loads on first use.
pub const SEARCH_INDEX: &str = "search-index.js";
/// The print-shop PDF that `livret pdf --print-shop` writes: bleed, TrimBox and BleedBox, sRGB
/// output intent, no links.
pub const SHOP: &str = "livret-imprimeur.pdf";
/// The print edition with the bleed rules, in `livret pdf`'s scratch folder only (never in `out/`).
pub const SHOP_HTML: &str = "print-imprimeur.html";
/// What `livret pdf` settled (the print layout: page numbers, copyfitting) and the fingerprint of the print
/// edition it settled them for (`output::record`): kept beside the PDFs it describes.
pub const RECORD: &str = ".livret-print.json";
/// One chunk of the print edition while `livret pdf` prints it, in its scratch folder only;
/// the dot keeps it off every slug.
pub const PRINT_CHUNK: &str = ".print-chunk.html";
/// The chunk the second browser prints (`livret pdf` prints big booklets with two).
pub const PRINT_CHUNK_BACK: &str = ".print-chunk-back.html";
/// The list of files livret wrote, one relative path a line.
pub const MANIFEST: &str = ".livret-manifest";
/// The manifest while it is being written.
pub const MANIFEST_TMP: &str = ".livret-manifest.tmp";

/// Every file `livret pdf` publishes in `out/`.
pub const PDFS: [&str; 3] = [PDF, IMPOSED, SHOP];

/// One file livret writes under a name of its own.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub name: &'static str,
    /// The slug this name keeps from the fiches (`index` for `index.html`), if any.
    pub reserves: Option<&'static str>,
}

const fn file(name: &'static str, reserves: &'static str) -> Output {
    Output {
        name,
        reserves: Some(reserves),
    }
}

const fn hidden(name: &'static str) -> Output {
    Output {
        name,
        reserves: None,
    }
}

/// The table: every name livret writes into `out/` that neither a slug nor the theme chose.
pub const FILES: [Output; 12] = [
    file(INDEX, "index"),
    file(PRINT, "print"),
    file(NOT_FOUND, "404"),
    file(SITEMAP, "sitemap"),
    file(PDF, "livret"),
    file(IMPOSED, "livret-imposition"),
    hidden(SEARCH_INDEX),
    file(SHOP, "livret-imprimeur"),
    hidden(NOJEKYLL),
    hidden(RECORD),
    hidden(MANIFEST),
    hidden(MANIFEST_TMP),
];

/// Slugs kept for pages livret may add (a search page), beside those of `FILES`.
const KEPT_SLUGS: [&str; 1] = ["search"];

const fn reserved_count() -> usize {
    let mut n = KEPT_SLUGS.len();
    let mut i = 0;
    while i < FILES.len() {
        if FILES[i].reserves.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn reserved<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut n = 0;
    let mut i = 0;
    while i < FILES.len() {
        if let Some(slug) = FILES[i].reserves {
            out[n] = slug;
            n += 1;
        }
        i += 1;
    }
    let mut k = 0;
    while k < KEPT_SLUGS.len() {
        out[n] = KEPT_SLUGS[k];
        n += 1;
        k += 1;
    }
    out
}

/// The slugs a fiche may not take: those of `FILES`, and `KEPT_SLUGS`.
pub const RESERVED_SLUGS: [&str; reserved_count()] = reserved::<{ reserved_count() }>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_slugs_come_from_the_table() {
        assert_eq!(
            RESERVED_SLUGS,
            [
                "index",
                "print",
                "404",
                "sitemap",
                "livret",
                "livret-imposition",
                "livret-imprimeur",
                "search"
            ]
        );
        for output in FILES {
            if let Some(slug) = output.reserves {
                assert!(output.name.starts_with(&format!("{slug}.")), "{output:?}");
            }
        }
    }
}

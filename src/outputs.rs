//! The one table of the files livret writes into `out/` under names of its own, and the check
//! that nothing else claims them. Pages take their names from slugs (`riace.html`), theme
//! files from the theme (`css/style.css` → `style.css`, `static/fonts/…` → `fonts/…`); every
//! other name livret writes is in `FILES`. `build`, `pdf`, the output folder's manifest, the
//! reserved slugs and the theme-name check all read their names here, so `check` refuses
//! exactly the collisions `build` would hit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::booklet::Booklet;
use crate::error::Diagnostic;
use crate::theme::Theme;

/// The web edition's front page: cover, the pages before the sommaire, the sommaire.
pub const INDEX: &str = "index.html";
/// The whole booklet in one document, for printing.
pub const PRINT: &str = "print.html";
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
/// The list of files livret wrote, one relative path a line.
pub const MANIFEST: &str = ".livret-manifest";
/// The manifest while it is being written.
pub const MANIFEST_TMP: &str = ".livret-manifest.tmp";

/// Every file `livret pdf` publishes in `out/`.
pub const PDFS: [&str; 2] = [PDF, IMPOSED];

/// One file livret writes under a name of its own.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub name: &'static str,
    /// The slug this name keeps from the fiches (`index` for `index.html`), if any.
    pub reserves: Option<&'static str>,
    pub what: &'static str,
}

const fn file(name: &'static str, reserves: &'static str, what: &'static str) -> Output {
    Output {
        name,
        reserves: Some(reserves),
        what,
    }
}

const fn hidden(name: &'static str, what: &'static str) -> Output {
    Output {
        name,
        reserves: None,
        what,
    }
}

/// The table: every name livret writes into `out/` that neither a slug nor the theme chose.
pub const FILES: [Output; 9] = [
    file(INDEX, "index", "the front page"),
    file(PRINT, "print", "the print edition"),
    file(NOT_FOUND, "404", "the 404 page"),
    file(SITEMAP, "sitemap", "the sitemap"),
    file(PDF, "livret", "the PDF of `livret pdf`"),
    file(
        IMPOSED,
        "livret-imposition",
        "the imposed PDF of `livret pdf`",
    ),
    hidden(NOJEKYLL, "the .nojekyll file"),
    hidden(MANIFEST, "livret's manifest"),
    hidden(MANIFEST_TMP, "livret's manifest"),
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

/// Who writes one name of `out/`.
struct Claim {
    what: String,
    /// The theme file behind it, when it is one: the file a collision is reported on.
    theme_file: Option<PathBuf>,
}

/// Every theme file (stylesheet or static file) that would be written where livret writes
/// something else — one of `FILES`, a page, another theme file — or that needs a folder where
/// one of them is a file (`static/riace.html/x.txt` beside the page `riace.html`), located at
/// the theme file. `check` and `build` both refuse these before writing anything.
pub fn theme_collisions(booklet: &Booklet, theme: &Theme) -> Vec<Diagnostic> {
    let mut claims: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    let mut claim = |name: String, what: String, theme_file: Option<PathBuf>| {
        claims
            .entry(name)
            .or_default()
            .push(Claim { what, theme_file });
    };
    for output in FILES {
        claim(
            output.name.to_string(),
            "a file livret writes itself".to_string(),
            None,
        );
    }
    for entry in booklet.entries.iter().filter(|e| e.has_page()) {
        claim(
            entry.file_name(),
            format!("the page of {}", entry.path.display()),
            None,
        );
    }
    for (name, (_, path)) in theme
        .stylesheets
        .iter()
        .filter(|(n, _)| !n.starts_with('_'))
    {
        claim(
            name.clone(),
            format!("the stylesheet css/{name}"),
            Some(path.clone()),
        );
    }
    for name in theme.assets.keys() {
        let path = asset_path(theme, name);
        claim(
            name.clone(),
            format!("the theme file {}", path.display()),
            Some(path),
        );
    }

    let mut diagnostics = Vec::new();
    let mut report = |file: &Path, message: String| {
        diagnostics.push(
            Diagnostic::file(file, message)
                .with_help("rename the theme file, or the fiche (slug = \"…\")"),
        );
    };
    for (name, here) in &claims {
        // The same name twice.
        for (i, mine) in here.iter().enumerate() {
            let Some(file) = &mine.theme_file else {
                continue;
            };
            if let Some((j, other)) = here.iter().enumerate().find(|&(j, _)| j != i) {
                // Two theme files: report the user's over the default theme's, else the later
                // one only (a static file beside a stylesheet).
                if let Some(theirs) = &other.theme_file {
                    let (me, them) = (embedded(file), embedded(theirs));
                    if (me && !them) || (me == them && i < j) {
                        continue;
                    }
                }
                report(
                    file,
                    format!("this theme file would overwrite {}", other.what),
                );
            }
        }
        // A folder on the way to this name that is a file of another claim.
        let mut folder = name.as_str();
        while let Some((up, _)) = folder.rsplit_once('/') {
            folder = up;
            let Some(files) = claims.get(folder) else {
                continue;
            };
            let ours = files.iter().find_map(|c| c.theme_file.as_ref());
            for mine in here {
                if let Some(file) = &mine.theme_file
                    && !(embedded(file) && ours.is_some_and(|o| !embedded(o)))
                {
                    report(
                        file,
                        format!(
                            "this theme file would be written as `{name}`, inside a folder \
                             `{folder}` where livret writes {}",
                            files
                                .iter()
                                .map(|c| c.what.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                } else if let Some(file) = ours {
                    report(
                        file,
                        format!(
                            "this theme file would be written as `{folder}`, where livret needs \
                             a folder for {}",
                            mine.what
                        ),
                    );
                }
            }
        }
    }
    Diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    diagnostics
}

/// Whether a theme file is the embedded default theme's (the user's are reported first).
fn embedded(path: &Path) -> bool {
    path.starts_with(crate::theme::Origin::Embedded.path(""))
}

/// Where a static file of the theme comes from, for messages.
fn asset_path(theme: &Theme, name: &str) -> PathBuf {
    theme.asset_paths.get(name).cloned().unwrap_or_else(|| {
        Path::new(crate::theme::THEMES_DIR)
            .join(&theme.name)
            .join("static")
            .join(name)
    })
}

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

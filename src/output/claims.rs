//! Who claims each name of `out/`: the pages (from slugs), the table of `names`, the theme's
//! stylesheets and static files. Two claims on one name, or a file where livret needs a folder,
//! is a located error of the theme file, found before anything is written, so `check` and
//! `build` refuse the same projects.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::booklet::Booklet;
use crate::error::Diagnostic;
use crate::message::ThemeMsg;
use crate::render::theme::Theme;

use super::names::FILES;

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
    let claims = claims(booklet, theme);
    let mut diagnostics = Vec::new();
    for (name, here) in &claims {
        same_name(here, &mut diagnostics);
        folder_on_the_way(&claims, name, here, &mut diagnostics);
    }
    Diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    diagnostics
}

/// Every name of `out/` with whoever writes it.
fn claims(booklet: &Booklet, theme: &Theme) -> BTreeMap<String, Vec<Claim>> {
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

    claims
}

fn report(diagnostics: &mut Vec<Diagnostic>, file: &Path, message: ThemeMsg) {
    diagnostics.push(Diagnostic::file(file, message));
}

/// The same name claimed twice.
fn same_name(here: &[Claim], diagnostics: &mut Vec<Diagnostic>) {
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
            report(diagnostics, file, ThemeMsg::Overwrites(other.what.clone()));
        }
    }
}

/// A folder on the way to `name` that is a file of another claim.
fn folder_on_the_way(
    claims: &BTreeMap<String, Vec<Claim>>,
    name: &str,
    here: &[Claim],
    diagnostics: &mut Vec<Diagnostic>,
) {
    // A folder on the way to this name that is a file of another claim.
    let mut folder = name;
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
                    diagnostics,
                    file,
                    ThemeMsg::InsideFolder {
                        name: name.to_string(),
                        folder: folder.to_string(),
                        what: files
                            .iter()
                            .map(|c| c.what.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                );
            } else if let Some(file) = ours {
                report(
                    diagnostics,
                    file,
                    ThemeMsg::BlocksFolder {
                        folder: folder.to_string(),
                        what: mine.what.clone(),
                    },
                );
            }
        }
    }
}

/// Whether a theme file is the embedded default theme's (the user's are reported first).
fn embedded(path: &Path) -> bool {
    path.starts_with(crate::render::theme::Origin::Embedded.path(""))
}

/// Where a static file of the theme comes from, for messages.
fn asset_path(theme: &Theme, name: &str) -> PathBuf {
    theme.asset_paths.get(name).cloned().unwrap_or_else(|| {
        Path::new(crate::render::theme::THEMES_DIR)
            .join(&theme.name)
            .join("static")
            .join(name)
    })
}

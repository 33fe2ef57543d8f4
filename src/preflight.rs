//! Checks of a loaded project before anything is rendered or written, so that `check`,
//! `build`, `serve` and `pdf` refuse the same projects: no theme file may claim a name livret
//! writes (`output::claims`), and printing reads local files only: an image or stylesheet the
//! booklet takes from another site cannot be in a printed booklet (offline, reproducible), and
//! fetching it while printing would tell that site who prints what. Markdown images in fiches,
//! parts and `livret.toml`, and `url(…)` / `@import` in the theme's stylesheets, are located at
//! their file and line. `livret pdf` also blocks, in the browser, every request that is not a
//! file of the print edition (`cmd::pdf::chromium`), whatever asked for it.

use std::path::Path;

use crate::booklet::Booklet;
use crate::error::{Diagnostic, Diagnostics, Result};
use crate::output::claims::theme_collisions;
use crate::render::theme::Theme;
use crate::text::links::{remote_css, remote_images};

const HELP: &str = "printing reads local files only: save the file into the theme's static/ \
                    folder (themes/<theme>/static/…) and refer to it by its relative path";

/// Every problem of the project's names and references, or success.
pub fn check(booklet: &Booklet, theme: &Theme, config_path: &Path) -> Result<()> {
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(theme_collisions(booklet, theme));
    diagnostics.extend(remote(booklet, theme, config_path));
    diagnostics.finish()
}

/// Every remote image of the booklet's Markdown and every remote reference of the theme's
/// stylesheets, located. `config_path` is `livret.toml`.
fn remote(booklet: &Booklet, theme: &Theme, config_path: &Path) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut markdown = |path: &Path, fields: Vec<&str>| {
        let urls: Vec<String> = fields.into_iter().flat_map(remote_images).collect();
        if urls.is_empty() {
            return;
        }
        let source = crate::source::walk::read_text(path).unwrap_or_default();
        for url in urls {
            diagnostics.push(
                Diagnostic::at_text(
                    path,
                    &source,
                    &url,
                    format!("the image `{url}` is not a local file"),
                )
                .with_help(HELP),
            );
        }
    };
    markdown(config_path, booklet.config.markdown_fields());
    for part in &booklet.parts {
        let mut fields = vec![part.part.title.as_str()];
        fields.extend(part.part.intro.as_deref());
        markdown(&part.path, fields);
    }
    for entry in &booklet.entries {
        markdown(&entry.path, entry.doc.markdown_fields());
    }
    for (text, path) in theme.stylesheets.values() {
        for (offset, url) in remote_css(text) {
            diagnostics.push(
                Diagnostic::at_offset(
                    path,
                    text,
                    offset,
                    format!("the stylesheet refers to `{url}`, which is not a local file"),
                )
                .with_help(HELP),
            );
        }
    }
    diagnostics
}

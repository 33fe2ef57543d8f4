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
use crate::message::LinkMsg;
use crate::output::claims::theme_collisions;
use crate::render::theme::Theme;
use crate::source::Source;
use crate::text::links::{remote_css, remote_images};

/// Every problem of the project's names and references, or success.
pub fn check(booklet: &Booklet, theme: &Theme, config: &Source) -> Result<()> {
    let mut diagnostics = Diagnostics::new();
    diagnostics.extend(theme_collisions(booklet, theme));
    diagnostics.extend(remote(booklet, theme, config));
    diagnostics.finish()
}

/// Every remote image of the booklet's Markdown and every remote reference of the theme's
/// stylesheets, located. `config` is `livret.toml`.
fn remote(booklet: &Booklet, theme: &Theme, config: &Source) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut markdown = |path: &Path, known: Option<&Source>, fields: Vec<&str>| {
        let urls: Vec<String> = fields.into_iter().flat_map(remote_images).collect();
        if urls.is_empty() {
            return;
        }
        // Only on this error path is the file read again, to locate the image.
        let read;
        let source = match known {
            Some(source) => source,
            None => {
                read = Source::read(path).unwrap_or_else(|_| Source::new(path, ""));
                &read
            }
        };
        for url in urls {
            diagnostics.push(source.at_text(&url, LinkMsg::RemoteImage(url.clone())));
        }
    };
    markdown(&config.path, Some(config), booklet.config.markdown_fields());
    for part in &booklet.parts {
        let mut fields = vec![part.part.title.as_str()];
        fields.extend(part.part.intro.as_deref());
        markdown(&part.path, None, fields);
    }
    for entry in &booklet.entries {
        markdown(&entry.path, None, entry.doc.markdown_fields());
    }
    for (text, path) in theme.stylesheets.values() {
        for (offset, url) in remote_css(text) {
            diagnostics.push(Diagnostic::at_offset(
                path,
                text,
                offset,
                LinkMsg::RemoteCss(url),
            ));
        }
    }
    diagnostics
}

//! Printing reads local files only: an image or stylesheet the booklet takes from another site
//! cannot be in a printed booklet (offline, reproducible), and fetching it while printing would
//! tell that site who prints what. This module finds those references before anything is
//! written — Markdown images (`![](https://…)`) in fiches, parts and `livret.toml`, and
//! `url(…)` / `@import` in the theme's stylesheets — each located at its file and line, for
//! `check`, `build` and `pdf` alike. `livret pdf` also blocks, in the browser, every request
//! that is not a file of the print edition (`pdf::chromium`), whatever asked for it.

use std::path::Path;

use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::booklet::Booklet;
use crate::error::Diagnostic;
use crate::theme::Theme;

const HELP: &str = "printing reads local files only: save the file into the theme's static/ \
                    folder (themes/<theme>/static/…) and refer to it by its relative path";

/// Whether a reference leaves the print edition's folder: it has a scheme (`https:`,
/// `file:`…; `data:` stays inside the document) or is protocol-relative (`//host/x.png`).
pub fn is_remote(reference: &str) -> bool {
    let r = reference.trim();
    if r.starts_with("//") || r.starts_with("\\\\") {
        return true;
    }
    let Some((scheme, _)) = r.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme && !scheme.eq_ignore_ascii_case("data")
}

/// The destinations of the Markdown images of `md` that are remote.
pub fn remote_images(md: &str) -> Vec<String> {
    if !md.contains("](") && !md.contains("]:") {
        return Vec::new(); // no inline image nor reference definition: the common case
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(md, options)
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) if is_remote(&dest_url) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// The remote references of a stylesheet: `url(…)` and `@import "…"`, with their byte offset.
/// Comments are skipped; Tera syntax is left as it is.
pub fn remote_css(css: &str) -> Vec<(usize, String)> {
    let bytes = css.as_bytes();
    let lower = css.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            i = css[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |end| i + 2 + end + 2);
            continue;
        }
        let (start, reference) = if lower[i..].starts_with("url(") {
            let (start, text) = css_argument(css, i + 4, true);
            (start, text)
        } else if lower[i..].starts_with("@import") {
            let (start, text) = css_argument(css, i + 7, false);
            (start, text)
        } else {
            i += css[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if let Some(reference) = reference {
            if is_remote(&reference) {
                found.push((start, reference));
            }
            i = start.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// The quoted (or, in `url(`, unquoted) argument starting at `from`, after blanks.
fn css_argument(css: &str, from: usize, unquoted: bool) -> (usize, Option<String>) {
    let rest = &css[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    let rest = &css[start..];
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
            Some(end) => (start + 1, Some(rest[1..1 + end].to_string())),
            None => (start, None),
        },
        Some(_) if unquoted => {
            let end = rest.find(')').unwrap_or(rest.len());
            (start, Some(rest[..end].trim().to_string()))
        }
        _ => (start, None),
    }
}

/// Every remote image of the booklet's Markdown and every remote reference of the theme's
/// stylesheets, located. `config_path` is `livret.toml`.
pub fn check(booklet: &Booklet, theme: &Theme, config_path: &Path) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut markdown = |path: &Path, fields: Vec<&str>| {
        let urls: Vec<String> = fields.into_iter().flat_map(remote_images).collect();
        if urls.is_empty() {
            return;
        }
        let source = crate::load::read_text(path).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_references_are_told_from_local_ones() {
        for remote in [
            "http://example.org/a.png",
            " HTTPS://x/y",
            "//cdn.example.org/x.css",
            "file:///etc/passwd",
            "ftp://x/y",
        ] {
            assert!(is_remote(remote), "{remote}");
        }
        for local in [
            "images/a.png",
            "../a.png",
            "a.png?x=1:2",
            "#x",
            "data:image/png,x",
            "",
        ] {
            assert!(!is_remote(local), "{local}");
        }
    }

    #[test]
    fn markdown_images_only() {
        let md = "Voir [le site](https://example.org) et ![](http://pixel.example/p.gif).\n\n\
                  ![local](images/a.png) ![ref][r]\n\n[r]: https://example.org/r.png\n";
        assert_eq!(
            remote_images(md),
            ["http://pixel.example/p.gif", "https://example.org/r.png"]
        );
        assert!(remote_images("Pas d'image.").is_empty());
    }

    #[test]
    fn css_urls_and_imports() {
        let css = "/* url(http://comment.example/x) */\n@import url(\"http://a.example/x.css\");\n\
                   @import 'https://b.example/y.css';\nbody { background: URL( //c.example/z.png ) }\n\
                   @font-face { src: url(\"fonts/a.woff2\") }\n";
        let found: Vec<String> = remote_css(css).into_iter().map(|(_, u)| u).collect();
        assert_eq!(
            found,
            [
                "http://a.example/x.css",
                "https://b.example/y.css",
                "//c.example/z.png"
            ]
        );
        let (offset, _) = remote_css(css)[0];
        assert!(css[offset..].starts_with("http://a.example"));
    }
}

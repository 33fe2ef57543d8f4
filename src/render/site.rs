//! The site context (`site` in every template): the booklet's metadata from livret.toml and
//! the theme's labels, with typography; and the small text forms derived from it (Open Graph
//! locale, CSS strings for running heads, URLs as printed).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::booklet::Booklet;
use crate::text::markdown::{self, Style};

use super::refs::unresolved;

/// The booklet as a whole: `site` in every template.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub title_plain: String,
    /// The plain title escaped for a CSS string (running headers).
    pub title_css: String,
    pub subtitle: Option<String>,
    pub strapline: Option<String>,
    pub publisher: Option<String>,
    pub publisher_short: Option<String>,
    pub publisher_plain: String,
    pub description: String,
    pub edition: Option<String>,
    pub website: Option<String>,
    pub website_label: Option<String>,
    pub lang: String,
    /// `lang` as an Open Graph locale (`fr` → `fr_FR`), when it names or implies a territory.
    pub og_locale: Option<String>,
    pub page_size: &'static str,
    pub page_width_mm: f64,
    pub page_height_mm: f64,
    pub base_url: Option<String>,
    pub cover_lead: Option<String>,
    pub colophon: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub has_pdf: bool,
    pub fiche_count: usize,
    pub generator: &'static str,
}

/// The site context of a booklet.
pub fn site(
    booklet: &Booklet,
    labels: &BTreeMap<String, String>,
    style: Style,
    has_pdf: bool,
) -> SiteCtx {
    let config = &booklet.config;
    let inline = |md: &str| unresolved(markdown::inline(md, style));
    let block = |md: &str| unresolved(markdown::block(md, style));
    let plain = |md: &str| markdown::plain(md, style.french);
    let description = config.description.as_deref().map(plain).unwrap_or_else(|| {
        let mut parts = vec![plain(&config.title)];
        parts.extend(config.subtitle.as_deref().map(plain));
        parts.extend(config.strapline.as_deref().map(plain));
        parts.join(" — ")
    });
    let (w, h) = config.page_size.mm();
    SiteCtx {
        title: inline(&config.title),
        title_plain: plain(&config.title),
        title_css: css_string(&plain(&config.title)),
        subtitle: config.subtitle.as_deref().map(inline),
        strapline: config.strapline.as_deref().map(inline),
        publisher: config.publisher.as_deref().map(inline),
        publisher_short: config.publisher_short.clone(),
        publisher_plain: config.publisher.as_deref().map(plain).unwrap_or_default(),
        description,
        edition: config.edition.as_deref().map(inline),
        website: config.website.clone(),
        website_label: config.website.as_deref().map(|w| {
            w.trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_string()
        }),
        lang: config.lang.clone(),
        og_locale: og_locale(&config.lang),
        page_size: config.page_size.css(),
        page_width_mm: w,
        page_height_mm: h,
        base_url: config.base_url(),
        cover_lead: config.cover.lead.as_deref().map(block),
        colophon: config.colophon.body.as_deref().map(block),
        labels: labels
            .iter()
            .map(|(k, v)| {
                let v = if style.french {
                    crate::text::typo::french_plain(v)
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect(),
        has_pdf,
        fiche_count: booklet
            .entries
            .iter()
            .filter(|e| e.number.is_some())
            .count(),
        generator: concat!("livret ", env!("CARGO_PKG_VERSION")),
    }
}

/// A URL as printed on paper: no scheme, no trailing slash, a zero-width break opportunity
/// after each slash so long URLs wrap inside A5 margins.
pub fn display_url(url: &str) -> String {
    let bare = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("mailto:");
    let bare = bare.strip_suffix('/').unwrap_or(bare);
    let mut out = String::with_capacity(bare.len() + 8);
    for c in bare.chars() {
        out.push(c);
        if matches!(c, '/' | '?' | '&' | '=' | '-' | '_') {
            out.push('\u{200B}');
        }
    }
    out
}

/// The Open Graph locale of a BCP 47 language tag: `fr-CA` → `fr_CA`, `fr` → `fr_FR`; `None`
/// when the tag names no territory and the language has no obvious one.
fn og_locale(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let language = parts.next()?.to_ascii_lowercase();
    if let Some(region) = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Some(format!("{language}_{}", region.to_ascii_uppercase()));
    }
    let region = match language.as_str() {
        "fr" => "FR",
        "en" => "US",
        "de" => "DE",
        "es" => "ES",
        "it" => "IT",
        "pt" => "PT",
        "nl" => "NL",
        "ca" => "ES",
        _ => return None,
    };
    Some(format!("{language}_{region}"))
}

/// Escapes text for the inside of a double-quoted CSS string.
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("\\3c "),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_print_without_scheme_and_can_break() {
        assert_eq!(
            display_url("https://solidaritycities.eu/"),
            "solidaritycities.eu"
        );
        assert!(display_url("http://a.org/b/c").contains("a.org/\u{200B}b/\u{200B}c"));
    }

    #[test]
    fn open_graph_locales() {
        assert_eq!(og_locale("fr").as_deref(), Some("fr_FR"));
        assert_eq!(og_locale("fr-CA").as_deref(), Some("fr_CA"));
        assert_eq!(og_locale("sr-Latn-RS").as_deref(), Some("sr_RS"));
        assert_eq!(og_locale("eo"), None);
    }
}

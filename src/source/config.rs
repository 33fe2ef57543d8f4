//! `livret.toml`: the booklet's metadata (title, publisher, language, page size, theme, cover
//! and colophon text, label overrides), read into a validated `Config`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error, Result};
use crate::message::{ContentMsg, FileMsg, Lang, LinkMsg, TitleOf};
use crate::source::{Source, de};

pub const FILE_NAME: &str = "livret.toml";

/// `livret.toml` as read: its settings, and its text (diagnostics about it point into it).
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub config: Config,
    pub source: Source,
}

/// The booklet's settings, as written in `livret.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    pub subtitle: Option<String>,
    pub strapline: Option<String>,
    pub publisher: Option<String>,
    pub publisher_short: Option<String>,
    pub description: Option<String>,
    #[serde(default = "default_lang")]
    pub lang: String,
    pub edition: Option<String>,
    pub website: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub page_size: PageSize,
    /// Absolute URL where the site is published; enables sitemap.xml and canonical links.
    pub base_url: Option<String>,
    /// Lets raw HTML inside Markdown through (escaped otherwise).
    #[serde(default)]
    pub allow_html: bool,
    #[serde(default)]
    pub cover: Cover,
    #[serde(default)]
    pub colophon: Colophon,
    /// Overrides of the theme's labels ("Bonne pratique", "En bref", …).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    pub lead: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Colophon {
    pub body: Option<String>,
}

/// Paper size of the print edition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum PageSize {
    #[default]
    A5,
    A4,
    #[serde(alias = "Letter", alias = "letter")]
    Letter,
}

impl PageSize {
    /// The CSS `@page { size }` value.
    pub fn css(self) -> &'static str {
        match self {
            PageSize::A5 => "A5",
            PageSize::A4 => "A4",
            PageSize::Letter => "letter",
        }
    }

    /// Width and height in millimetres.
    pub fn mm(self) -> (f64, f64) {
        match self {
            PageSize::A5 => (148.0, 210.0),
            PageSize::A4 => (210.0, 297.0),
            PageSize::Letter => (215.9, 279.4),
        }
    }
}

fn default_lang() -> String {
    "fr".into()
}

fn default_theme() -> String {
    "default".into()
}

/// The language of messages for a run in `root`: livret.toml's `lang`, read leniently (a
/// livret.toml with a syntax error still chooses), else the system's (`Lang::choose`).
pub fn lang_of(root: &Path) -> Lang {
    let path = root.join(FILE_NAME);
    let declared = std::fs::read(&path).ok().and_then(|bytes| {
        let source = Source::new(&path, &String::from_utf8_lossy(&bytes));
        crate::source::schema::top_level_str(&source, "lang")
    });
    Lang::choose(declared.as_deref())
}

impl Config {
    /// Reads and validates `<root>/livret.toml`, once: every unknown key, wrong type and
    /// missing key at once (the schema), then the values.
    pub fn load(root: &Path) -> Result<ConfigFile> {
        let path = root.join(FILE_NAME);
        if let Err(e) = std::fs::metadata(&path)
            && e.kind() == std::io::ErrorKind::NotFound
        {
            return Err(Error::Said(Box::new(
                FileMsg::NoConfig(root.display().to_string()).into(),
            )));
        }
        // Same rules as a fiche: a regular file, at most 1 MiB, UTF-8.
        let source = Source::read(&path)?;
        let tree = crate::source::schema::validated(&source, &crate::source::schema::CONFIG)
            .map_err(Error::Content)?;
        let config = de::from_tree(&source, tree).and_then(|c| Config::checked(&source, c))?;
        Ok(ConfigFile { config, source })
    }

    /// Parses and validates the text of a `livret.toml`.
    pub fn parse(source: &Source) -> Result<Config, Diagnostic> {
        Config::checked(source, de::parse(source)?)
    }

    /// The value checks of a `livret.toml` read by serde.
    fn checked(file: &Source, config: Config) -> Result<Config, Diagnostic> {
        let (path, source) = (file.path.as_path(), file.text.as_str());
        if crate::source::fiche::is_blank(&config.title) {
            return Err(Diagnostic::at_text(
                path,
                source,
                "title",
                crate::source::fiche::empty_message(TitleOf::Booklet, &config.title),
            ));
        }
        if !valid_lang(&config.lang) {
            return Err(Diagnostic::at_text(
                path,
                source,
                "lang",
                ContentMsg::BadLang(config.lang.clone()),
            ));
        }
        if let Some(url) = &config.base_url
            && !is_base_url(url)
        {
            return Err(Diagnostic::at_text(
                path,
                source,
                "base_url",
                ContentMsg::BadBaseUrl(url.clone()),
            ));
        }
        if !config
            .theme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || config.theme.is_empty()
        {
            return Err(Diagnostic::at_text(
                path,
                source,
                "theme",
                ContentMsg::BadThemeName(config.theme.clone()),
            ));
        }
        if let Some(website) = &config.website
            && let Some(problem) = crate::text::links::url_problem(website)
        {
            return Err(Diagnostic::at_text(
                path,
                source,
                website,
                LinkMsg::Refused(problem),
            ));
        }
        config.check_text(file)?;
        Ok(config)
    }

    /// The text fields of livret.toml: inline fields hold inline Markdown only, and links
    /// follow the URL policy (no link to a fiche from here).
    fn check_text(&self, file: &Source) -> Result<(), Diagnostic> {
        let (path, source) = (file.path.as_path(), file.text.as_str());
        use crate::source::inline::Shown::{InLink, Inline};
        let mut fields = vec![("title", self.title.as_str(), InLink)];
        fields.extend(self.subtitle.as_deref().map(|t| ("subtitle", t, InLink)));
        fields.extend(self.strapline.as_deref().map(|t| ("strapline", t, Inline)));
        fields.extend(self.publisher.as_deref().map(|t| ("publisher", t, Inline)));
        fields.extend(self.edition.as_deref().map(|t| ("edition", t, Inline)));
        if let Some(d) = crate::source::inline::check(file, &fields)
            .into_iter()
            .next()
        {
            return Err(d);
        }
        let mut scan = crate::text::markdown::Scan::default();
        for field in self.markdown_fields() {
            crate::text::markdown::scan(field, &mut scan);
        }
        for link in &scan.links {
            if link.trim().starts_with('@') {
                return Err(Diagnostic::at_text(
                    path,
                    source,
                    link,
                    LinkMsg::ConfigLinksFiche(link.clone()),
                ));
            }
            if let Some(problem) = crate::text::links::url_problem(link) {
                return Err(crate::source::locate::locate_link(
                    file,
                    &self.markdown_fields(),
                    link,
                    LinkMsg::Refused(problem),
                ));
            }
        }
        Ok(())
    }

    /// Every Markdown field of livret.toml.
    /// The texts where a count of fiches may be written: title, subtitle, strapline,
    /// description.
    pub fn counted_fields(&self) -> Vec<&str> {
        [
            Some(self.title.as_str()),
            self.subtitle.as_deref(),
            self.strapline.as_deref(),
            self.description.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Fills the count placeholders (`{nombre}`…, see `text::count`) of the counted texts.
    pub fn fill_count(&mut self, fiches: usize) {
        let fill = |text: &mut String| *text = crate::text::count::fill(text, fiches);
        fill(&mut self.title);
        for text in [
            &mut self.subtitle,
            &mut self.strapline,
            &mut self.description,
        ]
        .into_iter()
        .flatten()
        {
            fill(text);
        }
    }

    pub fn markdown_fields(&self) -> Vec<&str> {
        [
            Some(self.title.as_str()),
            self.subtitle.as_deref(),
            self.strapline.as_deref(),
            self.publisher.as_deref(),
            self.description.as_deref(),
            self.edition.as_deref(),
            self.cover.lead.as_deref(),
            self.colophon.body.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// French typography rules apply to `fr` and its regional variants.
    pub fn is_french(&self) -> bool {
        self.lang == "fr" || self.lang.starts_with("fr-")
    }

    /// `base_url` with exactly one trailing slash.
    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .as_ref()
            .map(|u| format!("{}/", u.trim_end_matches('/')))
    }
}

/// An absolute http(s) URL with a host, written in full (`http:/x` is not), that the site's
/// paths can follow: no query, no fragment. The same host rule as `website`.
fn is_base_url(url: &str) -> bool {
    let written = ["http://", "https://"].iter().any(|p| {
        url.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    });
    written
        && crate::text::links::url_problem(url).is_none()
        && url::Url::parse(url).is_ok_and(|u| {
            u.host_str().is_some_and(|h| !h.is_empty())
                && u.query().is_none()
                && u.fragment().is_none()
        })
}

fn valid_lang(lang: &str) -> bool {
    !lang.is_empty()
        && lang.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_defaults() -> crate::error::TestResult {
        let c = Config::parse(&Source::new("livret.toml", "title = \"Guide\"\n"))?;
        assert_eq!(c.lang, "fr");
        assert_eq!(c.theme, "default");
        assert_eq!(c.page_size, PageSize::A5);
        assert!(c.is_french());
        Ok(())
    }

    #[test]
    fn page_sizes_and_bad_values() -> crate::error::TestResult {
        let c = Config::parse(&Source::new("l", "title = \"G\"\npage_size = \"letter\"\n"))?;
        assert_eq!(c.page_size.css(), "letter");
        let d =
            Config::parse(&Source::new("l", "title = \"G\"\npage_size = \"A6\"\n")).unwrap_err();
        assert_eq!(d.line, 2);
        let d = Config::parse(&Source::new("l", "title = \"G\"\ntheme = \"../x\"\n")).unwrap_err();
        assert!(d.text(crate::message::Lang::En).message.contains("theme"));
        for bad in [
            "http://",
            "https://",
            "http:/example.org",
            "http://localhost:x/",
            "https://exa mple.org/",
            "https://example.org/?a=b",
            "https://example.org/#top",
            "https://example/",
        ] {
            assert!(!is_base_url(bad), "{bad}");
        }
        for good in [
            "https://example.org/guide/",
            "http://localhost:8000",
            "HTTPS://Example.org",
        ] {
            assert!(is_base_url(good), "{good}");
        }
        let d =
            Config::parse(&Source::new("l", "title = \"G\"\nbase_url = \"x.org\"\n")).unwrap_err();
        assert_eq!(d.line, 2);
        let d = Config::parse(&Source::new(
            "l",
            "title = \"G\"\nwebsite = \"javascript:alert(1)\"\n",
        ))
        .unwrap_err();
        assert_eq!((d.line, d.col), (2, 12));
        assert!(
            d.text(crate::message::Lang::En)
                .message
                .contains("refused scheme `javascript:`"),
            "{}",
            d
        );
        let d = Config::parse(&Source::new(
            "l",
            "title = \"G\"\n[colophon]\nbody = \"\"\"\nVoir [ici](JavaScript:alert(1))\n\"\"\"\n",
        ))
        .unwrap_err();
        assert_eq!((d.line, d.col), (4, 12));
        Ok(())
    }
}

//! The content files: serde types for a fiche, a page, the sommaire marker and a part
//! (`_part.toml`), all with `deny_unknown_fields`, and `parse(path, text)` so that tests need no
//! disk. A document knows nothing of its place in the booklet: see `booklet`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::Diagnostic;
use crate::message::{ContentMsg, TitleOf, TomlMsg};
use crate::source::{Source, de};

/// What one `.toml` file under `fiches/` holds.
#[derive(Debug, Clone)]
pub enum Doc {
    Fiche(Box<Fiche>),
    Page(Page),
    Sommaire(Sommaire),
}

/// The kind of an entry file, from its `kind` key: the one mapping between the names users
/// write and what livret does with them (which schema checks the file, which serde type reads
/// it, which template renders it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A numbered fiche ("Bonne pratique n°N"), the default.
    Fiche,
    /// An unnumbered page.
    Page,
    /// Where the sommaire goes.
    Sommaire,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Fiche, Kind::Page, Kind::Sommaire];

    /// The name written in `kind = "…"`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fiche => "fiche",
            Kind::Page => "page",
            Kind::Sommaire => "sommaire",
        }
    }

    /// The kind a `kind = "…"` value names.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl Doc {
    pub fn kind(&self) -> Kind {
        match self {
            Doc::Fiche(_) => Kind::Fiche,
            Doc::Page(_) => Kind::Page,
            Doc::Sommaire(_) => Kind::Sommaire,
        }
    }

    pub fn slug(&self) -> Option<&str> {
        match self {
            Doc::Fiche(f) => f.slug.as_deref(),
            Doc::Page(p) => p.slug.as_deref(),
            Doc::Sommaire(_) => None,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Doc::Fiche(f) => &f.title,
            Doc::Page(p) => &p.title,
            Doc::Sommaire(s) => &s.title,
        }
    }

    pub fn notes(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            Doc::Fiche(f) => Some(&f.notes),
            Doc::Page(p) => Some(&p.notes),
            Doc::Sommaire(_) => None,
        }
    }

    /// Every Markdown field of the document, in the order it is displayed: note numbers follow
    /// this order, so the first note cited on the page is ¹.
    pub fn markdown_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        match self {
            Doc::Fiche(f) => {
                out.push(&f.title);
                out.extend(f.example.as_deref());
                out.extend(f.tagline.as_deref());
                for fig in &f.figures {
                    out.extend(fig.value.as_deref());
                    out.push(&fig.label);
                }
                out.extend(f.summary.as_deref());
                f.extras_at(Place::Summary, &mut out);
                for how in &f.how {
                    out.extend(how.heading.as_deref());
                    out.push(&how.body);
                }
                f.extras_at(Place::How, &mut out);
                if let Some(o) = &f.outcome {
                    out.extend(o.headline.as_deref());
                    out.extend(o.body.as_deref());
                }
                f.extras_at(Place::Outcome, &mut out);
                if let Some(t) = &f.takeaways {
                    out.extend(t.intro.as_deref());
                    out.extend(t.items.iter().map(String::as_str));
                }
                for l in &f.links {
                    out.extend(l.label.as_deref());
                }
            }
            Doc::Page(p) => {
                out.push(&p.title);
                out.extend(p.kicker.as_deref());
                out.extend(p.lead.as_deref());
                out.extend(p.body.as_deref());
            }
            Doc::Sommaire(s) => out.push(&s.title),
        }
        out
    }

    /// Every URL written in a dedicated field (links of "Pour aller plus loin").
    pub fn field_urls(&self) -> Vec<&str> {
        match self {
            Doc::Fiche(f) => f.links.iter().filter_map(|l| l.url.as_deref()).collect(),
            _ => Vec::new(),
        }
    }
}

/// A numbered fiche ("Bonne pratique n°N").
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fiche {
    #[serde(default)]
    pub kind: Option<String>,
    pub slug: Option<String>,
    pub title: String,
    pub example: Option<String>,
    pub tagline: Option<String>,
    pub summary: Option<String>,
    #[serde(default)]
    pub figures: Vec<Figure>,
    #[serde(default)]
    pub how: Vec<How>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub asides: Vec<Aside>,
    pub outcome: Option<Outcome>,
    pub takeaways: Option<Takeaways>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

impl Fiche {
    fn extras_at<'a>(&'a self, place: Place, out: &mut Vec<&'a str>) {
        for q in self.quotes.iter().filter(|q| q.at == place) {
            out.push(&q.text);
            out.extend(q.author.as_deref());
            out.extend(q.role.as_deref());
        }
        for a in self.asides.iter().filter(|a| a.at == place) {
            out.extend(a.title.as_deref());
            out.push(&a.body);
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    pub value: Option<String>,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct How {
    pub heading: Option<String>,
    pub body: String,
}

/// Where a quote or an aside is shown in its fiche.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Summary,
    #[default]
    How,
    Outcome,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub text: String,
    pub author: Option<String>,
    pub role: Option<String>,
    #[serde(default)]
    pub at: Place,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aside {
    pub title: Option<String>,
    pub body: String,
    #[serde(default)]
    pub at: Place,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub headline: Option<String>,
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Takeaways {
    pub intro: Option<String>,
    #[serde(default)]
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: Option<String>,
    pub url: Option<String>,
}

/// An unnumbered page (presentation, introduction, further reading, contact).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub kind: String,
    pub slug: Option<String>,
    pub title: String,
    pub kicker: Option<String>,
    pub lead: Option<String>,
    pub body: Option<String>,
    /// Listed in the sommaire.
    #[serde(default = "yes")]
    pub toc: bool,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

/// Marks where the sommaire sits in document order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sommaire {
    pub kind: String,
    #[serde(default = "sommaire_title")]
    pub title: String,
}

/// A part: the `_part.toml` of a folder.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub title: String,
    pub intro: Option<String>,
    pub slug: Option<String>,
}

fn yes() -> bool {
    true
}

fn sommaire_title() -> String {
    "Sommaire".into()
}

/// Parses the text of one entry file, dispatching on its `kind`.
pub fn parse(source: &Source) -> Result<Doc, Diagnostic> {
    let tree = toml::de::DeTable::parse(&source.text).map_err(|e| {
        de::parse::<toml::Table>(source).err().unwrap_or_else(|| {
            Diagnostic::file(
                &source.path,
                TomlMsg::Syntax(e.message().trim().to_string()),
            )
        })
    })?;
    from_tree(source, tree)
}

/// Reads one entry from its parsed TOML tree (see `schema::validated_entry`), dispatching on
/// its `kind`.
pub fn from_tree(
    source: &Source,
    tree: toml::Spanned<toml::de::DeTable<'_>>,
) -> Result<Doc, Diagnostic> {
    let kind = tree.get_ref().get("kind").map(|v| (v.get_ref(), v.span()));
    let doc = match kind {
        None => Doc::Fiche(Box::new(de::from_tree(source, tree)?)),
        Some((toml::de::DeValue::String(k), span)) => match Kind::from_name(k) {
            Some(Kind::Fiche) => Doc::Fiche(Box::new(de::from_tree(source, tree)?)),
            Some(Kind::Page) => Doc::Page(de::from_tree(source, tree)?),
            Some(Kind::Sommaire) => Doc::Sommaire(de::from_tree(source, tree)?),
            None => return Err(unknown_kind(source, k, span.start)),
        },
        // A kind that is not a string: serde explains the expected type.
        Some(_) => Doc::Fiche(Box::new(de::from_tree(source, tree)?)),
    };
    if is_blank(doc.title()) {
        return Err(source.at_text("title", empty_message(TitleOf::Entry, doc.title())));
    }
    Ok(doc)
}

/// Whether `text` shows nothing: only blanks and invisible characters (zero-width spaces and
/// joiners, word joiners, soft hyphens, direction marks, the byte-order mark…).
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{034F}'
                    | '\u{061C}'
                    | '\u{115F}'
                    | '\u{1160}'
                    | '\u{17B4}'
                    | '\u{17B5}'
                    | '\u{180B}'..='\u{180F}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{206F}'
                    | '\u{2800}'
                    | '\u{3164}'
                    | '\u{FE00}'..='\u{FE0F}'
                    | '\u{FEFF}'
                    | '\u{FFA0}'
            )
    })
}

/// "… is empty", saying why when the text is not empty but invisible.
pub fn empty_message(of: TitleOf, text: &str) -> ContentMsg {
    ContentMsg::EmptyTitle {
        of,
        invisible: !text.trim().is_empty(),
    }
}

fn unknown_kind(source: &Source, kind: &str, offset: usize) -> Diagnostic {
    let allowed: Vec<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
    let best = de::closest(kind, &allowed).map(str::to_string);
    source.at(
        offset,
        ContentMsg::UnknownKind {
            kind: kind.to_string(),
            best,
        },
    )
}

/// Parses the text of a `_part.toml`.
pub fn parse_part(source: &Source) -> Result<Part, Diagnostic> {
    checked_part(source, de::parse(source)?)
}

/// Reads a `_part.toml` from its parsed TOML tree.
pub fn part_from_tree(
    source: &Source,
    tree: toml::Spanned<toml::de::DeTable<'_>>,
) -> Result<Part, Diagnostic> {
    checked_part(source, de::from_tree(source, tree)?)
}

fn checked_part(source: &Source, part: Part) -> Result<Part, Diagnostic> {
    if is_blank(&part.title) {
        return Err(source.at_text("title", empty_message(TitleOf::Part, &part.title)));
    }
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TestResult;

    const RIACE: &str = r#"
title = "Tirer parti de la présence des migrant.e.s"
example = "L'exemple du village de Riace, Italie"
summary = "Un village[^a]."
[[figures]]
value = "2100"
label = "habitants"
[[how]]
heading = "Proposer"
body = "Texte"
[[quotes]]
text = "Citation"
author = "Domenico Lucano"
at = "summary"
[outcome]
headline = "Réussi !"
body = "Bilan"
[takeaways]
items = ["un", "deux"]
[[links]]
url = "https://example.org"
[notes]
a = "Une note"
"#;

    #[test]
    fn fiche_parses_with_all_sections() -> TestResult {
        let Doc::Fiche(f) = parse(&Source::new("riace.toml", RIACE))? else {
            return Err("not a fiche".into());
        };
        assert_eq!(f.figures[0].value.as_deref(), Some("2100"));
        assert_eq!(f.quotes[0].at, Place::Summary);
        assert_eq!(f.takeaways.ok_or("no takeaways")?.items.len(), 2);
        Ok(())
    }

    #[test]
    fn markdown_fields_follow_display_order() -> TestResult {
        let doc = parse(&Source::new("riace.toml", RIACE))?;
        let fields = doc.markdown_fields();
        let at = |find: &dyn Fn(&str) -> bool| fields.iter().position(|f| find(f));
        let summary = at(&|f| f.contains("Un village")).ok_or("no summary")?;
        let quote = at(&|f| f == "Citation").ok_or("no quote")?;
        let how = at(&|f| f == "Texte").ok_or("no how")?;
        assert!(summary < quote && quote < how);
        Ok(())
    }

    #[test]
    fn kinds_dispatch_and_unknown_kind_is_located() -> TestResult {
        let doc = parse(&Source::new(
            "p.toml",
            "kind = \"page\"\ntitle = \"Intro\"\n",
        ))?;
        assert!(matches!(doc, Doc::Page(ref p) if p.toc));
        let doc = parse(&Source::new("s.toml", "kind = \"sommaire\"\n"))?;
        assert_eq!(doc.title(), "Sommaire");
        let d = parse(&Source::new("p.toml", "title = \"x\"\nkind = \"pgae\"\n")).unwrap_err();
        assert_eq!((d.line, d.col), (2, 8));
        assert!(
            d.text(crate::message::Lang::En)
                .help
                .ok_or("no help")?
                .contains("did you mean \"page\"")
        );
        Ok(())
    }

    #[test]
    fn invisible_titles_are_empty() {
        for title in [
            "\u{200B}",
            " \u{200B}\u{200D}\u{FEFF} ",
            "\u{2060}\u{00AD}",
            "\u{3164}",
        ] {
            let src = format!("title = \"{title}\"\n");
            let d = parse(&Source::new("f.toml", &src)).unwrap_err();
            let text = d.text(crate::message::Lang::En).message;
            assert!(text.contains("invisible"), "{title:?}: {text}");
        }
        assert!(!is_blank("a\u{200B}"));
    }

    #[test]
    fn page_fields_are_not_allowed_on_a_fiche() {
        let d = parse(&Source::new("f.toml", "title = \"x\"\nlead = \"y\"\n")).unwrap_err();
        assert_eq!(d.line, 2);
        assert!(
            d.text(crate::message::Lang::En)
                .message
                .contains("unknown key `lead`")
        );
    }
}

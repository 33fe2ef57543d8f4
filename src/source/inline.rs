//! Inline fields (titles, examples, taglines, figures, headings, labels…) take inline Markdown
//! only: emphasis, code, links, note calls. Block syntax (`# …`, lists, `>`, `---`, a blank
//! line) would publish a heading, a list or a rule inside a `<p>` or a `<span>`, so it is a
//! located error. Fields that the sommaire or the site header show inside a link (titles,
//! examples, taglines, kickers, part titles, the booklet's title and subtitle) may not hold a
//! link or a note call either: a link inside a link is not HTML, and the sommaire has no notes.
//! Raw HTML is left to `allow_html`: escaped, it is text; allowed, the author answers for it.

use pulldown_cmark::{Event, Options, Parser, Tag, TextMergeWithOffset};

use crate::error::Diagnostic;
use crate::message::{Block, ContentMsg};
use crate::source::Source;
use crate::source::fiche::Doc;

/// How a field is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Inside a paragraph or a heading.
    Inline,
    /// Inside a paragraph or a heading, and inside a link of the sommaire or the header.
    InLink,
}

/// One inline field: its name in messages, its text, how it is shown.
pub type Field<'a> = (&'static str, &'a str, Shown);

/// The inline fields of an entry.
pub fn entry_fields(doc: &Doc) -> Vec<Field<'_>> {
    use Shown::{InLink, Inline};
    let mut out: Vec<Field<'_>> = vec![("title", doc.title(), InLink)];
    match doc {
        Doc::Fiche(f) => {
            out.extend(f.example.as_deref().map(|t| ("example", t, InLink)));
            out.extend(f.tagline.as_deref().map(|t| ("tagline", t, InLink)));
            for fig in &f.figures {
                out.extend(
                    fig.value
                        .as_deref()
                        .map(|t| ("a figure's value", t, Inline)),
                );
                out.push(("a figure's label", &fig.label, Inline));
            }
            for h in &f.how {
                out.extend(
                    h.heading
                        .as_deref()
                        .map(|t| ("a [[how]] heading", t, Inline)),
                );
            }
            for q in &f.quotes {
                out.extend(q.author.as_deref().map(|t| ("a quote's author", t, Inline)));
                out.extend(q.role.as_deref().map(|t| ("a quote's role", t, Inline)));
            }
            for a in &f.asides {
                out.extend(a.title.as_deref().map(|t| ("an aside's title", t, Inline)));
            }
            if let Some(o) = &f.outcome {
                out.extend(
                    o.headline
                        .as_deref()
                        .map(|t| ("the outcome's headline", t, Inline)),
                );
            }
            for l in &f.links {
                out.extend(l.label.as_deref().map(|t| ("a link's label", t, Inline)));
            }
        }
        Doc::Page(p) => out.extend(p.kicker.as_deref().map(|t| ("kicker", t, InLink))),
        Doc::Sommaire(_) => {}
    }
    out
}

/// Every problem of the inline `fields` of a file.
pub fn check(source: &Source, fields: &[Field<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for &(name, text, shown) in fields {
        if let Some(Problem { at, message }) = problem(name, text, shown) {
            let d = match crate::source::locate::in_value(&source.text, text, at) {
                Some(offset) => source.at(offset, message),
                None => Diagnostic::file(&source.path, message),
            };
            out.push(d);
        }
    }
    out
}

/// What is wrong with one inline field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the field's text.
    pub at: usize,
    pub message: ContentMsg,
}

/// The first problem of one inline field.
pub fn problem(name: &'static str, text: &str, shown: Shown) -> Option<Problem> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut paragraphs = 0;
    for (event, range) in
        TextMergeWithOffset::new(Parser::new_ext(text, options).into_offset_iter())
    {
        let what = match &event {
            Event::Start(Tag::Paragraph) => {
                paragraphs += 1;
                if paragraphs == 1 {
                    continue;
                }
                Block::Paragraph
            }
            Event::Start(Tag::Heading { .. }) => Block::Heading,
            Event::Start(Tag::List(_)) => Block::List,
            Event::Start(Tag::BlockQuote(_)) => Block::Quote,
            Event::Start(Tag::CodeBlock(_)) => Block::Code,
            Event::Start(Tag::Table(_)) => Block::Table,
            Event::Rule => Block::Rule,
            Event::Start(Tag::Link { .. }) if shown == Shown::InLink => {
                return Some(Problem {
                    at: range.start,
                    message: ContentMsg::InlineLink(name),
                });
            }
            Event::Text(t) if shown == Shown::InLink => {
                let Some(note) = note_call(t) else { continue };
                return Some(Problem {
                    at: range.start + note,
                    message: ContentMsg::InlineNote(name),
                });
            }
            _ => continue,
        };
        return Some(Problem {
            at: range.start,
            message: ContentMsg::InlineBlock {
                field: name,
                block: what,
            },
        });
    }
    None
}

/// Where a `[^key]` note call starts in `text`.
fn note_call(text: &str) -> Option<usize> {
    let start = text.find("[^")?;
    let rest = &text[start + 2..];
    let end = rest.find(']')?;
    let key = &rest[..end];
    (!key.is_empty() && key.chars().all(crate::text::markdown::is_note_key_char)).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_syntax_is_refused_in_inline_fields() {
        for (text, what) in [
            ("# Titre", "a heading"),
            ("- un\n- deux", "a list"),
            ("1. un", "a list"),
            ("> cité", "a quotation"),
            ("---", "a horizontal rule"),
            ("un\n\ndeux", "a second paragraph"),
            ("Titre\n===", "a heading"),
        ] {
            let p = problem("title", text, Shown::Inline);
            assert!(
                p.as_ref().is_some_and(|p| {
                    crate::message::Message::from(p.message.clone())
                        .text(crate::message::Lang::En)
                        .message
                        .contains(what)
                }),
                "{text:?}: {p:?}"
            );
        }
        for text in [
            "Un *titre* avec `code`",
            "1er mai",
            "Riace, Italie : un village",
            "une ligne\npuis une autre",
            "\\# pas un titre",
            "**2100** habitants",
        ] {
            assert_eq!(problem("title", text, Shown::Inline), None, "{text:?}");
        }
    }

    #[test]
    fn links_and_notes_are_refused_where_the_sommaire_links() {
        let p = problem("title", "Voir [Riace](@riace)", Shown::InLink);
        assert_eq!(p.map(|p| p.at), Some(5));
        let p = problem("title", "Un titre[^a]", Shown::InLink);
        assert_eq!(p.map(|p| p.at), Some(8));
        assert!(problem("label", "Voir [Riace](@riace)[^a]", Shown::Inline).is_none());
    }
}

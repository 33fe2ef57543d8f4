//! Lints: mistakes that parse and build, but publish a page other than the one meant. Most are
//! warnings (`check` and `build` show them and go on; `--strict` refuses them): a Markdown
//! field indented into a code block, raw HTML shown as text, an unaccented capital whose accent
//! is certain, a count of fiches in livret.toml that the booklet no longer has. The example
//! text that `livret new` writes is an error: a scaffold is not a fiche. (A web address without
//! `https://` is refused by the URL policy, `text::links`.)

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};

use crate::error::Diagnostic;
use crate::message::{Html, LintMsg};
use crate::source::Source;
use crate::source::config::Config;
use crate::source::locate::FieldSpan;

/// The problems of one entry file: `fields` are its Markdown texts (notes included).
pub fn entry(source: &Source, fields: &[&str], allow_html: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for field in fields {
        markdown(source, field, allow_html, &mut out);
    }
    placeholders(source, &mut out);
    unaccented(source, &mut out);
    out
}

/// The problems of livret.toml: counts of fiches that disagree with `fiches`, unaccented
/// capitals.
pub fn config(source: &Source, config: &Config, fiches: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for text in config.counted_fields() {
        for stated in crate::text::count::stated_counts(text) {
            if stated.value != fiches {
                out.push(
                    source
                        .at_text(
                            &stated.text,
                            LintMsg::Count {
                                stated: stated.text.clone(),
                                fiches,
                            },
                        )
                        .warning(),
                );
            }
        }
    }
    unaccented(source, &mut out);
    out
}

/// Indented code blocks and raw HTML in one Markdown field.
fn markdown(source: &Source, field: &str, allow_html: bool, out: &mut Vec<Diagnostic>) {
    if !field.contains("    ") && !field.contains('\t') && !field.contains('<') {
        return; // the common case: nothing to look for
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(field, options).into_offset_iter() {
        let at = range.start + (field[range.clone()].len() - field[range].trim_start().len());
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => {
                found.push((at, LintMsg::IndentedCode));
            }
            Event::Html(html) | Event::InlineHtml(html) if !allow_html => {
                let tag = html.trim().lines().next().unwrap_or("").to_string();
                let instead = advice(&tag);
                found.push((at, LintMsg::RawHtml { tag, instead }));
            }
            _ => {}
        }
    }
    if found.is_empty() {
        return;
    }
    // The field is located once in its file, for all its warnings.
    let span = FieldSpan::of(&source.text, field);
    for (at, message) in found {
        out.push(match &span {
            Some(span) => source.at(span.at(at), message).warning(),
            None => Diagnostic::file(&source.path, message).warning(),
        });
    }
}

/// What to write instead of an HTML tag, from its name.
fn advice(tag: &str) -> Html {
    let name: String = tag
        .trim_start_matches(['<', '/'])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match name.as_str() {
        "br" => Html::Break,
        "b" | "strong" => Html::Bold,
        "i" | "em" => Html::Italic,
        "a" => Html::Link,
        "p" | "div" => Html::Paragraph,
        "ul" | "ol" | "li" => Html::List,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Html::Heading,
        _ => Html::Other,
    }
}

/// The example texts of the scaffolds of `livret new` (`cmd::new`): a file that still holds
/// one is refused, so that a scaffold is not published as it is. Each is in a template (a unit
/// test there checks it), and none is a phrase a real fiche would write.
pub const PLACEHOLDERS: [&str; 13] = [
    "L'exemple de la ville de …, pays",
    "une accroche courte !",
    "Le contexte, le problème rencontré, et l'idée mise en œuvre.",
    "Ce qui a été fait, par qui, avec quels moyens.",
    "Ce que la personne a dit, entre guillemets droits.",
    "Le texte de l'encadré.",
    "Le résultat en une phrase !",
    "Les résultats obtenus et ce qu'il reste à faire.",
    "Une première idée à retenir",
    "Nom du site ou du document",
    "La source de l'information, avec sa date.",
    "L'essentiel de la page en deux ou trois phrases.",
    "Le texte de la page.",
];

/// The example texts of `livret new` left in a file (comment lines aside).
fn placeholders(source: &Source, out: &mut Vec<Diagnostic>) {
    for (start, line) in lines(&source.text) {
        if line.trim_start().starts_with('#') {
            continue;
        }
        for placeholder in PLACEHOLDERS {
            if let Some(at) = line.find(placeholder) {
                out.push(source.at(start + at, LintMsg::Placeholder(placeholder.to_string())));
            }
        }
    }
}

/// Capitals written without their accent where the accented word is certain: whole words,
/// outside comments, code spans and web addresses.
const UNACCENTED: &[(&str, &str)] = &[
    ("Ecole", "École"),
    ("Ecoles", "Écoles"),
    ("Economie", "Économie"),
    ("Edité", "Édité"),
    ("Editée", "Éditée"),
    ("Edition", "Édition"),
    ("Editions", "Éditions"),
    ("Education", "Éducation"),
    ("Egalement", "Également"),
    ("Egalite", "Égalité"),
    ("Egalité", "Égalité"),
    ("Eglise", "Église"),
    ("Eglises", "Églises"),
    ("Election", "Élection"),
    ("Elections", "Élections"),
    ("Elu", "Élu"),
    ("Elus", "Élus"),
    ("Elue", "Élue"),
    ("Elues", "Élues"),
    ("Energie", "Énergie"),
    ("Epoque", "Époque"),
    ("Equipe", "Équipe"),
    ("Etape", "Étape"),
    ("Etat", "État"),
    ("Etats", "États"),
    ("Etranger", "Étranger"),
    ("Etrangers", "Étrangers"),
    ("Etrangère", "Étrangère"),
    ("Etrangères", "Étrangères"),
    ("Etre", "Être"),
    ("Etude", "Étude"),
    ("Etudes", "Études"),
    ("Etudiant", "Étudiant"),
    ("Etudiants", "Étudiants"),
    ("Evaluation", "Évaluation"),
    ("Evaluer", "Évaluer"),
    ("Evénement", "Événement"),
    ("Evènement", "Évènement"),
];

fn unaccented(source: &Source, out: &mut Vec<Diagnostic>) {
    if !source.text.contains('E') {
        return;
    }
    for (start, line) in lines(&source.text) {
        if line.trim_start().starts_with('#') || !line.contains('E') {
            continue;
        }
        let masked = mask(line);
        for (at, word) in crate::text::word_spans(&masked, char::is_alphabetic) {
            if let Some((_, fix)) = UNACCENTED.iter().find(|(w, _)| *w == word) {
                let message = LintMsg::Unaccented {
                    word: word.to_string(),
                    fix: fix.to_string(),
                };
                out.push(source.at(start + at, message).warning());
            }
        }
    }
}

/// The line with its code spans and web addresses blanked out (same byte length).
fn mask(line: &str) -> String {
    let mut masked = String::with_capacity(line.len());
    let mut in_code = false;
    let mut in_url = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let starts_url = rest.starts_with("http://")
            || rest.starts_with("https://")
            || rest.starts_with("www.")
            || rest.starts_with("](");
        if c == '`' {
            in_code = !in_code;
        } else if !in_code && starts_url {
            in_url = true;
        } else if in_url && (c.is_whitespace() || c == ')' || c == '"' || c == '>') {
            in_url = false;
        }
        if in_code || in_url {
            masked.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            masked.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    masked
}

/// The lines of a text with the byte offset where each starts.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn kinds(source: &Source, fields: &[&str]) -> Vec<(usize, usize, Message)> {
        entry(source, fields, false)
            .into_iter()
            .map(|d| (d.line, d.col, *d.message))
            .collect()
    }

    #[test]
    fn indented_code_and_raw_html_are_located() {
        let text = "title = \"T\"\nsummary = \"\"\"\n    Un texte en retrait.\n\"\"\"\n\
                    body = \"Une ligne<br>une autre\"\n";
        let source = Source::new("f.toml", text);
        let summary = "    Un texte en retrait.\n";
        let found = kinds(&source, &[summary, "Une ligne<br>une autre"]);
        assert_eq!(
            found,
            [
                (3, 5, LintMsg::IndentedCode.into()),
                (
                    5,
                    18,
                    LintMsg::RawHtml {
                        tag: "<br>".into(),
                        instead: Html::Break
                    }
                    .into()
                ),
            ]
        );
        assert!(entry(&source, &["Une ligne<br>une autre"], true).is_empty());
    }

    #[test]
    fn unaccented_capitals_outside_urls_and_code() {
        let text = "title = \"L'Etat et les Etats-Unis\"\n# Etat dans un commentaire\n\
                    body = \"[site](https://Etat.fr) `Etat` Etatique Epoque\"\n";
        let source = Source::new("f.toml", text);
        let found: Vec<(usize, usize)> = entry(&source, &[], false)
            .iter()
            .map(|d| (d.line, d.col))
            .collect();
        assert_eq!(found, [(1, 12), (1, 24), (3, 49)]);
    }
}

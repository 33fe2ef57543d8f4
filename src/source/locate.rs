//! Where a piece of a text field is written in its file: a Markdown parser gives offsets inside
//! the field's decoded value; this maps them back through the TOML string (its quotes, the
//! newline after `"""`, its escapes) to a byte offset of the file. Used on the error path only:
//! it parses the file again.

use toml::de::{DeTable, DeValue};

use crate::error::Diagnostic;
use crate::source::Source;

/// The byte offset in `source` (a file's text, without its byte-order mark) of byte `at` of
/// the string value `field`; `None` when no string value of the file equals `field`.
pub fn in_value(source: &str, field: &str, at: usize) -> Option<usize> {
    FieldSpan::of(source, field).map(|f| f.at(at))
}

/// Where a string value is written in its file: found once (a parse of the whole file), then
/// asked for as many offsets as needed.
pub struct FieldSpan<'a> {
    start: usize,
    raw: &'a str,
}

impl<'a> FieldSpan<'a> {
    /// The value whose text is `field` (the parsed string) in `source`.
    pub fn of(source: &'a str, field: &str) -> Option<FieldSpan<'a>> {
        let (doc, _) = DeTable::parse_recoverable(source);
        let span = find(doc.get_ref(), field)?;
        let raw = source.get(span)?;
        let start = raw.as_ptr() as usize - source.as_ptr() as usize;
        Some(FieldSpan { start, raw })
    }

    /// The file offset of byte `at` of the parsed value.
    pub fn at(&self, at: usize) -> usize {
        self.start + raw_offset(self.raw, at)
    }
}

/// Where, in the Markdown text `md`, the destination of the link or image whose (decoded)
/// destination is `dest` is written. The link is found by the parser, with its offsets, so
/// `[x](&#106;avascript:…)` is found where it is, not where the text after its scheme happens
/// to occur first; inside the link, the destination as written, or what follows `](`.
pub fn link_in_markdown(md: &str, dest: &str) -> Option<usize> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    // The options of `markdown::scan`, which found the link.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let range = Parser::new_ext(md, options)
        .into_offset_iter()
        .find_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. })
                if dest_url.as_ref() == dest =>
            {
                Some(range)
            }
            _ => None,
        })?;
    let written = md.get(range.clone()).unwrap_or("");
    let inside = (!dest.is_empty())
        .then(|| written.rfind(dest))
        .flatten()
        .or_else(|| written.rfind("](").map(|i| i + 2));
    Some(match inside {
        Some(i) => range.start + i,
        // A reference link: its destination is in the definition, elsewhere in the field.
        None => md
            .find(dest)
            .filter(|_| !dest.is_empty())
            .unwrap_or(range.start),
    })
}

/// The span of the first string value equal to `field`, depth first.
fn find(table: &DeTable, field: &str) -> Option<std::ops::Range<usize>> {
    table.iter().find_map(|(_, v)| find_value(v, field))
}

fn find_value(value: &toml::Spanned<DeValue>, field: &str) -> Option<std::ops::Range<usize>> {
    match value.get_ref() {
        DeValue::String(s) if s == field => Some(value.span()),
        DeValue::Table(t) => find(t, field),
        DeValue::Array(items) => items.iter().find_map(|i| find_value(i, field)),
        _ => None,
    }
}

/// The offset inside `raw` (a TOML string with its quotes) of byte `at` of its decoded value.
fn raw_offset(raw: &str, at: usize) -> usize {
    let (quote, literal) = if raw.starts_with("\"\"\"") {
        (3, false)
    } else if raw.starts_with("'''") {
        (3, true)
    } else if raw.starts_with('\'') {
        (1, true)
    } else {
        (1, false)
    };
    let mut r = quote.min(raw.len());
    if quote == 3 {
        // A newline right after the opening quotes is not part of the value.
        if raw[r..].starts_with("\r\n") {
            r += 2;
        } else if raw[r..].starts_with('\n') {
            r += 1;
        }
    }
    let bytes = raw.as_bytes();
    let mut decoded = 0;
    while decoded < at && r < raw.len() {
        if !literal && bytes[r] == b'\\' {
            match bytes.get(r + 1) {
                Some(b'u') | Some(b'U') => {
                    let digits = if bytes[r + 1] == b'u' { 4 } else { 8 };
                    let hex = raw.get(r + 2..r + 2 + digits).unwrap_or("");
                    let c = u32::from_str_radix(hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{FFFD}');
                    decoded += c.len_utf8();
                    r += 2 + digits;
                }
                Some(c) if c.is_ascii_whitespace() => {
                    // A line-ending backslash: it and the blanks after it are not in the value.
                    r += 1;
                    while r < raw.len() && bytes[r].is_ascii_whitespace() {
                        r += 1;
                    }
                }
                _ => {
                    decoded += 1;
                    r += 2;
                }
            }
            continue;
        }
        let len = raw[r..].chars().next().map_or(1, char::len_utf8);
        decoded += len;
        r += len;
    }
    r.min(raw.len())
}

/// Where a link is written in a file's source: found by the Markdown parser in one of
/// `fields` (the texts it may come from) and mapped through the TOML string to the file, or a
/// field that is the URL itself (`url = "…"`); else where the text of the link is, else the
/// whole file.
pub fn locate_link(
    file: &Source,
    fields: &[&str],
    link: &str,
    message: impl Into<crate::message::Message>,
) -> Diagnostic {
    let message = message.into();
    let (path, source) = (file.path.as_path(), file.text.as_str());
    let in_field = fields.iter().find_map(|field| {
        let at = link_in_markdown(field, link)?;
        in_value(source, field, at)
    });
    if let Some(offset) = in_field.or_else(|| in_value(source, link, 0)) {
        return Diagnostic::at_offset(path, source, offset, message);
    }
    let link = link.trim();
    match link.split_once(':') {
        _ if source.contains(link) => Diagnostic::at_text(path, source, link, message),
        Some((_, rest)) if rest.len() >= 4 && source.contains(rest) => {
            Diagnostic::at_text(path, source, rest, message)
        }
        _ => Diagnostic::file(path, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_go_through_quotes_newlines_and_escapes() {
        let src = "title = \"a\"\nbody = \"\"\"\nligne un\nvoir [x](y)\"\"\"\n";
        let at = "ligne un\nvoir ".len();
        let off = in_value(src, "ligne un\nvoir [x](y)", at);
        assert_eq!(off, src.find("[x]"));
        let src = "t = \"\\u00e9t\\\"\u{e9} [x](y)\"\n";
        let value = "ét\"é [x](y)";
        let off = in_value(src, value, value.find('[').unwrap_or(0));
        assert_eq!(off, src.find('['));
        let src = "[[how]]\nbody = '''\nlitt\\eral [x](y)'''\n";
        let value = "litt\\eral [x](y)";
        let off = in_value(src, value, value.find('[').unwrap_or(0));
        assert_eq!(off, src.rfind("[x]"));
        assert_eq!(in_value(src, "absent", 0), None);
    }

    #[test]
    fn links_are_found_by_the_parser() {
        let md = "Un alert(1)) ici\n[x](&#x6A;avascript:alert(1))";
        assert_eq!(
            link_in_markdown(md, "javascript:alert(1)"),
            md.find("&#x6A;")
        );
        let md = "[javascript:x](javascript:x) et <mailto:a@b.org>";
        assert_eq!(link_in_markdown(md, "javascript:x"), Some(15));
        assert_eq!(link_in_markdown(md, "mailto:a@b.org"), md.find("mailto"));
        let md = "[x][r]\n\n[r]: vbscript:x";
        assert_eq!(link_in_markdown(md, "vbscript:x"), md.find("vbscript"));
        assert_eq!(link_in_markdown(md, "absent"), None);
    }
}

//! The TOML slips a volunteer makes, found in a file that does not parse, so that the error
//! says what was done, at the slip: curly quotes pasted from a word processor around a text
//! (“…”, ‘…’, «…»), an apostrophe inside a '…' text (`title = 'l'accueil'`), and a `"""` that
//! nothing closes (one error, where the text was opened, instead of the parser's echoes).
//! Only read when the parser has already failed: a slip never refuses a valid file.

use std::path::Path;

use crate::error::Diagnostic;
use crate::message::TomlMsg;

/// Characters a word processor puts where TOML wants `"` or `'`.
const CURLY: [char; 6] = ['“', '”', '‘', '’', '«', '»'];

/// The slips of `text`, located; empty when none is recognised. An unclosed `"""` or `'''`
/// is reported alone: what follows it is not read as TOML by the parser either.
pub fn find(path: &Path, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    // The opener (offset, delimiter) of a multi-line text being read.
    let mut open: Option<(usize, &'static str)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if let Some((_, delimiter)) = open {
            if line.contains(delimiter) {
                open = None;
            }
            continue;
        }
        let mut opened = None;
        let slip = slip_in(line, &mut opened);
        if let Some((at, delimiter)) = opened {
            open = Some((start + at, delimiter));
        }
        if let Some((at, slip)) = slip {
            found.push(Diagnostic::at_offset(path, text, start + at, slip));
        }
    }
    if let Some((at, delimiter)) = open {
        return vec![Diagnostic::at_offset(
            path,
            text,
            at,
            TomlMsg::Unclosed(delimiter),
        )];
    }
    found
}

/// The slip of one line `key = value` (outside a multi-line text), with its offset in the
/// line; sets `open` to the opener's offset in the line when a multi-line text starts here and
/// does not end on it.
fn slip_in(line: &str, open: &mut Option<(usize, &'static str)>) -> Option<(usize, TomlMsg)> {
    let trimmed = line.trim_start();
    if trimmed.starts_with(['#', '[']) || !trimmed.contains('=') {
        return None;
    }
    let eq = line.find('=')?;
    let after = &line[eq + 1..];
    let value_at = eq + 1 + (after.len() - after.trim_start().len());
    let value = &line[value_at..];
    for delimiter in ["\"\"\"", "'''"] {
        if let Some(rest) = value.strip_prefix(delimiter) {
            if !rest.contains(delimiter) {
                *open = Some((value_at, delimiter));
            }
            return None;
        }
    }
    if let Some(q) = value.chars().next().filter(|c| CURLY.contains(c)) {
        return Some((value_at, TomlMsg::CurlyQuote(q)));
    }
    if let Some(rest) = value.strip_prefix('\'') {
        let close = rest.find('\'')?;
        let after_close = rest[close + 1..].trim();
        let ends = after_close.is_empty() || after_close.starts_with(['#', ',', ']', '}']);
        if !ends {
            return Some((value_at + 1 + close, TomlMsg::ApostropheInLiteral));
        }
        return None;
    }
    if value.starts_with('[') {
        // A list: an item that starts with a curly quote.
        let mut prev = '[';
        for (i, c) in value.char_indices().skip(1) {
            if CURLY.contains(&c) && matches!(prev, '[' | ',') {
                return Some((value_at + i, TomlMsg::CurlyQuote(c)));
            }
            if !c.is_whitespace() {
                prev = c;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn slips(text: &str) -> Vec<(usize, usize, Message)> {
        find(Path::new("f.toml"), text)
            .into_iter()
            .map(|d| (d.line, d.col, *d.message))
            .collect()
    }

    #[test]
    fn curly_quotes_apostrophes_and_unclosed_texts_are_located() {
        assert_eq!(
            slips("title = “Accueil”\n"),
            [(1, 9, TomlMsg::CurlyQuote('“').into())]
        );
        assert_eq!(
            slips("title = « Accueil »\n"),
            [(1, 9, TomlMsg::CurlyQuote('«').into())]
        );
        assert_eq!(
            slips("items = [\"a\", ‘b’]\n"),
            [(1, 15, TomlMsg::CurlyQuote('‘').into())]
        );
        assert_eq!(
            slips("title = 'l'accueil'\n"),
            [(1, 11, TomlMsg::ApostropheInLiteral.into())]
        );
        assert!(slips("title = 'Accueil' # ok\n").is_empty());
        let text = "title = \"A\"\nsummary = \"\"\"\nUn texte\n\nbody = \"x\"\n";
        assert_eq!(slips(text), [(2, 11, TomlMsg::Unclosed("\"\"\"").into())]);
        assert!(slips("summary = \"\"\"\nUn texte\n\"\"\"\nbody = \"\"\"x\"\"\"\n").is_empty());
    }
}

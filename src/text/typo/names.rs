//! Compound proper names (New-York, Grande-Synthe, États-Unis, Haut-Commissariat): the hyphen
//! between two capitalised parts is followed by a word joiner (U+2060), so a line never breaks
//! inside the name. Tokens that look like URLs, e-mail addresses or paths stay as written.
//!
//! Not the no-break hyphen U+2011: the theme's Source Serif and Source Sans subsets have no
//! glyph for it, and Chromium then draws it from a fallback font (DejaVu). The word joiner is
//! invisible, needs no glyph, and keeps the ordinary hyphen of the theme's font.

use std::borrow::Cow;

use super::words::is_protected;

/// The word joiner, written after the hyphen of a compound name.
pub const JOINER: char = '\u{2060}';

/// `text` with the hyphen of every compound proper name made unbreakable.
pub fn bind_compound_names(text: &str) -> Cow<'_, str> {
    if !text.contains('-') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            bind_token(&text[start..i], &mut out);
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    bind_token(&text[start..], &mut out);
    Cow::Owned(out)
}

fn bind_token(token: &str, out: &mut String) {
    if !token.contains('-') || is_protected(token) {
        out.push_str(token);
        return;
    }
    // The letters of the current part so far, and whether it started with a capital.
    let mut part_capital = false;
    let mut part_len = 0usize;
    let mut chars = token.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c == '-' {
            let next_capital = chars.peek().is_some_and(|&(_, n)| n.is_uppercase());
            out.push(c);
            let joined = chars.peek().is_some_and(|&(_, n)| n == JOINER);
            if part_capital && part_len >= 2 && next_capital && !joined {
                out.push(JOINER);
            }
            part_capital = false;
            part_len = 0;
            continue;
        }
        if c.is_alphabetic() {
            if part_len == 0 {
                part_capital = c.is_uppercase();
            }
            part_len += 1;
        } else {
            part_capital = false;
            part_len = 0;
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(text: &str) -> String {
        bind_compound_names(text).replace(JOINER, "~")
    }

    #[test]
    fn compound_names_get_a_no_break_hyphen() {
        assert_eq!(bound("à New-York,"), "à New-~York,");
        assert_eq!(
            bound("Grande-Synthe et les Grand-Synthois"),
            "Grande-~Synthe et les Grand-~Synthois"
        );
        assert_eq!(bound("(États-Unis)"), "(États-~Unis)");
        assert_eq!(
            bound("le Haut-Commissariat des Hautes-Alpes"),
            "le Haut-~Commissariat des Hautes-~Alpes"
        );
        assert_eq!(
            bound("Provence-Alpes-Côte-d’Azur"),
            "Provence-~Alpes-~Côte-d’Azur"
        );
    }

    #[test]
    fn idempotent() {
        let once = bind_compound_names("New-York").into_owned();
        assert_eq!(bind_compound_names(&once), once);
    }

    #[test]
    fn other_hyphens_stay() {
        for text in [
            "peut-être",
            "Vingt-deux",
            "c'est-à-dire",
            "A-B",
            "2012-2016",
            "https://exemple.fr/Grande-Synthe",
            "contact@New-York.org",
            " - ",
        ] {
            assert_eq!(bound(text), text);
        }
    }
}

//! Quotes set by the theme: the theme draws the guillemets around a quote (with narrow
//! no-break spaces, in CSS), so guillemets the author typed around the whole text are
//! stripped rather than doubled, and a quotation inside the quote, typed `'…'` or `"…"`,
//! takes the inner quotation marks “…” (an apostrophe inside a word stays one: `l'accueil`).

use std::borrow::Cow;

/// A quote's text without the guillemets (and their spaces) that open and close it.
/// Only a pair is stripped: a text that merely starts with a quoted phrase keeps it.
pub fn strip_guillemets(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(inner) = trimmed.strip_prefix('«') else {
        return text;
    };
    let Some(inner) = inner.strip_suffix('»') else {
        return text;
    };
    // `« a » et « b »` is two quotations, not one quoted text.
    if inner.contains(['«', '»']) {
        return text;
    }
    inner.trim_matches(|c: char| c.is_whitespace())
}

/// A quote's Markdown text with its inner quotations `'…'` and `"…"` as “…”. A mark opens at
/// the start of a word (after a space, a bracket, a dash or the start) and closes at its end
/// (before a space or punctuation); `'` between two letters is an apostrophe. A mark without
/// its pair, and code, link destinations and `<…>` are left as written.
pub fn inner_quotes(text: &str) -> Cow<'_, str> {
    if !text.contains(['\'', '"']) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    // Per mark, the index of the pending opening one.
    let mut open: [Option<usize>; 2] = [None, None];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Code, link destinations and autolinks or HTML are copied as they are.
        let skip_to = match c {
            '`' => chars[i + 1..]
                .iter()
                .position(|&d| d == '`')
                .map(|e| i + 1 + e),
            '<' => chars[i + 1..]
                .iter()
                .position(|&d| d == '>')
                .map(|e| i + 1 + e),
            '(' if i > 0 && chars[i - 1] == ']' => chars[i + 1..]
                .iter()
                .position(|&d| d == ')')
                .map(|e| i + 1 + e),
            _ => None,
        };
        if let Some(end) = skip_to {
            i = end + 1;
            continue;
        }
        if c == '\n' && chars.get(i + 1) == Some(&'\n') {
            // A new paragraph: unpaired marks stay as they are.
            open = [None, None];
        }
        let kind = match c {
            '\'' => 0,
            '"' => 1,
            _ => {
                i += 1;
                continue;
            }
        };
        let before = i.checked_sub(1).map(|k| chars[k]);
        let after = chars.get(i + 1).copied();
        let opens = before.is_none_or(|b| b.is_whitespace() || "([{«—–-/".contains(b))
            && after.is_some_and(|a| !a.is_whitespace());
        let closes = before.is_some_and(|b| !b.is_whitespace())
            && after.is_none_or(|a| !a.is_alphanumeric());
        match open[kind] {
            Some(at) if closes => {
                out[at] = '“';
                out[i] = '”';
                open[kind] = None;
            }
            None if opens => open[kind] = Some(i),
            _ => {}
        }
        i += 1;
    }
    if out == chars {
        return Cow::Borrowed(text);
    }
    Cow::Owned(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_guillemets_are_stripped() {
        assert_eq!(strip_guillemets("« Bienvenue ! »"), "Bienvenue !");
        assert_eq!(strip_guillemets("«\u{202f}Oui\u{202f}»\n"), "Oui");
        assert_eq!(strip_guillemets("«Oui»"), "Oui");
    }

    #[test]
    fn other_texts_stay() {
        for text in [
            "Bienvenue",
            "« Oui », dit-il.",
            "« a » et « b »",
            "Il dit « oui »",
        ] {
            assert_eq!(strip_guillemets(text), text);
        }
    }

    #[test]
    fn inner_quotations_take_english_marks() {
        assert_eq!(
            inner_quotes("Parler d'un 'appel d'air' est un faux argument"),
            "Parler d'un “appel d'air” est un faux argument"
        );
        assert_eq!(
            inner_quotes("Parler d'un \"appel d'air\", dit-il."),
            "Parler d'un “appel d'air”, dit-il."
        );
        assert_eq!(inner_quotes("une ville 'refuge'."), "une ville “refuge”.");
        assert_eq!(inner_quotes("('a' et \"b\")"), "(“a” et “b”)");
        assert_eq!(inner_quotes("'Oui'"), "“Oui”");
    }

    #[test]
    fn apostrophes_and_lone_marks_stay() {
        for text in [
            "l'accueil et aujourd'hui",
            "C'est l'Angleterre qu'il faut",
            "les migrants' droits",
            "un \"seul guillemet",
            "d'abord 'un\n\ndeux' ensuite",
            "voir `'code'` et [lien](https://x.org \"titre\") et <a title=\"x\">",
            "Parler d’un “appel d’air”",
        ] {
            assert_eq!(inner_quotes(text), text, "{text}");
        }
        assert!(matches!(inner_quotes("sans guillemets"), Cow::Borrowed(_)));
    }
}

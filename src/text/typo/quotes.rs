//! Quotes set by the theme: the theme draws the guillemets around a quote (with narrow
//! no-break spaces, in CSS), so guillemets the author typed around the whole text are
//! stripped rather than doubled.

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
}

//! Hyphenation of running text: soft hyphens (U+00AD) at the break points of the
//! Knuth–Liang French patterns embedded by the `hypher` crate, so the print edition is
//! hyphenated whatever the print engine (headless Chromium has no offline dictionary).
//!
//! It takes rendered HTML and changes only the text between tags. It never touches
//! tags, attributes or entities, the contents of `<a>`, `<code>`, `<pre>`, `<sup>` and
//! headings, words with a capital letter (proper nouns, acronyms), words of fewer than 5
//! letters, or tokens that look like URLs or e-mail addresses. At least 2 letters stay
//! before a break and 3 after it.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// The soft hyphen.
pub const SHY: char = '\u{AD}';
/// Letters kept before the first break and after the last one.
const LEFT_MIN: usize = 2;
const RIGHT_MIN: usize = 3;
/// Shorter words are never broken: fewer, better breaks.
const MIN_WORD: usize = 8;

/// Elements whose text is never hyphenated.
const SKIPPED: [&str; 10] = [
    "a", "code", "pre", "sup", "h1", "h2", "h3", "h4", "h5", "h6",
];

/// `html` with soft hyphens inserted in its running text (see the module doc).
pub fn soft_hyphens(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut skip_depth = 0usize;
    let mut rest = html;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = super::html::tag_len(rest).unwrap_or(rest.len());
            let tag = &rest[..end];
            skip_depth = track_skipped(tag, skip_depth);
            out.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if skip_depth == 0 {
            hyphenate_text(text, &mut out);
        } else {
            out.push_str(text);
        }
        rest = &rest[end..];
    }
    out
}

/// `html` with the soft hyphens removed from the words in `words` (compared without their
/// soft hyphens): `livret pdf` keeps a word whole where breaking it made a third hyphenated
/// line in a row or a hyphen at the foot of a page. Soft hyphens only ever sit in text.
pub fn unbreak(html: &str, words: &BTreeSet<String>) -> String {
    let mut out = String::with_capacity(html.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.contains(SHY) && words.contains(&word.replace(SHY, "")) {
            out.extend(word.chars().filter(|&c| c != SHY));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in html.chars() {
        if c.is_alphabetic() || c == SHY {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The nesting depth of skipped elements after `tag`.
fn track_skipped(tag: &str, depth: usize) -> usize {
    let (closing, name) = super::html::tag_name(tag);
    if !SKIPPED.iter().any(|s| s.eq_ignore_ascii_case(name)) || tag.ends_with("/>") {
        return depth;
    }
    if closing {
        depth.saturating_sub(1)
    } else {
        depth + 1
    }
}

/// Hyphenates the words of a text node, token by whitespace-separated token.
fn hyphenate_text(text: &str, out: &mut String) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            hyphenate_token(&text[start..i], out);
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    hyphenate_token(&text[start..], out);
}

/// Whether a token looks like a URL, an e-mail address, a path or an entity-laden code.
fn is_address(token: &str) -> bool {
    // One pass over the bytes (`://` has a `/`), then the rarer `www.`.
    token
        .bytes()
        .any(|b| matches!(b, b'@' | b'/' | b'\\' | b'=' | b'_'))
        || token.contains("www.")
}

fn hyphenate_token(token: &str, out: &mut String) {
    // Fewer bytes than `MIN_WORD` cannot hold a word of `MIN_WORD` letters: most tokens.
    if token.len() < MIN_WORD || is_address(token) || token.contains(SHY) {
        out.push_str(token);
        return;
    }
    let mut rest = token;
    while let Some(i) = rest.find(|c: char| c.is_alphabetic()) {
        let (before, from) = rest.split_at(i);
        out.push_str(before);
        let end = from
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(from.len());
        let word = &from[..end];
        let after = &from[end..];
        // An entity (`&amp;`) or a letter run glued to a digit (`2e`, `A4`) stays whole.
        let entity = before.ends_with('&') && after.starts_with(';');
        let by_digit = before.ends_with(|c: char| c.is_ascii_digit())
            || after.starts_with(|c: char| c.is_ascii_digit());
        if entity || by_digit {
            out.push_str(word);
        } else {
            hyphenate_word(word, out);
        }
        rest = after;
    }
    out.push_str(rest);
}

/// Writes a word with soft hyphens at its break points, unless it has a capital or is short.
fn hyphenate_word(word: &str, out: &mut String) {
    if word.chars().count() < MIN_WORD || word.chars().any(char::is_uppercase) {
        out.push_str(word);
        return;
    }
    // Running text repeats its words: each thread remembers the words it has broken.
    thread_local! {
        static BROKEN: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    }
    BROKEN.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(done) = cache.get(word) {
            out.push_str(done);
            return;
        }
        let mut broken = String::with_capacity(word.len() + 8);
        let mut first = true;
        for syllable in hypher::hyphenate_bounded(word, hypher::Lang::French, LEFT_MIN, RIGHT_MIN) {
            if !first {
                broken.push(SHY);
            }
            broken.push_str(syllable);
            first = false;
        }
        out.push_str(&broken);
        if cache.len() >= CACHE_WORDS {
            cache.clear();
        }
        cache.insert(word.to_string(), broken);
    });
}

/// Words each thread remembers at most (a few megabytes).
const CACHE_WORDS: usize = 50_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(html: &str) -> String {
        soft_hyphens(html).replace(SHY, "|")
    }

    #[test]
    fn unbreak_keeps_the_chosen_words_whole() {
        let html = soft_hyphens("<p>accueillir les associations, accueillir</p>");
        let words = BTreeSet::from(["accueillir".to_string()]);
        let out = unbreak(&html, &words).replace(SHY, "|");
        assert_eq!(out.matches("accueillir").count(), 2, "{out}");
        assert!(out.contains("as|so|cia|tions"), "{out}");
        assert_eq!(unbreak(&html, &BTreeSet::new()), html);
    }

    #[test]
    fn running_text_gets_soft_hyphens() {
        let out = breaks("<p>la municipalité accueille</p>");
        assert!(out.contains("mu|ni|ci|pa|lité"), "{out}");
        assert!(out.contains("ac|cueille"), "{out}");
    }

    #[test]
    fn two_letters_before_three_after() {
        for word in ["accueillir", "habitants", "associations", "électricité"] {
            let out = breaks(word);
            for part in [out.split('|').next(), out.split('|').next_back()] {
                let part = part.unwrap_or_default();
                assert!(part.chars().count() >= 2, "{out}");
            }
            let last = out.rsplit('|').next().unwrap_or_default();
            assert!(last.chars().count() >= 3, "{out}");
        }
    }

    #[test]
    fn capitals_numbers_addresses_and_markup_stay_whole() {
        let html = concat!(
            "<p>Grenoble UNESCO 2000 habitants2 XVI<sup>e</sup> ",
            "<a href=\"https://exemple.fr/association\">association</a> ",
            "contact@association.fr www.association.org &amp;nbsp; ",
            "<code>hyphenation</code></p><h2>municipalité</h2>"
        );
        let out = soft_hyphens(html);
        assert_eq!(out.matches(SHY).count(), 0, "{out}");
    }

    #[test]
    fn idempotent_and_short_words_untouched() {
        let once = soft_hyphens("<p>une politique d’hospitalité</p>");
        assert_eq!(soft_hyphens(&once), once);
        assert!(once.contains("d’hos"), "{once}");
        assert_eq!(
            soft_hyphens("<p>le chat est là</p>"),
            "<p>le chat est là</p>"
        );
    }
}

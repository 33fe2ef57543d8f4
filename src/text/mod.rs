//! Text tools that know nothing of fiches: HTML escaping, the URL policy, slugs, the grammar of
//! generated ids, Markdown, French typography and hyphenation, the count of fiches in words.

pub mod count;
pub mod html;
pub mod hyphen;
pub mod ids;
pub mod links;
pub mod markdown;
pub mod slug;
pub mod typo;

/// The runs of `is_word` characters of a text, each with its byte offset: the words a lint or
/// the count of fiches looks at.
pub fn word_spans(text: &str, is_word: impl Fn(char) -> bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    out
}

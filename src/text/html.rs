//! HTML escaping: the one table of characters that text and attribute values must escape; its
//! reverse, the plain text of a piece of HTML (tags dropped, character references decoded);
//! and the one reading of a tag (where it ends, its name) for the passes that walk livret's
//! own HTML (footnotes, hyphenation, the chunks of the print edition).

/// Appends `c`, escaped for HTML text and attribute values.
#[inline]
pub fn push_escaped(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// Appends `text`, escaped for HTML text and attribute values.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        push_escaped(c, out);
    }
}

/// The length of the tag at the start of `s` (which starts with `<`): up to its `>` outside
/// quoted attribute values, or to the end of a comment. `None` when it does not end.
pub fn tag_len(s: &str) -> Option<usize> {
    if s.starts_with("<!--") {
        return s.find("-->").map(|e| e + 3);
    }
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Whether the tag at the start of `tag` is an end tag, and its name as written (ASCII
/// letters, digits and `-`; empty for a comment or a doctype).
pub fn tag_name(tag: &str) -> (bool, &str) {
    let inner = tag.strip_prefix('<').unwrap_or(tag);
    let (end, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .unwrap_or(inner.len());
    (end, &inner[..len])
}

/// The text of a piece of HTML as a reader sees it: tags dropped (a tag separates words),
/// comments, scripts and styles skipped, character references decoded, white space collapsed.
pub fn plain_text(html: &str) -> String {
    let mut out = Words::with_capacity(html.len() / 2);
    let mut rest = html;
    while !rest.is_empty() {
        // The text up to the next tag or reference, at once.
        let run = memchr::memchr2(b'<', b'&', rest.as_bytes()).unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        if rest.starts_with('<') {
            let skip_to = ["<!--", "<script", "<style"]
                .iter()
                .zip(["-->", "</script>", "</style>"])
                .find(|(open, _)| rest.starts_with(**open))
                .map(|(_, close)| close)
                .unwrap_or(">");
            rest = match rest.find(skip_to) {
                Some(end) => &rest[end + skip_to.len()..],
                None => "",
            };
            out.space();
        } else if rest.starts_with('&') {
            let (decoded, used) = reference(rest);
            out.push(decoded);
            rest = &rest[used..];
        }
    }
    out.text
}

/// Text whose whitespace runs become single spaces, without a leading or trailing one.
struct Words {
    text: String,
    /// Whitespace was seen since the last word character.
    gap: bool,
}

impl Words {
    fn with_capacity(n: usize) -> Words {
        Words {
            text: String::with_capacity(n),
            gap: false,
        }
    }

    fn space(&mut self) {
        self.gap = true;
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            self.gap = true;
            return;
        }
        if self.gap && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.gap = false;
        self.text.push(c);
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            self.push(c);
        }
    }
}

/// The character a reference at the start of `text` stands for, and its length; a lone `&`
/// stands for itself.
fn reference(text: &str) -> (char, usize) {
    let Some(end) = text[..text.len().min(12)].find(';') else {
        return ('&', 1);
    };
    let name = &text[1..end];
    let c = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => name
            .strip_prefix("#x")
            .map(|hex| u32::from_str_radix(hex, 16))
            .or_else(|| name.strip_prefix('#').map(|dec| dec.parse::<u32>()))
            .and_then(|n| n.ok())
            .and_then(char::from_u32),
    };
    match c {
        Some(c) if c.is_whitespace() => (' ', end + 1),
        Some(c) => (c, end + 1),
        None => ('&', 1),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tag_ends_at_its_first_unquoted_bracket() {
        use super::{tag_len, tag_name};
        let tag = "<a title=\"1 > 0\" data-x='>'>text";
        assert_eq!(tag_len(tag), Some(tag.len() - 4));
        assert_eq!(tag_len("<!-- a > b -->x"), Some(14));
        assert_eq!(tag_len("<a href=\"x"), None);
        assert_eq!(tag_name(tag), (false, "a"));
        assert_eq!(tag_name("</my-el>"), (true, "my-el"));
        assert_eq!(tag_name("<!DOCTYPE html>"), (false, ""));
    }

    #[test]
    fn escapes_markup_and_quotes() {
        let mut out = String::new();
        super::escape_into("<a href=\"x\">l'a & b</a>", &mut out);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;l&#39;a &amp; b&lt;/a&gt;");
    }

    #[test]
    fn plain_text_drops_tags_and_decodes_references() {
        assert_eq!(
            super::plain_text(
                "<p>L&#39;<em>État</em>&nbsp;: a&amp;b</p><!-- x --><script>y</script>z &x"
            ),
            "L' État : a&b z &x"
        );
    }
}

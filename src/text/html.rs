//! HTML escaping: the one table of characters that text and attribute values must escape.

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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        let mut out = String::new();
        super::escape_into("<a href=\"x\">l'a & b</a>", &mut out);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;l&#39;a &amp; b&lt;/a&gt;");
    }
}

//! The offline search index (`search-index.js`): for each web page its address, number, title
//! and the text a reader sees in its `<main>` (headings, example city, body, figure labels,
//! notes), as one script that sets `window.livretSearch`. A script, not JSON fetched, so it
//! loads from `file://` as from any host; the theme's `search.js` loads it on first use and
//! does the matching (accents and case folded, prefixes).

use serde::Serialize;

use crate::text::html::plain_text;

/// One page in the index.
#[derive(Debug, Clone, Serialize)]
pub struct SearchDoc {
    /// The page's file name.
    pub u: String,
    /// Its fiche number, if numbered.
    pub n: Option<u32>,
    /// Its plain title.
    pub t: String,
    /// Its text.
    pub x: String,
}

impl SearchDoc {
    /// The entry of a rendered page: the text of its `<main>`, without the pager.
    pub fn of_page(file: String, number: Option<u32>, title: String, html: &[u8]) -> SearchDoc {
        // Rendered pages are UTF-8; a lossy copy only if one were not.
        let html = match std::str::from_utf8(html) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(html),
        };
        let main = html
            .find("<main")
            .map(|start| &html[start..])
            .unwrap_or(&html);
        let end = ["<nav class=\"pager\"", "</main>"]
            .iter()
            .filter_map(|m| main.find(m))
            .min()
            .unwrap_or(main.len());
        SearchDoc {
            u: file,
            n: number,
            t: title,
            x: plain_text(&main[..end]),
        }
    }
}

/// The script: `window.livretSearch = [...]`, the pages in document order, serialised
/// straight into its bytes (at 10,000 fiches the index is 50 MB: no second copy).
pub fn script(docs: &[&SearchDoc]) -> Vec<u8> {
    let mut out = Vec::with_capacity(docs.iter().map(|d| d.x.len() + 64).sum::<usize>() + 32);
    out.extend_from_slice(b"window.livretSearch=");
    // A script file, not inline HTML: only a line terminator JavaScript refuses in strings
    // (none since ES2019) could matter; `</script>` cannot.
    if serde_json::to_writer(&mut out, docs).is_err() {
        out.truncate(b"window.livretSearch=".len());
        out.extend_from_slice(b"[]");
    }
    out.extend_from_slice(b";\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_gives_the_text_of_its_main_without_the_pager() {
        let html = b"<nav>Sommaire</nav><main id=\"contenu\"><h1>S&eacute;curit&#233;</h1><p>\xc3\x89tats-Unis</p><nav class=\"pager\">Suivant</nav></main>";
        let doc = SearchDoc::of_page("a.html".into(), Some(2), "T".into(), html);
        assert_eq!(doc.x, "S&eacute;curité États-Unis");
        assert!(script(&[&doc]).starts_with(b"window.livretSearch=[{\"u\":\"a.html\",\"n\":2"));
    }
}

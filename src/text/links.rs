//! The URL policy, in one place: which schemes a link may use, why a URL written by the user
//! is refused, and which references are remote (printing reads local files only). Used when checking the sources (`booklet`, `config`) and, as a last guard,
//! when rendering (`markdown` never writes a refused destination).

use pulldown_cmark::{Event, Options, Parser, Tag};

/// URL schemes a link may use.
pub const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Why a URL written by the user is refused (the words are `message::LinkMsg`'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A scheme other than http, https, mailto and tel (`shown`: the link, cut at 80
    /// characters).
    Scheme { shown: String, scheme: String },
    /// An http(s) address that is not a well-formed URL.
    Malformed(String),
    /// A web address written without its scheme.
    NoScheme(String),
}

/// The scheme of a link destination when livret refuses it (`javascript`, `data`, `vbscript`,
/// anything but http, https, mailto and tel), in any case and after any leading blanks.
/// Relative paths, fragments and `@slug` links have no scheme.
pub fn refused_scheme(dest: &str) -> Option<&str> {
    let dest = dest.trim_start_matches(|c: char| c.is_whitespace() || c.is_control());
    let (scheme, _) = dest.split_once(':')?;
    if scheme.contains(['/', '?', '#']) || dest.starts_with('@') {
        return None;
    }
    let allowed = ALLOWED_SCHEMES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(scheme));
    (!allowed).then_some(scheme)
}

/// Why a URL written by the user (not an `@slug` link) is refused, if it is: a scheme other
/// than http, https, mailto and tel, a malformed web address, or a web address written without
/// its scheme (`www.anvita.fr`, `anvita.fr/contact`), which would be a dead relative link.
pub fn url_problem(link: &str) -> Option<Refusal> {
    let link = link.trim();
    if let Some(s) = refused_scheme(link) {
        let shown: String = link.chars().take(80).collect();
        return Some(Refusal::Scheme {
            shown,
            scheme: s.to_string(),
        });
    }
    if looks_like_a_domain(link) {
        return Some(Refusal::NoScheme(link.to_string()));
    }
    let scheme = link.split_once(':').map(|(s, _)| s)?;
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return None; // mailto:, tel:, or a relative link
    }
    match url::Url::parse(link) {
        Ok(u)
            if u.host_str()
                .is_some_and(|h| h.contains('.') || h == "localhost") =>
        {
            None
        }
        _ => Some(Refusal::Malformed(link.to_string())),
    }
}

/// Extensions of the files a relative link may name: `riace.html` is a page, not a domain.
const FILE_EXTENSIONS: [&str; 16] = [
    "html", "htm", "pdf", "png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "txt", "xml",
    "md", "odt", "docx",
];

/// A link without a scheme whose first segment is a host name: `www.…`, or `name.tld` with a
/// top-level domain of letters that is not a file extension (`anvita.fr/contact`).
pub fn looks_like_a_domain(link: &str) -> bool {
    if link.contains(':') || link.starts_with(['/', '.', '#', '@', '?']) {
        return false;
    }
    let host = link.split(['/', '?', '#']).next().unwrap_or("");
    if host.to_ascii_lowercase().starts_with("www.") && host.len() > 4 {
        return true;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && (2..=6).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !FILE_EXTENSIONS.contains(&tld.to_ascii_lowercase().as_str())
}

/// Whether a reference leaves the print edition's folder: it has a scheme (`https:`,
/// `file:`…; `data:` stays inside the document) or is protocol-relative (`//host/x.png`).
pub fn is_remote(reference: &str) -> bool {
    let r = reference.trim();
    if r.starts_with("//") || r.starts_with("\\\\") {
        return true;
    }
    let Some((scheme, _)) = r.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme && !scheme.eq_ignore_ascii_case("data")
}

/// The destinations of the Markdown images of `md` that are remote.
pub fn remote_images(md: &str) -> Vec<String> {
    if !md.contains("](") && !md.contains("]:") {
        return Vec::new(); // no inline image nor reference definition: the common case
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    Parser::new_ext(md, options)
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) if is_remote(&dest_url) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// The remote references of a stylesheet: `url(…)` and `@import "…"`, with their byte offset.
/// Comments are skipped; Tera syntax is left as it is.
pub fn remote_css(css: &str) -> Vec<(usize, String)> {
    let bytes = css.as_bytes();
    let lower = css.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"/*") {
            i = css[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |end| i + 2 + end + 2);
            continue;
        }
        let (start, reference) = if lower[i..].starts_with("url(") {
            let (start, text) = css_argument(css, i + 4, true);
            (start, text)
        } else if lower[i..].starts_with("@import") {
            let (start, text) = css_argument(css, i + 7, false);
            (start, text)
        } else {
            i += css[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        if let Some(reference) = reference {
            if is_remote(&reference) {
                found.push((start, reference));
            }
            i = start.max(i + 1);
        } else {
            i += 1;
        }
    }
    found
}

/// The quoted (or, in `url(`, unquoted) argument starting at `from`, after blanks.
fn css_argument(css: &str, from: usize, unquoted: bool) -> (usize, Option<String>) {
    let rest = &css[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    let rest = &css[start..];
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
            Some(end) => (start + 1, Some(rest[1..1 + end].to_string())),
            None => (start, None),
        },
        Some(_) if unquoted => {
            let end = rest.find(')').unwrap_or(rest.len());
            (start, Some(rest[..end].trim().to_string()))
        }
        _ => (start, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_without_scheme_are_told_from_relative_links() {
        for domain in [
            "www.anvita.fr",
            "anvita.fr/contact",
            "WWW.example.org",
            "o-c-u.org",
        ] {
            assert_eq!(
                url_problem(domain),
                Some(Refusal::NoScheme(domain.to_string())),
                "{domain}"
            );
        }
        for relative in [
            "riace.html",
            "riace.html#bilan",
            "livret.pdf",
            "images/a.png",
            "../a.png",
            "#x",
            "@riace",
            "https://www.anvita.fr",
            "mailto:a@b.fr",
            "notes",
        ] {
            assert!(!looks_like_a_domain(relative), "{relative}");
        }
    }

    #[test]
    fn remote_references_are_told_from_local_ones() {
        for remote in [
            "http://example.org/a.png",
            " HTTPS://x/y",
            "//cdn.example.org/x.css",
            "file:///etc/passwd",
            "ftp://x/y",
        ] {
            assert!(is_remote(remote), "{remote}");
        }
        for local in [
            "images/a.png",
            "../a.png",
            "a.png?x=1:2",
            "#x",
            "data:image/png,x",
            "",
        ] {
            assert!(!is_remote(local), "{local}");
        }
    }

    #[test]
    fn markdown_images_only() {
        let md = "Voir [le site](https://example.org) et ![](http://pixel.example/p.gif).\n\n\
                  ![local](images/a.png) ![ref][r]\n\n[r]: https://example.org/r.png\n";
        assert_eq!(
            remote_images(md),
            ["http://pixel.example/p.gif", "https://example.org/r.png"]
        );
        assert!(remote_images("Pas d'image.").is_empty());
    }

    #[test]
    fn css_urls_and_imports() {
        let css = "/* url(http://comment.example/x) */\n@import url(\"http://a.example/x.css\");\n\
                   @import 'https://b.example/y.css';\nbody { background: URL( //c.example/z.png ) }\n\
                   @font-face { src: url(\"fonts/a.woff2\") }\n";
        let found: Vec<String> = remote_css(css).into_iter().map(|(_, u)| u).collect();
        assert_eq!(
            found,
            [
                "http://a.example/x.css",
                "https://b.example/y.css",
                "//c.example/z.png"
            ]
        );
        let (offset, _) = remote_css(css)[0];
        assert!(css[offset..].starts_with("http://a.example"));
    }
}

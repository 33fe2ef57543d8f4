//! The URL policy, in one place: which schemes a link may use, and why a URL written by the
//! user is refused. Used when checking the sources (`booklet`, `config`) and, as a last guard,
//! when rendering (`markdown` never writes a refused destination).

/// URL schemes a link may use.
pub const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// Why a URL is refused, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: String,
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
/// than http, https, mailto and tel, or a malformed web address.
pub fn url_problem(link: &str) -> Option<Refusal> {
    let link = link.trim();
    if let Some(s) = refused_scheme(link) {
        let shown: String = link.chars().take(80).collect();
        return Some(Refusal {
            message: format!("the link `{shown}` uses the refused scheme `{s}:`"),
            help: "links may only use http:, https:, mailto:, tel: or a relative path".to_string(),
        });
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
        _ => Some(Refusal {
            message: format!("`{link}` is not a well-formed URL"),
            help: "write it as https://domain.tld/path, without spaces".to_string(),
        }),
    }
}

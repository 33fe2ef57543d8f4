//! Slugs: the page addresses made from file names and titles (`01-riace.toml` → `riace`,
//! `São Paulo` → `sao-paulo`), what a valid one is and how long it may be. Which slugs are
//! taken by livret's own files and ids is decided in `booklet`, from `output::names` and
//! `text::ids`.

use std::path::Path;

/// The slug a file or folder name gives: ordering prefix (`01-`, `03b-`) dropped, accents
/// folded, lower case, dashes.
pub fn name_slug(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let rest = strip_order_prefix(&stem);
    let slug = slugify(if rest.is_empty() { &stem } else { rest });
    if slug.is_empty() { "page".into() } else { slug }
}

fn strip_order_prefix(stem: &str) -> &str {
    let digits = stem.len() - stem.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return stem;
    }
    let mut rest = &stem[digits..];
    // one optional letter right after the digits: 03b-lyon
    let mut chars = rest.chars();
    if let (Some(c), Some(sep)) = (chars.next(), chars.next())
        && c.is_ascii_lowercase()
        && matches!(sep, '-' | '_' | '.' | ' ')
    {
        rest = &rest[1..];
    }
    rest.trim_start_matches(['-', '_', '.', ' '])
}

/// Folds text to a URL- and file-safe slug: `São Paulo` → `sao-paulo`.
pub fn slugify(text: &str) -> String {
    let folded = deunicode::deunicode(text).to_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

/// The longest slug, in characters: its page's file name (`slug.html`, under `NN-` in
/// `fiches/`) stays far below the 255 bytes file systems allow.
pub const MAX_SLUG_CHARS: usize = 120;

/// Whether a user-given slug is already a clean slug (its length is checked apart, see
/// `MAX_SLUG_CHARS`).
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty() && slugify(slug) == slug
}

/// `slug` cut to at most `MAX_SLUG_CHARS` characters at a word boundary (a dash); a single
/// word longer than that is cut inside.
pub fn shorten_slug(slug: &str) -> String {
    if slug.chars().count() <= MAX_SLUG_CHARS {
        return slug.to_string();
    }
    let cut: String = slug.chars().take(MAX_SLUG_CHARS + 1).collect();
    let words = match cut.rfind('-') {
        Some(dash) if dash > 0 => &cut[..dash],
        _ => &cut[..cut.len().min(MAX_SLUG_CHARS)],
    };
    let shortened: String = words.chars().take(MAX_SLUG_CHARS).collect();
    shortened.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(
            name_slug(Path::new("fiches/10-repenser/01-riace.toml")),
            "riace"
        );
        assert_eq!(name_slug(Path::new("03b-lyon.toml")), "lyon");
        assert_eq!(name_slug(Path::new("04-São Paulo.toml")), "sao-paulo");
        assert_eq!(name_slug(Path::new("2024.toml")), "2024");
        assert_eq!(name_slug(Path::new("10-repenser")), "repenser");
        assert_eq!(
            slugify("L'exemple : Grande-Synthe !"),
            "l-exemple-grande-synthe"
        );
        assert!(is_valid_slug("sao-paulo"));
        assert!(!is_valid_slug("../x"));
    }

    #[test]
    fn long_slugs_are_cut_at_a_word() {
        let long = "mot-".repeat(40) + "fin";
        let short = shorten_slug(&long);
        assert!(short.len() <= MAX_SLUG_CHARS, "{short}");
        assert!(
            short.ends_with("-mot") && long.starts_with(&short),
            "{short}"
        );
        assert_eq!(shorten_slug("riace"), "riace");
        assert_eq!(shorten_slug(&"a".repeat(200)).len(), MAX_SLUG_CHARS);
    }
}

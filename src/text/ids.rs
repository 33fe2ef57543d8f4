//! The grammar of the `id`s livret's pages carry, in one place: ids fixed by the theme
//! (`contenu`, `sommaire`…), ids made from a slug (`riace`, `riace-how`…) and note ids
//! (`note-3`, `ref-3`, `ref-3-2`). A slug is refused when one of the ids it would give could
//! equal another generated id, so no built page carries the same id twice (print.html holds
//! every entry, and `livret pdf` reads its page numbers back from these ids).
//!
//! The default theme's templates use exactly these ids; `tests/content_safety.rs` checks that
//! every `id="…"` of its templates matches this grammar, and that no built page repeats an id.

/// Ids the theme writes whatever the content: the `<main>` of web pages (skip link target),
/// the sommaire of the index page and its heading, the cover's heading.
pub const FIXED: [&str; 8] = [
    "contenu",
    "sommaire",
    "sommaire-title",
    "cover-title",
    // The web reader: the sommaire beside the text, and the search box.
    "nav-sommaire",
    "search-input",
    "search-status",
    "search-results",
];

/// The slug of the `kind = "sommaire"` entry may be `sommaire`: on the index page, the
/// sommaire's fixed ids are that entry's own.
pub const SOMMAIRE: &str = "sommaire";

/// Suffixes of the ids made from an entry's or a part's slug: `{slug}-title` and the fiche's
/// section headings `{slug}-summary`, `{slug}-how`…
pub const SLUG_SUFFIXES: [&str; 7] = [
    "title",
    "summary",
    "how",
    "outcome",
    "takeaways",
    "links",
    "nav",
];

const NOTE: &str = "note-";
const REF: &str = "ref-";

/// The id of note number `n`.
pub fn note_id(n: u32) -> String {
    format!("{NOTE}{n}")
}

/// The id of the `count`-th citation (1-based) of note number `n`.
pub fn ref_id(n: u32, count: u32) -> String {
    if count <= 1 {
        format!("{REF}{n}")
    } else {
        format!("{REF}{n}-{count}")
    }
}

/// Whether `id` has the form of a note id: `note-N`, `ref-N` or `ref-N-K`.
pub fn is_note_id(id: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(n) = id.strip_prefix(NOTE) {
        return digits(n);
    }
    match id.strip_prefix(REF) {
        Some(rest) => match rest.split_once('-') {
            Some((n, k)) => digits(n) && digits(k),
            None => digits(rest),
        },
        None => false,
    }
}

/// An id a slug would give that livret also gives to something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    pub id: String,
    /// What else has that id.
    pub owner: Owner,
}

/// What else livret gives a clashing id to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The `suffix` heading of the entry whose slug is `prefix`.
    Heading {
        suffix: &'static str,
        prefix: String,
    },
    Note,
    Theme,
}

/// Why `slug` cannot be used, if one of the ids it gives could be another generated id:
/// the id concerned and what else has it. `is_sommaire`: the slug of the sommaire entry.
pub fn slug_clash(slug: &str, is_sommaire: bool) -> Option<Clash> {
    for suffix in SLUG_SUFFIXES {
        if let Some(prefix) = slug.strip_suffix(suffix).and_then(|p| p.strip_suffix('-'))
            && !prefix.is_empty()
        {
            return Some(Clash {
                id: slug.to_string(),
                owner: Owner::Heading {
                    suffix,
                    prefix: prefix.to_string(),
                },
            });
        }
    }
    if is_note_id(slug) {
        return Some(Clash {
            id: slug.to_string(),
            owner: Owner::Note,
        });
    }
    let own = std::iter::once(slug.to_string())
        .chain(SLUG_SUFFIXES.iter().map(|s| format!("{slug}-{s}")));
    for id in own {
        if FIXED.contains(&id.as_str()) && !(is_sommaire && slug == SOMMAIRE) {
            return Some(Clash {
                id,
                owner: Owner::Theme,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_ids() {
        assert_eq!(note_id(3), "note-3");
        assert_eq!(ref_id(3, 1), "ref-3");
        assert_eq!(ref_id(3, 2), "ref-3-2");
        for id in ["note-1", "ref-12", "ref-1-2"] {
            assert!(is_note_id(id), "{id}");
        }
        for id in ["note", "note-", "note-a", "ref-1-", "ref-1-2-3", "notes-1"] {
            assert!(!is_note_id(id), "{id}");
        }
    }

    #[test]
    fn slugs_that_give_generated_ids_clash() {
        for slug in [
            "riace-how",
            "riace-title",
            "a-links",
            "note-2",
            "ref-3",
            "ref-3-2",
            "sommaire-title",
            "contenu",
            "cover",
            "sommaire",
        ] {
            assert!(slug_clash(slug, false).is_some(), "{slug}");
        }
        assert!(slug_clash("sommaire", true).is_none());
        for slug in [
            "riace",
            "how",
            "title",
            "notes-2",
            "note",
            "couverture",
            "liens",
        ] {
            assert!(slug_clash(slug, false).is_none(), "{slug}");
        }
    }
}

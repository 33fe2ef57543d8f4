//! Text tools that know nothing of fiches: HTML escaping, the URL policy, slugs, the grammar of
//! generated ids, Markdown, and French typography (with hyphenation to come).

pub mod html;
pub mod hyphen;
pub mod ids;
pub mod links;
pub mod markdown;
pub mod slug;
pub mod typo;

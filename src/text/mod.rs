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

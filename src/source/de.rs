//! Reading TOML text into typed values: the one place that turns `toml`/`serde` errors into
//! located `Diagnostic`s with a `help:` line (closest key, expected type, how to fix).

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;
use crate::message::TomlMsg;
use crate::source::Source;

/// Parses `source` as `T`, or explains the first problem.
pub fn parse<T: DeserializeOwned>(source: &Source) -> Result<T, Diagnostic> {
    toml::from_str::<T>(&source.text).map_err(|e| located(source, &e))
}

/// Reads `T` from a TOML tree already parsed from `source` (see `schema::validated`), so a
/// file is parsed once.
pub fn from_tree<T: DeserializeOwned>(
    source: &Source,
    tree: toml::Spanned<toml::de::DeTable<'_>>,
) -> Result<T, Diagnostic> {
    T::deserialize(toml::de::Deserializer::from(tree)).map_err(|e| located(source, &e))
}

/// A toml/serde error as a diagnostic.
fn located(source: &Source, e: &toml::de::Error) -> Diagnostic {
    let offset = e.span().map_or(0, |s| s.start);
    source.at(offset, kind_of(e.message().trim()))
}

/// The kind of a toml/serde error, read from its English message: the one place that reads
/// another crate's words (serde has no error codes). What it does not recognise is kept, as a
/// detail of a syntax error.
pub fn kind_of(message: &str) -> TomlMsg {
    let first = message.lines().next().unwrap_or(message);
    if let Some(rest) = first.strip_prefix("unknown field `")
        && let Some((key, tail)) = rest.split_once('`')
    {
        let allowed = backticked(tail);
        let best = closest(key, &allowed).map(str::to_string);
        return TomlMsg::UnknownKey {
            key: key.to_string(),
            best,
            allowed,
        };
    }
    if let Some(rest) = first.strip_prefix("missing field `")
        && let Some(key) = rest.split('`').next()
    {
        return TomlMsg::MissingField(key.to_string());
    }
    if let Some(rest) = first.strip_prefix("unknown variant `")
        && let Some((value, tail)) = rest.split_once('`')
    {
        let allowed = backticked(tail);
        let best = closest(value, &allowed).map(str::to_string);
        return TomlMsg::UnknownVariant {
            value: value.to_string(),
            best,
            allowed,
        };
    }
    if first.contains("recurse") || first.contains("recursion") {
        return TomlMsg::TooDeep;
    }
    if first.contains("duplicate key") {
        return TomlMsg::DuplicateKey;
    }
    TomlMsg::Syntax(first.to_string())
}

/// All `backticked` words of a serde "expected one of …" tail.
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The allowed word closest to `word`, when it is close enough to be a typo.
pub fn closest<'a>(word: &str, allowed: &'a [String]) -> Option<&'a str> {
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(word, a), a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Lang;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        items: Option<Vec<String>>,
    }

    #[test]
    fn unknown_key_suggests_closest() -> crate::error::TestResult {
        let d = parse::<T>(&Source::new("x.toml", "titel = \"a\"\n")).unwrap_err();
        assert_eq!((d.line, d.col), (1, 1));
        let text = d.text(Lang::En);
        assert!(
            text.message.contains("unknown key `titel`"),
            "{}",
            text.message
        );
        let help = text.help.ok_or("no help")?;
        assert!(help.starts_with("did you mean `title`?"), "{help}");
        Ok(())
    }

    #[test]
    fn wrong_type_and_missing_field() -> crate::error::TestResult {
        let d = parse::<T>(&Source::new("x.toml", "title = 3\n")).unwrap_err();
        assert_eq!((d.line, d.col), (1, 9));
        assert!(d.text(Lang::En).message.contains("string"));
        let d = parse::<T>(&Source::new("x.toml", "items = []\n")).unwrap_err();
        assert!(d.text(Lang::En).message.contains("missing key `title`"));
        Ok(())
    }

    #[test]
    fn bom_is_accepted_and_offsets_stay_right() -> crate::error::TestResult {
        let t: T = parse(&Source::new("x.toml", "\u{feff}title = \"a\"\n"))?;
        assert_eq!(t.title, "a");
        Ok(())
    }
}

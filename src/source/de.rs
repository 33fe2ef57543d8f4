//! Reading TOML text into typed values: the one place that turns `toml`/`serde` errors into
//! located `Diagnostic`s with a `help:` line (closest key, expected type, how to fix).

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;
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
    let message = e.message().trim().to_string();
    let help = help_for(&message);
    let mut d = source.at(offset, first_line(&message));
    d.help = help;
    d
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).to_string()
}

/// Turns serde's messages into advice a non-programmer can act on.
pub fn help_for(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, tail) = rest.split_once('`')?;
        let allowed = backticked(tail);
        let mut help = match closest(key, &allowed) {
            Some(best) => format!("did you mean `{best}`? "),
            None => String::new(),
        };
        if allowed.is_empty() {
            help.push_str("this table takes no keys");
        } else {
            help.push_str(&format!("allowed keys here: {}", allowed.join(", ")));
        }
        return Some(help);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next()?;
        return Some(format!("add `{key} = …` to this table"));
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, tail) = rest.split_once('`')?;
        let allowed = backticked(tail);
        let mut help = match closest(value, &allowed) {
            Some(best) => format!("did you mean \"{best}\"? "),
            None => String::new(),
        };
        help.push_str(&format!("allowed values: {}", allowed.join(", ")));
        return Some(help);
    }
    if message.starts_with("invalid type") {
        let expected = message.rsplit("expected ").next().unwrap_or("another type");
        let hint = if expected.contains("string") {
            " — put the text between double quotes, or \"\"\" for several lines"
        } else if expected.contains("sequence") {
            " — write a list like [\"a\", \"b\"], or repeat a [[table]]"
        } else {
            ""
        };
        return Some(format!("expected {expected}{hint}"));
    }
    if message.contains("recurse") || message.contains("recursion") {
        return Some(
            "arrays or tables are nested too deeply here: flatten them (a fiche needs at most \
             two levels)"
                .into(),
        );
    }
    if message.contains("duplicate key") {
        return Some("each key may appear only once in a table: remove or rename one".into());
    }
    if message.contains("invalid") || message.contains("expected") {
        return Some(
            "check the TOML syntax near the caret: key = \"value\", strings in double quotes, \
             tables in [brackets]"
                .into(),
        );
    }
    None
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
        assert!(d.message.contains("unknown field `titel`"), "{}", d.message);
        let help = d.help.ok_or("no help")?;
        assert!(help.starts_with("did you mean `title`?"), "{help}");
        Ok(())
    }

    #[test]
    fn wrong_type_and_missing_field() -> crate::error::TestResult {
        let d = parse::<T>(&Source::new("x.toml", "title = 3\n")).unwrap_err();
        assert_eq!((d.line, d.col), (1, 9));
        assert!(d.help.ok_or("no help")?.contains("string"));
        let d = parse::<T>(&Source::new("x.toml", "items = []\n")).unwrap_err();
        assert!(d.message.contains("missing field `title`"));
        Ok(())
    }

    #[test]
    fn bom_is_accepted_and_offsets_stay_right() -> crate::error::TestResult {
        let t: T = parse(&Source::new("x.toml", "\u{feff}title = \"a\"\n"))?;
        assert_eq!(t.title, "a");
        Ok(())
    }
}

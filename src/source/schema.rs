//! The shape of every file a user writes (`livret.toml`, a fiche, a page, the sommaire marker, a
//! `_part.toml`) as data: which keys a table allows, their types, which are required. Owns the
//! validation that reports *every* syntax error, unknown key, wrong type and missing key of a
//! file in one pass, located on the spanned TOML tree, before serde reads the file into its
//! typed value (serde stops at the first problem). A unit test keeps these lists equal to the
//! serde types of `fiche` and `config`.

use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::error::Diagnostic;
use crate::message::{Expected, Found, TomlMsg};
use crate::source::fiche::Kind;
use crate::source::{Source, de};

/// The type a key takes.
#[derive(Debug, Clone, Copy)]
pub enum Ty {
    /// Text (a TOML string).
    Str,
    Bool,
    /// A list of strings: `items = ["a", "b"]`.
    StrList,
    /// One of a few strings (`shown` in messages; `also` accepted, as serde aliases).
    Enum {
        shown: &'static [&'static str],
        also: &'static [&'static str],
    },
    /// A sub-table: `[outcome]`.
    Table(&'static Schema),
    /// A repeated table: `[[how]]`.
    TableList(&'static Schema),
    /// A table of free keys whose values are strings: `[notes]`, `[labels]`.
    StrMap,
}

/// One allowed key.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

/// The keys of one table.
#[derive(Debug)]
pub struct Schema {
    /// How the table is named in messages ("this fiche", "[[how]]").
    pub name: &'static str,
    pub fields: &'static [Field],
}

const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

const PLACE: Ty = Ty::Enum {
    shown: &["summary", "how", "outcome"],
    also: &[],
};

pub static FIGURE: Schema = Schema {
    name: "[[figures]]",
    fields: &[opt("value", Ty::Str), req("label", Ty::Str)],
};
pub static HOW: Schema = Schema {
    name: "[[how]]",
    fields: &[opt("heading", Ty::Str), req("body", Ty::Str)],
};
pub static QUOTE: Schema = Schema {
    name: "[[quotes]]",
    fields: &[
        req("text", Ty::Str),
        opt("author", Ty::Str),
        opt("role", Ty::Str),
        opt("at", PLACE),
    ],
};
pub static ASIDE: Schema = Schema {
    name: "[[asides]]",
    fields: &[
        opt("title", Ty::Str),
        req("body", Ty::Str),
        opt("at", PLACE),
    ],
};
pub static OUTCOME: Schema = Schema {
    name: "[outcome]",
    fields: &[opt("headline", Ty::Str), opt("body", Ty::Str)],
};
pub static TAKEAWAYS: Schema = Schema {
    name: "[takeaways]",
    fields: &[opt("intro", Ty::Str), opt("items", Ty::StrList)],
};
pub static LINK: Schema = Schema {
    name: "[[links]]",
    fields: &[opt("label", Ty::Str), opt("url", Ty::Str)],
};

/// A numbered fiche (`kind` absent or `"fiche"`).
pub static FICHE: Schema = Schema {
    name: "fiche",
    fields: &[
        opt("kind", Ty::Str),
        opt("slug", Ty::Str),
        req("title", Ty::Str),
        opt("example", Ty::Str),
        opt("tagline", Ty::Str),
        opt("summary", Ty::Str),
        opt("figures", Ty::TableList(&FIGURE)),
        opt("how", Ty::TableList(&HOW)),
        opt("quotes", Ty::TableList(&QUOTE)),
        opt("asides", Ty::TableList(&ASIDE)),
        opt("outcome", Ty::Table(&OUTCOME)),
        opt("takeaways", Ty::Table(&TAKEAWAYS)),
        opt("links", Ty::TableList(&LINK)),
        opt("notes", Ty::StrMap),
    ],
};

/// `kind = "page"`.
pub static PAGE: Schema = Schema {
    name: "page",
    fields: &[
        req("kind", Ty::Str),
        opt("slug", Ty::Str),
        req("title", Ty::Str),
        opt("kicker", Ty::Str),
        opt("lead", Ty::Str),
        opt("body", Ty::Str),
        opt("toc", Ty::Bool),
        opt("notes", Ty::StrMap),
    ],
};

/// `kind = "sommaire"`.
pub static SOMMAIRE: Schema = Schema {
    name: "sommaire",
    fields: &[req("kind", Ty::Str), opt("title", Ty::Str)],
};

/// A part's `_part.toml`.
pub static PART: Schema = Schema {
    name: "_part.toml",
    fields: &[
        req("title", Ty::Str),
        opt("intro", Ty::Str),
        opt("slug", Ty::Str),
    ],
};

pub static COVER: Schema = Schema {
    name: "[cover]",
    fields: &[opt("lead", Ty::Str)],
};
pub static COLOPHON: Schema = Schema {
    name: "[colophon]",
    fields: &[opt("body", Ty::Str)],
};

/// `livret.toml`.
pub static CONFIG: Schema = Schema {
    name: "livret.toml",
    fields: &[
        req("title", Ty::Str),
        opt("subtitle", Ty::Str),
        opt("strapline", Ty::Str),
        opt("publisher", Ty::Str),
        opt("publisher_short", Ty::Str),
        opt("description", Ty::Str),
        opt("lang", Ty::Str),
        opt("edition", Ty::Str),
        opt("website", Ty::Str),
        opt("theme", Ty::Str),
        opt(
            "page_size",
            Ty::Enum {
                shown: &["A5", "A4", "letter"],
                also: &["Letter"],
            },
        ),
        opt("base_url", Ty::Str),
        opt("allow_html", Ty::Bool),
        opt("cover", Ty::Table(&COVER)),
        opt("colophon", Ty::Table(&COLOPHON)),
        opt("labels", Ty::StrMap),
    ],
};

/// At most this many syntax errors are reported per file: later ones are mostly echoes.
const MAX_SYNTAX_ERRORS: usize = 10;

/// Checks `source` against `schema`; returns every problem found. An empty list means serde
/// will read the file (only value-level checks remain).
#[cfg(test)]
pub fn check(source: &Source, schema: &Schema) -> Vec<Diagnostic> {
    validated(source, schema).err().unwrap_or_default()
}

/// Parses `source` once and checks it against `schema`: the tree, ready for serde
/// (`de::from_tree`), or every problem found.
pub fn validated<'a>(
    source: &'a Source,
    schema: &Schema,
) -> Result<Spanned<DeTable<'a>>, Vec<Diagnostic>> {
    let (path, text) = (source.path.as_path(), source.text.as_str());
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax_diagnostics(path, text, &syntax));
    }
    checked(path, text, doc, schema)
}

fn checked<'a>(
    path: &Path,
    text: &str,
    doc: Spanned<DeTable<'a>>,
    schema: &Schema,
) -> Result<Spanned<DeTable<'a>>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let ctx = Ctx {
        path,
        source: text,
        top: schema,
    };
    ctx.table(doc.get_ref(), 0, schema, &mut out);
    if out.is_empty() {
        Ok(doc)
    } else {
        Diagnostic::sort(&mut out);
        Err(out)
    }
}

/// Checks an entry file under `fiches/`: chooses the schema from its `kind`. An unknown or
/// malformed `kind` is left to `fiche::from_tree`, which explains it.
#[cfg(test)]
pub fn check_entry(source: &Source) -> Vec<Diagnostic> {
    validated_entry(source).err().unwrap_or_default()
}

/// `validated` for an entry file, with the schema of its `kind`.
pub fn validated_entry<'a>(source: &'a Source) -> Result<Spanned<DeTable<'a>>, Vec<Diagnostic>> {
    let (path, text) = (source.path.as_path(), source.text.as_str());
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax_diagnostics(path, text, &syntax));
    }
    let kind = match doc.get_ref().get("kind").map(|v| v.get_ref()) {
        None => Kind::Fiche,
        Some(DeValue::String(k)) => match Kind::from_name(k) {
            Some(kind) => kind,
            None => return Ok(doc),
        },
        Some(_) => return Ok(doc),
    };
    checked(path, text, doc, of_kind(kind))
}

/// The schema of an entry file of this kind.
pub fn of_kind(kind: Kind) -> &'static Schema {
    match kind {
        Kind::Fiche => &FICHE,
        Kind::Page => &PAGE,
        Kind::Sommaire => &SOMMAIRE,
    }
}

/// The value of a top-level string key, read leniently (for files that fail to parse).
pub fn top_level_str(source: &Source, key: &str) -> Option<String> {
    let (doc, _) = DeTable::parse_recoverable(&source.text);
    match doc.get_ref().get(key).map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

fn syntax_diagnostics(path: &Path, source: &str, errors: &[toml::de::Error]) -> Vec<Diagnostic> {
    // The slips a volunteer makes are told as what was done, at the slip; the parser's own
    // errors only when none is found.
    let slips = crate::source::slips::find(path, source);
    if !slips.is_empty() {
        return slips;
    }
    let mut out: Vec<Diagnostic> = Vec::new();
    for e in errors {
        let offset = e.span().map_or(0, |s| s.start);
        let d = Diagnostic::at_offset(path, source, offset, de::kind_of(e.message().trim()));
        if !out
            .iter()
            .any(|o| (o.line, o.col, &o.message) == (d.line, d.col, &d.message))
        {
            out.push(d);
        }
    }
    Diagnostic::sort(&mut out);
    out.truncate(MAX_SYNTAX_ERRORS);
    out
}

struct Ctx<'a> {
    path: &'a Path,
    source: &'a str,
    /// The file's own keys: one of them written inside a table of free keys was meant above it.
    top: &'a Schema,
}

impl Ctx<'_> {
    fn at(&self, offset: usize, message: impl Into<crate::message::Message>) -> Diagnostic {
        Diagnostic::at_offset(self.path, self.source, offset, message)
    }

    /// Checks one table; `start` is where its header (or the file) starts, for missing keys.
    fn table(&self, table: &DeTable, start: usize, schema: &Schema, out: &mut Vec<Diagnostic>) {
        let allowed: Vec<String> = schema.fields.iter().map(|f| f.name.to_string()).collect();
        // Required keys already suggested by a "did you mean" are not reported missing too.
        let mut suggested = Vec::new();
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match schema.fields.iter().find(|f| f.name == name) {
                None => {
                    suggested.extend(de::closest(name, &allowed));
                    out.push(self.unknown_key(name, key.span().start, schema));
                }
                Some(field) => self.value(field, value.get_ref(), value.span().start, out),
            }
        }
        for field in schema.fields.iter().filter(|f| f.required) {
            if !table.contains_key(field.name) && !suggested.contains(&field.name) {
                out.push(self.at(
                    start,
                    TomlMsg::MissingKey {
                        key: field.name.to_string(),
                        table: schema.name,
                        top: start == 0,
                        example: example(field.ty),
                    },
                ));
            }
        }
    }

    fn unknown_key(&self, name: &str, offset: usize, schema: &Schema) -> Diagnostic {
        let allowed: Vec<String> = schema.fields.iter().map(|f| f.name.to_string()).collect();
        let best = de::closest(name, &allowed).map(str::to_string);
        self.at(
            offset,
            TomlMsg::UnknownKey {
                key: name.to_string(),
                best,
                allowed,
            },
        )
    }

    fn value(&self, field: &Field, value: &DeValue, offset: usize, out: &mut Vec<Diagnostic>) {
        let name = field.name;
        match (field.ty, value) {
            (Ty::Str, DeValue::String(_)) | (Ty::Bool, DeValue::Boolean(_)) => {}
            (
                Ty::Enum {
                    shown: allowed,
                    also,
                },
                DeValue::String(s),
            ) => {
                if !allowed.contains(&s.as_ref()) && !also.contains(&s.as_ref()) {
                    let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
                    let best = de::closest(s, &list).map(str::to_string);
                    out.push(self.at(
                        offset,
                        TomlMsg::BadValue {
                            key: name.to_string(),
                            value: s.to_string(),
                            best,
                            allowed: list,
                        },
                    ));
                }
            }
            (Ty::StrList, DeValue::Array(items)) => {
                for item in items.iter() {
                    if !matches!(item.get_ref(), DeValue::String(_)) {
                        out.push(self.at(
                            item.span().start,
                            TomlMsg::ListItem {
                                key: name.to_string(),
                                found: type_name(item.get_ref()),
                            },
                        ));
                    }
                }
            }
            (Ty::Table(schema), DeValue::Table(t)) => self.table(t, offset, schema, out),
            (Ty::TableList(schema), DeValue::Array(items)) => {
                for item in items.iter() {
                    match item.get_ref() {
                        DeValue::Table(t) => self.table(t, item.span().start, schema, out),
                        other => out.push(self.wrong_type(field, other, item.span().start)),
                    }
                }
            }
            (Ty::StrMap, DeValue::Table(t)) => {
                for (key, v) in t.iter() {
                    let k: &str = key.get_ref().as_ref();
                    if self
                        .top
                        .fields
                        .iter()
                        .any(|f| f.name == k && f.name != name)
                    {
                        out.push(self.at(
                            key.span().start,
                            TomlMsg::KeyInsideTable {
                                key: k.to_string(),
                                table: name.to_string(),
                            },
                        ));
                    } else if !matches!(v.get_ref(), DeValue::String(_)) {
                        out.push(self.at(
                            v.span().start,
                            TomlMsg::MapValue {
                                table: name.to_string(),
                                key: k.to_string(),
                                found: type_name(v.get_ref()),
                            },
                        ));
                    }
                }
            }
            (_, other) => out.push(self.wrong_type(field, other, offset)),
        }
    }

    fn wrong_type(&self, field: &Field, found: &DeValue, offset: usize) -> Diagnostic {
        let expected = match field.ty {
            Ty::Str | Ty::Enum { .. } => Expected::Str,
            Ty::Bool => Expected::Bool,
            Ty::StrList => Expected::StrList,
            Ty::Table(_) | Ty::StrMap => Expected::Table,
            Ty::TableList(_) => Expected::TableList,
        };
        self.at(
            offset,
            TomlMsg::WrongType {
                key: field.name.to_string(),
                expected,
                found: type_name(found),
            },
        )
    }
}

fn example(ty: Ty) -> &'static str {
    match ty {
        Ty::Bool => "true",
        Ty::StrList => "[\"…\"]",
        _ => "\"…\"",
    }
}

fn type_name(value: &DeValue) -> Found {
    match value {
        DeValue::String(_) => Found::Str,
        DeValue::Integer(_) => Found::Integer,
        DeValue::Float(_) => Found::Number,
        DeValue::Boolean(_) => Found::Boolean,
        DeValue::Datetime(_) => Found::Date,
        DeValue::Array(_) => Found::List,
        DeValue::Table(_) => Found::Table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;

    /// The keys serde accepts for `T`, read from its "unknown field" message.
    fn serde_keys<T: DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let e = toml::from_str::<T>("__probe__ = 1\n").unwrap_err();
        let m = e.message().to_string();
        assert!(m.contains("unknown field"), "{m}");
        let mut keys: Vec<String> = m
            .split('`')
            .skip(3)
            .step_by(2)
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    fn schema_keys(s: &Schema) -> Vec<String> {
        let mut keys: Vec<String> = s.fields.iter().map(|f| f.name.to_string()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn schemas_match_the_serde_types() {
        use crate::source::{config, fiche};
        assert_eq!(schema_keys(&FICHE), serde_keys::<fiche::Fiche>());
        assert_eq!(schema_keys(&PAGE), serde_keys::<fiche::Page>());
        assert_eq!(schema_keys(&SOMMAIRE), serde_keys::<fiche::Sommaire>());
        assert_eq!(schema_keys(&PART), serde_keys::<fiche::Part>());
        assert_eq!(schema_keys(&FIGURE), serde_keys::<fiche::Figure>());
        assert_eq!(schema_keys(&HOW), serde_keys::<fiche::How>());
        assert_eq!(schema_keys(&QUOTE), serde_keys::<fiche::Quote>());
        assert_eq!(schema_keys(&ASIDE), serde_keys::<fiche::Aside>());
        assert_eq!(schema_keys(&OUTCOME), serde_keys::<fiche::Outcome>());
        assert_eq!(schema_keys(&TAKEAWAYS), serde_keys::<fiche::Takeaways>());
        assert_eq!(schema_keys(&LINK), serde_keys::<fiche::Link>());
        assert_eq!(schema_keys(&CONFIG), serde_keys::<config::Config>());
        assert_eq!(schema_keys(&COVER), serde_keys::<config::Cover>());
        assert_eq!(schema_keys(&COLOPHON), serde_keys::<config::Colophon>());
    }

    #[test]
    fn every_problem_of_a_file_is_reported() -> crate::error::TestResult {
        let src = "titel = \"x\"\nsumary = 3\n\n[[how]]\nheading = 2\n\n[[quotes]]\ntext = \"q\"\nat = \"sumary\"\n\n[takeaways]\nitems = [\"a\", 1]\n";
        let d = check_entry(&Source::new("f.toml", src));
        let got: Vec<(usize, usize, String)> = d
            .iter()
            .map(|d| (d.line, d.col, d.text(crate::message::Lang::En).message))
            .collect();
        let got: Vec<(usize, usize, &str)> =
            got.iter().map(|(l, c, m)| (*l, *c, m.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, 1, "unknown key `titel`"),
                (2, 1, "unknown key `sumary`"),
                (4, 1, "missing required key `body` in [[how]]"),
                (
                    5,
                    11,
                    "wrong type for `heading`: expected a string, found an integer"
                ),
                (9, 6, "`at` cannot be \"sumary\""),
                (
                    12,
                    15,
                    "wrong type in `items`: expected a string, found an integer"
                ),
            ]
        );
        assert!(
            d[0].text(crate::message::Lang::En)
                .help
                .as_deref()
                .ok_or("no help")?
                .starts_with(
                    "did you mean `title`? allowed keys here: kind, slug, title, example, tagline"
                )
        );
        assert_eq!(
            d[4].text(crate::message::Lang::En).help.as_deref(),
            Some("did you mean \"summary\"? allowed values: \"summary\", \"how\", \"outcome\"")
        );
        Ok(())
    }

    #[test]
    fn kinds_choose_their_schema_and_syntax_errors_all_come_out() -> crate::error::TestResult {
        let page = "kind = \"page\"\ntitle = \"t\"\nlead = \"l\"\ntoc = \"yes\"\n";
        let d = check_entry(&Source::new("p.toml", page));
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].line, d[0].col), (4, 7));
        assert!(
            d[0].text(crate::message::Lang::En)
                .help
                .as_deref()
                .ok_or("no help")?
                .contains("true")
        );
        // unknown kinds are explained by fiche::parse
        assert!(check_entry(&Source::new("p.toml", "kind = \"pgae\"\n")).is_empty());
        let broken = "title = \"x\nfoo = \nbar = \"y\"\n";
        let d = check_entry(&Source::new("b.toml", broken));
        assert!(d.len() >= 2, "{d:?}");
        assert_eq!((d[0].line, d[0].col), (1, 11));
        Ok(())
    }

    #[test]
    fn bom_keeps_columns_right() {
        let d = check(&Source::new("l.toml", "\u{feff}title = 1\n"), &CONFIG);
        assert_eq!((d[0].line, d[0].col), (1, 9));
    }
}

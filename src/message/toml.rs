//! Messages about the TOML a volunteer wrote: the slips of syntax told as what was done (curly
//! quotes, an apostrophe in '…', an unclosed """, a key written after [notes]), then the
//! schema's unknown keys, wrong types and missing keys.

use super::{Text, did_you_mean, quoted, texts, tick};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TomlMsg {
    /// A curly quote (shown) opens a value.
    CurlyQuote(char),
    /// `title = 'l'accueil'`: the apostrophe closed the text.
    ApostropheInLiteral,
    /// A `"""` (or `'''`, shown) that nothing closes.
    Unclosed(&'static str),
    /// A top-level key written after `[notes]` (or another table, named).
    KeyInsideTable {
        key: String,
        table: String,
    },
    /// Any other syntax error, with the parser's own words (English, kept as a detail).
    Syntax(String),
    DuplicateKey,
    TooDeep,
    /// serde's "missing field" (the schema reports missing keys first, with their table).
    MissingField(String),
    /// serde's "unknown variant".
    UnknownVariant {
        value: String,
        best: Option<String>,
        allowed: Vec<String>,
    },
    UnknownKey {
        key: String,
        best: Option<String>,
        allowed: Vec<String>,
    },
    /// `table`: the schema's name ("fiche", "[[how]]"); `top`: the file's own keys;
    /// `example`: a value to write.
    MissingKey {
        key: String,
        table: &'static str,
        top: bool,
        example: &'static str,
    },
    BadValue {
        key: String,
        value: String,
        best: Option<String>,
        allowed: Vec<String>,
    },
    /// An item of a list of strings is not a string.
    ListItem {
        key: String,
        found: Found,
    },
    /// A value of a table of strings (`[notes]`) is not a string.
    MapValue {
        table: String,
        key: String,
        found: Found,
    },
    WrongType {
        key: String,
        expected: Expected,
        found: Found,
    },
}

/// The type of a value found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Str,
    Integer,
    Number,
    Boolean,
    Date,
    List,
    Table,
}

impl Found {
    fn words(self) -> [&'static str; 2] {
        match self {
            Found::Str => ["a string", "un texte"],
            Found::Integer => ["an integer", "un nombre entier"],
            Found::Number => ["a number", "un nombre"],
            Found::Boolean => ["a boolean", "un booléen (true ou false)"],
            Found::Date => ["a date", "une date"],
            Found::List => ["a list", "une liste"],
            Found::Table => ["a table", "une table"],
        }
    }
}

/// The types a key can expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Str,
    Bool,
    StrList,
    Table,
    TableList,
}

impl TomlMsg {
    pub(super) fn texts(&self) -> [Text; 2] {
        match self {
            TomlMsg::CurlyQuote(q) => texts(
                format!("the text starts with a curly quote {q}: TOML needs straight quotes"),
                "write straight double quotes around the text: \"…\" (a word processor turns \
                 them into curly ones; inside the text, curly quotes are fine)",
                format!(
                    "le texte commence par un guillemet typographique {q} : TOML veut des \
                     guillemets droits"
                ),
                "entourez le texte de guillemets droits : \"…\" (un traitement de texte les \
                 change en guillemets courbes ; à l'intérieur du texte, ceux-ci sont permis)",
            ),
            TomlMsg::ApostropheInLiteral => texts(
                "this apostrophe ends the text begun with '",
                "a text holding an apostrophe goes between double quotes, \"l'accueil\", or \
                 between three single quotes, '''l'accueil'''",
                "cette apostrophe termine le texte ouvert par '",
                "un texte qui contient une apostrophe s'écrit entre guillemets droits, \
                 \"l'accueil\", ou entre trois apostrophes, '''l'accueil'''",
            ),
            TomlMsg::Unclosed(q) => texts(
                format!("this text opened with {q} is never closed"),
                format!("end the text with {q} on its own line, after its last line"),
                format!("ce texte ouvert par {q} n'est jamais fermé"),
                format!("terminez le texte par {q} sur une ligne à part, après sa dernière ligne"),
            ),
            TomlMsg::KeyInsideTable { key, table } => texts(
                format!("`{key}` is written after [{table}], so it is inside [{table}]"),
                format!(
                    "move `{key} = …` above [{table}]: every key after a [table] line belongs to \
                     that table"
                ),
                format!("`{key}` est écrit après [{table}] : il fait donc partie de [{table}]"),
                format!(
                    "déplacez `{key} = …` au-dessus de [{table}] : toute clé écrite après une \
                     ligne [table] appartient à cette table"
                ),
            ),
            TomlMsg::Syntax(detail) => texts(
                detail.clone(),
                "check the TOML syntax near the caret: key = \"value\", strings in double \
                 quotes, tables in [brackets]",
                format!("ce n'est pas du TOML valide à cet endroit ({detail})"),
                "vérifiez la syntaxe près du signe ^ : clé = \"valeur\", le texte entre \
                 guillemets droits, les tables entre [crochets]",
            ),
            TomlMsg::DuplicateKey => texts(
                "this key is written twice in the same table",
                "each key may appear only once in a table: remove or rename one",
                "cette clé est écrite deux fois dans la même table",
                "une clé ne peut figurer qu'une fois par table : supprimez ou renommez l'une \
                 des deux",
            ),
            TomlMsg::TooDeep => texts(
                "lists or tables are nested too deeply here",
                "flatten them: a fiche needs at most two levels",
                "listes ou tables trop imbriquées à cet endroit",
                "simplifiez : une fiche n'a besoin que de deux niveaux au plus",
            ),
            TomlMsg::MissingField(key) => texts(
                format!("missing key `{key}`"),
                format!("add `{key} = …` to this table"),
                format!("clé `{key}` absente"),
                format!("ajoutez `{key} = …` à cette table"),
            ),
            TomlMsg::UnknownVariant {
                value,
                best,
                allowed,
            } => {
                let [en, fr] = did_you_mean(best, quoted);
                let list = allowed.join(", ");
                texts(
                    format!("unknown value \"{value}\""),
                    format!("{en}allowed values: {list}"),
                    format!("valeur inconnue \"{value}\""),
                    format!("{fr}valeurs permises : {list}"),
                )
            }
            _ => self.schema_texts(),
        }
    }

    fn schema_texts(&self) -> [Text; 2] {
        match self {
            TomlMsg::UnknownKey { key, best, allowed } => {
                let [en, fr] = did_you_mean(best, tick);
                let list = allowed.join(", ");
                let (en_list, fr_list) = if allowed.is_empty() {
                    (
                        "this table takes no keys".to_string(),
                        "cette table n'accepte aucune clé".to_string(),
                    )
                } else {
                    (
                        format!("allowed keys here: {list}"),
                        format!("clés permises ici : {list}"),
                    )
                };
                texts(
                    format!("unknown key `{key}`"),
                    format!("{en}{en_list}"),
                    format!("clé inconnue `{key}`"),
                    format!("{fr}{fr_list}"),
                )
            }
            TomlMsg::MissingKey {
                key,
                table,
                top,
                example,
            } => {
                let [en, fr] = whose(table, *top);
                texts(
                    format!("missing required key `{key}` in {en}"),
                    format!("add `{key} = {example}` to {en}"),
                    format!("clé obligatoire `{key}` absente de {fr}"),
                    format!("ajoutez `{key} = {example}` à {fr}"),
                )
            }
            TomlMsg::BadValue {
                key,
                value,
                best,
                allowed,
            } => {
                let [en, fr] = did_you_mean(best, quoted);
                let list: Vec<String> = allowed.iter().map(|a| quoted(a)).collect();
                let list = list.join(", ");
                texts(
                    format!("`{key}` cannot be \"{value}\""),
                    format!("{en}allowed values: {list}"),
                    format!("`{key}` ne peut pas valoir \"{value}\""),
                    format!("{fr}valeurs permises : {list}"),
                )
            }
            TomlMsg::ListItem { key, found } => texts(
                format!(
                    "wrong type in `{key}`: expected a string, found {}",
                    found.words()[0]
                ),
                "every item of the list is text between double quotes: [\"…\", \"…\"]",
                format!(
                    "type incorrect dans `{key}` : un texte est attendu, pas {}",
                    found.words()[1]
                ),
                "chaque élément de la liste est un texte entre guillemets droits : [\"…\", \"…\"]",
            ),
            TomlMsg::MapValue { table, key, found } => texts(
                format!(
                    "wrong type for `{key}` in [{table}]: expected a string, found {}",
                    found.words()[0]
                ),
                format!(
                    "write {key} = \"…\": text between double quotes, or \"\"\" for several lines"
                ),
                format!(
                    "type incorrect pour `{key}` dans [{table}] : un texte est attendu, pas {}",
                    found.words()[1]
                ),
                format!(
                    "écrivez {key} = \"…\" : un texte entre guillemets droits, ou entre \"\"\" \
                     s'il tient sur plusieurs lignes"
                ),
            ),
            TomlMsg::WrongType {
                key,
                expected,
                found,
            } => wrong_type(key, *expected, *found),
            _ => unreachable!("syntax messages are rendered by texts()"),
        }
    }
}

fn wrong_type(key: &str, expected: Expected, found: Found) -> [Text; 2] {
    let (en_expected, fr_expected, en_help, fr_help) = match expected {
        Expected::Str => (
            "a string",
            "un texte",
            format!(
                "put the text between double quotes: {key} = \"…\", or \"\"\" for several lines"
            ),
            format!(
                "mettez le texte entre guillemets droits : {key} = \"…\", ou entre \"\"\" s'il \
                 tient sur plusieurs lignes"
            ),
        ),
        Expected::Bool => (
            "a boolean",
            "true ou false",
            format!("write {key} = true or {key} = false, without quotes"),
            format!("écrivez {key} = true ou {key} = false, sans guillemets"),
        ),
        Expected::StrList => (
            "a list of strings",
            "une liste de textes",
            format!("write a list like {key} = [\"…\", \"…\"]"),
            format!("écrivez une liste comme {key} = [\"…\", \"…\"]"),
        ),
        Expected::Table => (
            "a table",
            "une table",
            format!("write [{key}] on its own line, then its keys below it"),
            format!("écrivez [{key}] seul sur sa ligne, puis ses clés en dessous"),
        ),
        Expected::TableList => (
            "a list of tables",
            "une liste de tables",
            format!("write [[{key}]] on its own line before each item, then its keys"),
            format!("écrivez [[{key}]] seul sur sa ligne avant chaque élément, puis ses clés"),
        ),
    };
    texts(
        format!(
            "wrong type for `{key}`: expected {en_expected}, found {}",
            found.words()[0]
        ),
        en_help,
        format!(
            "type incorrect pour `{key}` : {fr_expected} est attendu, pas {}",
            found.words()[1]
        ),
        fr_help,
    )
}

/// A table as named in messages: "this fiche" / "cette fiche", "[[how]]".
fn whose(table: &str, top: bool) -> [String; 2] {
    if !top {
        return [table.to_string(), table.to_string()];
    }
    let fr = match table {
        "fiche" => "cette fiche".to_string(),
        "page" => "cette page".to_string(),
        "sommaire" => "ce sommaire".to_string(),
        other => format!("ce fichier {other}"),
    };
    [format!("this {table}"), fr]
}

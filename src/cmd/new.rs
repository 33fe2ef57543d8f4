//! `livret new "Titre"`: scaffolds a fiche (or a page with `--page`) in the right folder, named
//! so it sorts last there (`NN-slug.toml`, slug folded from the title), with every section
//! present and short French comments saying what goes where. Owns the scaffold templates and the
//! choice of folder and file name; never overwrites a file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::booklet::RESERVED_SLUGS;
use crate::error::{Error, Result};
use crate::source::fiche::Doc;
use crate::source::walk::{self, FICHES_DIR, Node, PART_FILE};
use crate::text::slug;

/// What `livret new` is asked to create.
#[derive(Debug, Clone)]
pub struct NewOptions {
    pub root: PathBuf,
    pub title: String,
    /// The part folder (`10-repenser`, `repenser` or `fiches/10-repenser`); default: the last
    /// part for a fiche, the top of `fiches/` for a page.
    pub part: Option<String>,
    /// An unnumbered page instead of a fiche.
    pub page: bool,
}

/// What `livret new` wrote.
#[derive(Debug, Clone)]
pub struct Created {
    pub path: PathBuf,
    pub slug: String,
    /// The fiche's number once built ("Bonne pratique n°N"), for a fiche.
    pub number: Option<u32>,
}

/// Writes the new file. Refuses to overwrite, and refuses a slug another file already has.
pub fn create(options: &NewOptions) -> Result<Created> {
    let title = options.title.trim();
    if title.is_empty() {
        return Err(Error::Usage(
            "the title is empty: livret new \"Titre de la fiche\"".into(),
        ));
    }
    if title.contains(['\n', '\r']) {
        return Err(Error::Usage("the title must fit on one line".into()));
    }
    // Cut at a word boundary: a long title still gives a slug `check` accepts.
    let slug = slug::shorten_slug(&slug::slugify(title));
    if slug.is_empty() {
        return Err(Error::Usage(format!(
            "cannot make a file name from \"{title}\": use letters or digits in the title"
        )));
    }
    let fiches = options.root.join(FICHES_DIR);
    if !fiches.is_dir() {
        return Err(Error::Usage(format!(
            "no {} folder: run livret new from a booklet folder, or pass --root DIR",
            fiches.display()
        )));
    }
    let parts = part_dirs(&fiches)?;
    let dir = match (&options.part, options.page) {
        (Some(wanted), _) => find_part(&parts, wanted)?,
        (None, true) => fiches.clone(),
        (None, false) => parts.last().cloned().ok_or_else(|| {
            Error::Usage(format!(
                "no part folder in {}: a numbered fiche lives in a part (create {}/10-name/ \
                 with a {PART_FILE}), or make a page with --page",
                fiches.display(),
                fiches.display()
            ))
        })?,
    };

    if RESERVED_SLUGS.contains(&slug.as_str()) {
        return Err(Error::Usage(format!(
            "the slug `{slug}` is reserved for a page livret writes: choose another title"
        )));
    }
    if let Some(crate::text::ids::Clash { id, owner }) = crate::text::ids::slug_clash(&slug, false)
    {
        return Err(Error::Usage(format!(
            "the title gives the slug `{slug}`, whose id `{id}` livret also gives to {}: \
             choose another title",
            crate::message::owner_words(&owner)[0]
        )));
    }
    let loaded = walk::fiches_lenient(&options.root)?;
    if let Some(other) = slug_owner(&loaded, &slug) {
        return Err(Error::Usage(format!(
            "{} already has the slug `{slug}` (its page is {slug}.html): choose a more specific \
             title, e.g. \"{title} (2)\"",
            crate::error::display_path(&other).display()
        )));
    }

    let name = last_name(&dir, &slug)?;
    let path = dir.join(&name);
    let text = if options.page {
        page_template(title)
    } else {
        fiche_template(title)
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Usage(format!(
                    "{} exists already: livret new never overwrites a file",
                    path.display()
                ))
            } else {
                Error::io(&path, e)
            }
        })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(&path, e))?;

    let number = (!options.page).then(|| number_of_last_in(&loaded, &dir));
    Ok(Created { path, slug, number })
}

/// The part folders of `fiches/`, sorted as the walk sorts them.
fn part_dirs(fiches: &Path) -> Result<Vec<PathBuf>> {
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(fiches).map_err(|e| Error::io(fiches, e))? {
        let entry = entry.map_err(|e| Error::io(fiches, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            parts.push(entry.path());
        }
    }
    parts.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(parts)
}

/// The part folder named by `wanted`: its folder name, its slug, or a path ending in it.
fn find_part(parts: &[PathBuf], wanted: &str) -> Result<PathBuf> {
    let wanted = wanted.trim().trim_end_matches(['/', '\\']);
    let last = Path::new(wanted)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let found = parts.iter().find(|p| {
        p.file_name().is_some_and(|n| n.to_string_lossy() == last)
            || slug::name_slug(p) == slug::slugify(&last)
    });
    match found {
        Some(p) => Ok(p.clone()),
        None => {
            let names: Vec<String> = parts
                .iter()
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            Err(Error::Usage(format!(
                "no part folder `{wanted}` in fiches/; the parts are: {}",
                if names.is_empty() {
                    "(none)".to_string()
                } else {
                    names.join(", ")
                }
            )))
        }
    }
}

/// The file that already has `slug`, if any (entries and parts, parsed or not).
fn slug_owner(loaded: &walk::Loaded, slug: &str) -> Option<PathBuf> {
    let entry_slug = |e: &walk::LoadedEntry| {
        e.doc
            .slug()
            .map(str::to_string)
            .unwrap_or_else(|| e.name_slug.clone())
    };
    for node in &loaded.nodes {
        match node {
            Node::Entry(e) => {
                if !matches!(e.doc, Doc::Sommaire(_)) && entry_slug(e) == slug {
                    return Some(e.source.path.clone());
                }
            }
            Node::Part(p) => {
                if p.part.slug.clone().unwrap_or_else(|| p.name_slug.clone()) == slug {
                    return Some(p.source.path.clone());
                }
                if let Some(e) = p.entries.iter().find(|e| entry_slug(e) == slug) {
                    return Some(e.source.path.clone());
                }
            }
        }
    }
    if loaded.broken_slugs.iter().any(|s| s == slug) {
        return Some(PathBuf::from(FICHES_DIR));
    }
    None
}

/// `NN-slug.toml`, with NN one more than the largest number in `dir`, so it sorts last there.
fn last_name(dir: &Path, slug: &str) -> Result<String> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == PART_FILE {
            continue;
        }
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir || name.ends_with(".toml") {
            names.insert(name);
        }
    }
    // The name that sorts last decides: one more than its number, at its width.
    let Some(last) = names.iter().next_back() else {
        return Ok(format!("01-{slug}.toml"));
    };
    let digits: String = last.chars().take_while(char::is_ascii_digit).collect();
    let candidate = digits
        .parse::<u64>()
        .ok()
        .map(|n| format!("{:0width$}-{slug}.toml", n + 1, width = digits.len()));
    match candidate {
        Some(name) if name.as_str() > last.as_str() => Ok(name),
        _ => Err(Error::Usage(format!(
            "cannot name the new file so that it comes after `{last}` in {}: rename the files \
             there with number prefixes that leave room (01-, 02-, …)",
            dir.display()
        ))),
    }
}

/// The number the last fiche of `dir` will get: fiches of every earlier part, plus those of
/// `dir` (the new one included).
fn number_of_last_in(loaded: &walk::Loaded, dir: &Path) -> u32 {
    let mut count = 0u32;
    for node in &loaded.nodes {
        if let Node::Part(p) = node {
            count += p
                .entries
                .iter()
                .filter(|e| matches!(e.doc, Doc::Fiche(_)))
                .count() as u32;
            if p.source.path.parent() == Some(dir) {
                break;
            }
        }
    }
    count + 1
}

/// A TOML basic string holding `text`.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The scaffold of a numbered fiche: every section, with example text that `livret check`
/// refuses until it is replaced (`lint::PLACEHOLDERS`), and comments in French.
pub fn fiche_template(title: &str) -> String {
    format!(
        r#"# Fiche créée par « livret new ». Remplacez les textes d'exemple par les vôtres,
# supprimez les sections dont vous n'avez pas besoin, puis lancez « livret check » :
# il signale chaque texte d'exemple qui reste.
# Les textes sont en Markdown : **gras**, *italique*, [lien](https://…), listes avec « - ».
# Écrivez simplement ' ... « guillemets » 1er XVIe : la typographie est faite pour vous.
# Le numéro (« Bonne pratique n° … ») vient de la place du fichier : ne l'écrivez pas.

title = {title}
example = "L'exemple de la ville de …, pays"      # l'exemple présenté, sous le titre
tagline = "une accroche courte !"                # accroche, après l'exemple
# slug = "mon-adresse"                           # adresse de la page (par défaut : le nom du fichier)

# EN BREF : le contexte et l'idée, en quelques phrases.
summary = """
Le contexte, le problème rencontré, et l'idée mise en œuvre. Une note de bas de page se
cite ainsi[^source].
"""

# CHIFFRES CLÉS : un bloc [[figures]] par chiffre (supprimez-les s'il n'y en a pas).
[[figures]]
value = "1 000"                    # le chiffre (facultatif : sans lui, label est une phrase)
label = "habitants concernés"      # ce que le chiffre compte

# COMMENT ? : une sous-partie par bloc [[how]], avec un intertitre facultatif.
# Pour renvoyer vers une autre fiche : [texte du lien](@riace), « riace » étant son adresse.
[[how]]
heading = "Une première étape"
body = """
Ce qui a été fait, par qui, avec quels moyens.
"""

# CITATIONS : at = "summary" (en bref), "how" (comment ?) ou "outcome" (bilan) dit où
# la citation s'affiche.
[[quotes]]
text = "Ce que la personne a dit, entre guillemets droits."
author = "Prénom Nom"              # facultatif
role = "sa fonction"               # facultatif
at = "how"

# ENCADRÉS : un témoignage ou une précision, dans un cadre ; at comme pour les citations.
[[asides]]
title = "Témoignage"               # facultatif
body = "Le texte de l'encadré."
at = "outcome"

# BILAN : ce que cela a changé, les limites, la suite.
[outcome]
headline = "Le résultat en une phrase !"      # facultatif
body = """
Les résultats obtenus et ce qu'il reste à faire.
"""

# À RETENIR : les idées à emporter, une par ligne, chacune entre guillemets.
[takeaways]
# intro = "Une phrase d'introduction (facultative)."
items = [
  "Une première idée à retenir",
  "Une deuxième idée à retenir",
]

# POUR ALLER PLUS LOIN… : un bloc [[links]] par ressource ; label, url, ou les deux.
[[links]]
label = "Nom du site ou du document"
url = "https://www.example.org"

# NOTES DE BAS DE PAGE : définies ici (nom = "texte"), citées dans le texte par [^nom].
# Une note définie doit être citée, et une note citée doit être définie.
[notes]
source = "La source de l'information, avec sa date."
"#,
        title = toml_string(title)
    )
}

/// The scaffold of an unnumbered page.
pub fn page_template(title: &str) -> String {
    format!(
        r#"# Page créée par « livret new --page » : une page sans numéro (présentation,
# introduction, contacts…). Remplacez les textes d'exemple, puis lancez « livret check ».
# Les textes sont en Markdown : **gras**, *italique*, [lien](https://…), ## intertitre.

kind = "page"
title = {title}
kicker = "Surtitre"                # petit texte au-dessus du titre (facultatif)
toc = true                         # la page figure dans le sommaire (false pour l'en retirer)
# slug = "mon-adresse"             # adresse de la page (par défaut : le nom du fichier)

# CHAPEAU : quelques lignes mises en valeur au début de la page (facultatif).
lead = """
L'essentiel de la page en deux ou trois phrases.
"""

# TEXTE : le corps de la page.
body = """
## Un intertitre

Le texte de la page. Une note de bas de page se cite ainsi[^source].
"""

# NOTES DE BAS DE PAGE : définies ici (nom = "texte"), citées dans le texte par [^nom].
[notes]
source = "La source de l'information, avec sa date."
"#,
        title = toml_string(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TestResult;
    use crate::source::{Source, fiche};

    #[test]
    fn templates_parse_with_every_section() -> TestResult {
        let text = fiche_template("São Paulo : « l'accueil » \"cité\"");
        let source = Source::new("f.toml", &text);
        assert!(crate::source::schema::check_entry(&source).is_empty());
        let Doc::Fiche(f) = fiche::parse(&source)? else {
            return Err("not a fiche".into());
        };
        assert_eq!(f.title, "São Paulo : « l'accueil » \"cité\"");
        assert!(f.summary.is_some() && f.outcome.is_some() && f.takeaways.is_some());
        assert_eq!(
            (
                f.figures.len(),
                f.how.len(),
                f.quotes.len(),
                f.asides.len(),
                f.links.len(),
                f.notes.len()
            ),
            (1, 1, 1, 1, 1, 1)
        );
        let text = page_template("Contacts");
        let source = Source::new("f.toml", &text);
        assert!(crate::source::schema::check_entry(&source).is_empty());
        assert!(matches!(fiche::parse(&source)?, Doc::Page(_)));
        Ok(())
    }

    #[test]
    fn every_placeholder_is_in_a_template() {
        let both = fiche_template("T") + &page_template("T");
        for placeholder in crate::lint::PLACEHOLDERS {
            assert!(both.contains(placeholder), "{placeholder}");
        }
    }

    #[test]
    fn the_scaffold_of_livret_new_is_refused_until_replaced() {
        let text = fiche_template("Lyon");
        let source = crate::source::Source::new("f.toml", &text);
        let found = crate::lint::entry(&source, &[], false);
        assert!(found.len() >= 10, "{}", found.len());
        assert!(
            found
                .iter()
                .all(|d| d.severity == crate::error::Severity::Error)
        );
        let page = page_template("Contacts");
        assert!(
            !crate::lint::entry(&crate::source::Source::new("p.toml", &page), &[], false)
                .is_empty()
        );
    }

    #[test]
    fn names_sort_last() -> TestResult {
        let dir = tempfile::tempdir()?;
        assert_eq!(last_name(dir.path(), "a")?, "01-a.toml");
        for name in ["01-x.toml", "03b-y.toml", "_part.toml", "notes.md"] {
            std::fs::write(dir.path().join(name), "")?;
        }
        assert_eq!(last_name(dir.path(), "lyon")?, "04-lyon.toml");
        std::fs::write(dir.path().join("009-z.toml"), "")?;
        assert_eq!(last_name(dir.path(), "lyon")?, "04-lyon.toml");
        std::fs::write(dir.path().join("099-z.toml"), "")?;
        assert_eq!(last_name(dir.path(), "lyon")?, "100-lyon.toml");
        std::fs::write(dir.path().join("99-z.toml"), "")?;
        assert!(
            last_name(dir.path(), "lyon").is_err(),
            "100 sorts before 99"
        );
        std::fs::write(dir.path().join("zz.toml"), "")?;
        assert!(last_name(dir.path(), "lyon").is_err());
        Ok(())
    }
}

//! The authoring loop of a fork, through the real binary: `livret check` (every error kind,
//! located, with help; all problems in one run; exit codes; JSON), `livret build` refusing to
//! write on errors, `livret new`, and `livret serve` over real HTTP (rebuild, live reload,
//! overlay, last good build kept, path traversal refused), plus the print preview in Chromium.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::support::*;

const CONFIG: &str = "title = \"Guide\"\n";
const PART: &str = "title = \"Partie\"\n";
const GOOD: &str = "title = \"Bonne\"\nsummary = \"Un texte.\"\n";

/// A small valid booklet (one part, one fiche) plus `extra` files.
fn folder(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        ("livret.toml", CONFIG),
        ("fiches/10-partie/_part.toml", PART),
        ("fiches/10-partie/01-bonne.toml", GOOD),
    ];
    files.extend_from_slice(extra);
    project(&files)
}

/// Runs `livret check`, expects exit code 1, returns stderr.
fn check_errors(dir: &Path) -> String {
    let out = livret(dir, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(!dir.join("out").exists(), "check must not write out/");
    err
}

/// Asserts that `text` contains `block` verbatim.
fn assert_has(text: &str, block: &str) {
    assert!(
        text.contains(block),
        "expected:\n{block}\n--- in ---\n{text}"
    );
}

/// The `path:line:col: error: message` lines of a human report, in order (`erreur :` in a
/// French booklet).
fn headlines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": erreur : "))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// livret check: one test per error kind

#[test]
fn check_unknown_key_suggests_the_closest_and_lists_allowed_keys() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "# Lyon\ntitel = \"Lyon\"\nsummary = \"Un texte.\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:2:1: error: unknown key `titel`\n  |\n2 | titel = \"Lyon\"\n  \
         | ^\nhelp: did you mean `title`? allowed keys here: kind, slug, title, example, tagline, \
         summary, figures, how, quotes, asides, outcome, takeaways, links, notes\n",
    );
    // The typo already says what is missing: no second "missing title" for the same mistake.
    assert_eq!(headlines(&err).len(), 1, "{err}");
}

#[test]
fn check_wrong_type_says_which_type_is_expected() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\nsummary = 2024\n\n[takeaways]\nitems = \"une idée\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:2:11: error: wrong type for `summary`: expected a string, \
         found an integer\n  |\n2 | summary = 2024\n  |           ^\nhelp: put the text between \
         double quotes: summary = \"…\", or \"\"\" for several lines\n",
    );
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:5:9: error: wrong type for `items`: expected a list of \
         strings, found a string\n  |\n5 | items = \"une idée\"\n  |         ^\nhelp: write a list \
         like items = [\"…\", \"…\"]\n",
    );
}

#[test]
fn check_missing_required_keys_point_at_their_table() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "summary = \"Un texte.\"\n\n[[how]]\nheading = \"Étape\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:1:1: error: missing required key `title` in this fiche\n  \
         |\n1 | summary = \"Un texte.\"\n  | ^\nhelp: add `title = \"…\"` to this fiche\n",
    );
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:3:1: error: missing required key `body` in [[how]]\n  \
         |\n3 | [[how]]\n  | ^\nhelp: add `body = \"…\"` to [[how]]\n",
    );
}

#[test]
fn check_duplicate_slug_names_both_files() {
    let dir = folder(&[(
        "fiches/10-partie/02-autre.toml",
        "title = \"Autre\"\nslug = \"bonne\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-autre.toml:2:1: error: duplicate slug `bonne`: \
         fiches/10-partie/01-bonne.toml has the same one\n  |\n2 | slug = \"bonne\"\n  | ^\n\
         help: both fiches/10-partie/01-bonne.toml and fiches/10-partie/02-autre.toml would be \
         written to bonne.html: rename one file or set slug = \"…\" in one of them\n",
    );
}

#[test]
fn check_note_cited_but_not_defined() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\nsummary = \"Un accueil[^sourse] réussi.\"\n\n[notes]\nsource = \"Mairie.\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:2:22: error: note `sourse` is cited but not defined\n  |\n\
         2 | summary = \"Un accueil[^sourse] réussi.\"\n  |                      ^\nhelp: did you \
         mean [^source]? Or define it under [notes]\n",
    );
}

#[test]
fn check_note_defined_but_never_cited() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\nsummary = \"Un texte.\"\n\n[notes]\nsource = \"Mairie.\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:5:1: error: note `source` is defined but never cited\n  \
         |\n5 | source = \"Mairie.\"\n  | ^\nhelp: cite it with [^source] where it belongs, or \
         remove it from [notes]\n",
    );
}

#[test]
fn check_malformed_url() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\n\n[[links]]\nlabel = \"Mairie\"\nurl = \"https://www.lyon .fr\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:5:8: error: `https://www.lyon .fr` is not a well-formed \
         URL\n  |\n5 | url = \"https://www.lyon .fr\"\n  |        ^\nhelp: write it as \
         https://domain.tld/path, without spaces\n",
    );
}

#[test]
fn check_link_to_a_fiche_that_does_not_exist() {
    let dir = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\nsummary = \"Comme à [Bonne](@bone).\"\n",
    )]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/02-lyon.toml:2:28: error: link to an unknown fiche `@bone`\n  |\n\
         2 | summary = \"Comme à [Bonne](@bone).\"\n  |                            ^\nhelp: did you \
         mean @bonne?\n",
    );
}

#[test]
fn check_reports_parts_livret_toml_and_syntax_errors() {
    let dir = project(&[
        (
            "livret.toml",
            "title = \"Guide\"\npage_size = \"A6\"\nallow_html = \"non\"\n",
        ),
        ("fiches/10-partie/_part.toml", "titre = \"Partie\"\n"),
        ("fiches/10-partie/01-bonne.toml", GOOD),
        (
            "fiches/10-partie/02-casse.toml",
            "title = \"Cassé\nsummary = \"Un texte.\"\n",
        ),
        ("fiches/20-vide/01-seule.toml", GOOD),
    ]);
    let err = check_errors(dir.path());
    assert_has(
        &err,
        "fiches/10-partie/_part.toml:1:1: error: unknown key `titre`\n  |\n1 | titre = \
         \"Partie\"\n  | ^\nhelp: did you mean `title`? allowed keys here: title, intro, slug\n",
    );
    assert_has(
        &err,
        "livret.toml:2:13: error: `page_size` cannot be \"A6\"\n  |\n2 | page_size = \"A6\"\n  |  \
         \x20          ^\nhelp: did you mean \"A5\"? allowed values: \"A5\", \"A4\", \"letter\"\n",
    );
    assert_has(
        &err,
        "livret.toml:3:14: error: wrong type for `allow_html`: expected a boolean, found a \
         string\n",
    );
    assert_has(
        &err,
        "help: write allow_html = true or allow_html = false, without quotes\n",
    );
    assert_has(
        &err,
        "fiches/10-partie/02-casse.toml:1:15: error: invalid basic string, expected `\"`\n",
    );
    assert_has(
        &err,
        "fiches/20-vide:1:1: error: this part folder has no _part.toml\n",
    );
    assert_has(
        &err,
        "help: add a _part.toml with the part's title: title = \"…\"",
    );
}

#[test]
fn check_reports_theme_errors_found_while_rendering() {
    // A template that compiles but fails when rendered (Tera 2: undefined variables are
    // errors): only rendering every page finds it, and check does render, in memory.
    let dir = folder(&[
        ("livret.toml", "title = \"Guide\"\ntheme = \"maison\"\n"),
        (
            "themes/maison/templates/partials/page.html",
            "<article>{{ entry.titre }}</article>\n",
        ),
        (
            "fiches/00-accueil.toml",
            "kind = \"page\"\ntitle = \"Accueil\"\n",
        ),
    ]);
    let err = check_errors(dir.path());
    let lines = headlines(&err);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("themes/maison/templates/")
                && l.contains(": error: template error:")),
        "{err}"
    );
    assert_has(&err, "help: fix the template");
    // A template that does not even compile is reported by the theme loader.
    let dir = folder(&[
        ("livret.toml", "title = \"Guide\"\ntheme = \"maison\"\n"),
        ("themes/maison/templates/partials/page.html", "{% if %}\n"),
    ]);
    let err = check_errors(dir.path());
    assert_has(&err, ": error: template error:");
}

#[test]
fn check_reports_every_problem_of_several_bad_fiches_in_one_run() {
    let dir = project(&[
        ("livret.toml", "titel = \"Guide\"\n"),
        ("fiches/10-partie/_part.toml", PART),
        ("fiches/10-partie/01-bonne.toml", GOOD),
        (
            "fiches/10-partie/02-a.toml",
            "titel = \"A\"\nsumary = \"x\"\n[[figures]]\nvalue = 3\n",
        ),
        (
            "fiches/10-partie/03-b.toml",
            "title = \"B\"\nsummary = \"Voir [A](@a) et [C](@c)[^n].\"\n[[links]]\nurl = \"https://x .org\"\n",
        ),
        (
            "fiches/10-partie/04-c.toml",
            "title = \"C\"\nslug = \"bonne\"\n",
        ),
        (
            "fiches/10-partie/05-d.toml",
            "kind = \"pgae\"\ntitle = \"D\"\n",
        ),
        (
            "fiches/10-partie/06-e.toml",
            "title = \"E\"\n[[quotes]]\ntext = \"Q\"\nat = \"bilan\"\n",
        ),
        (
            "fiches/10-partie/07-f.toml",
            "title = \"F\"\n[notes]\nz = \"Z\"\n",
        ),
    ]);
    let err = check_errors(dir.path());
    let expected = [
        "fiches/10-partie/02-a.toml:1:1: error: unknown key `titel`",
        "fiches/10-partie/02-a.toml:2:1: error: unknown key `sumary`",
        "fiches/10-partie/02-a.toml:3:1: error: missing required key `label` in [[figures]]",
        "fiches/10-partie/02-a.toml:4:9: error: wrong type for `value`: expected a string, found an integer",
        "fiches/10-partie/03-b.toml:2:32: error: link to an unknown fiche `@c`",
        "fiches/10-partie/03-b.toml:2:35: error: note `n` is cited but not defined",
        "fiches/10-partie/03-b.toml:4:8: error: `https://x .org` is not a well-formed URL",
        "fiches/10-partie/04-c.toml:2:1: error: duplicate slug `bonne`: fiches/10-partie/01-bonne.toml has the same one",
        "fiches/10-partie/05-d.toml:1:8: error: unknown kind \"pgae\"",
        "fiches/10-partie/06-e.toml:4:6: error: `at` cannot be \"bilan\"",
        "fiches/10-partie/07-f.toml:3:1: error: note `z` is defined but never cited",
        "livret.toml:1:1: error: unknown key `titel`",
    ];
    assert_eq!(headlines(&err), expected, "{err}");
    // `@a` links to a fiche that is broken, not missing: no false "unknown fiche".
    assert!(!err.contains("`@a`"), "{err}");
    assert!(
        err.trim_end()
            .ends_with("livret: 12 errors — nothing was written"),
        "{err}"
    );
}

#[test]
fn check_exit_codes_and_json_lines() {
    let good = folder(&[]);
    let out = livret_ok(good.path(), &["check"]);
    assert_eq!(
        stdout(&out),
        "livret: ok — 1 fiches, 1 parts, 1 entries checked\n"
    );

    let bad = folder(&[(
        "fiches/10-partie/02-lyon.toml",
        "titel = \"Lyon\"\nsummary = 1\n",
    )]);
    let out = livret(bad.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    assert_eq!(lines[0]["path"], "fiches/10-partie/02-lyon.toml");
    assert_eq!(
        (lines[0]["line"].as_u64(), lines[0]["col"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(lines[0]["message"], "unknown key `titel`");
    assert!(
        lines[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `title`?")
    );
    assert_eq!(
        (lines[1]["line"].as_u64(), lines[1]["col"].as_u64()),
        (Some(2), Some(11))
    );

    // Usage errors: exit code 2, for people and for editors.
    let empty = project(&[("notes.txt", "")]);
    let out = livret(empty.path(), &["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no livret.toml in"),
        "{}",
        stderr(&out)
    );
    let out = livret(empty.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(v["message"].as_str().unwrap().contains("no livret.toml"));
    let out = livret(good.path(), &["check", "--frmat", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let no_fiches = project(&[("livret.toml", CONFIG)]);
    assert_eq!(livret(no_fiches.path(), &["check"]).status.code(), Some(2));
}

#[test]
fn build_runs_the_same_checks_and_writes_nothing_on_errors() {
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    let before = tree_hash(&dir.path().join("out"));
    assert!(!before.is_empty());
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let text = std::fs::read_to_string(&riace).unwrap();
    std::fs::write(&riace, format!("titel = \"oups\"\n{text}")).unwrap();
    write(
        dir.path(),
        "fiches/20-co-construire/11-lyon.toml",
        "title = \"Lyon\"\nsummary = \"[x](@nulle-part)\"\n",
    );

    let check = livret(dir.path(), &["check"]);
    let build = livret(dir.path(), &["build"]);
    assert_eq!(build.status.code(), Some(1));
    assert_eq!(
        stderr(&build),
        stderr(&check),
        "build reports what check reports"
    );
    assert_eq!(headlines(&stderr(&build)).len(), 2, "{}", stderr(&build));
    assert!(stderr(&build).contains("rien n'a été écrit"));
    assert!(stdout(&build).is_empty());
    assert_eq!(tree_hash(&dir.path().join("out")), before, "out/ changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---------------------------------------------------------------------------------------------
// livret new

/// The sommaire of `out/index.html`: (href, kicker, title) of every entry, in order.
fn sommaire(dir: &Path) -> Vec<(String, String, String)> {
    let doc = html(&dir.join("out/index.html"));
    let link = scraper::Selector::parse("a.toc-link").unwrap();
    let kicker = scraper::Selector::parse(".toc-kicker").unwrap();
    let title = scraper::Selector::parse(".toc-title").unwrap();
    let text = |e: Option<scraper::ElementRef>| {
        e.map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
    };
    doc.select(&link)
        .map(|a| {
            (
                a.value().attr("href").unwrap_or_default().to_string(),
                text(a.select(&kicker).next()),
                text(a.select(&title).next()),
            )
        })
        .collect()
}

/// The example texts `livret new` writes, and what a volunteer writes instead.
const SCAFFOLD_TEXTS: [(&str, &str); 13] = [
    (
        "L'exemple de la ville de …, pays",
        "L'exemple de la ville de Lyon, France",
    ),
    ("une accroche courte !", "une ville qui accueille !"),
    (
        "Le contexte, le problème rencontré, et l'idée mise en œuvre.",
        "La ville ouvre un lieu d'accueil.",
    ),
    (
        "Ce qui a été fait, par qui, avec quels moyens.",
        "La mairie et les associations.",
    ),
    (
        "Ce que la personne a dit, entre guillemets droits.",
        "Nous avons ouvert nos portes.",
    ),
    ("Le texte de l'encadré.", "Un témoignage."),
    (
        "Le résultat en une phrase !",
        "Cent personnes accueillies !",
    ),
    (
        "Les résultats obtenus et ce qu'il reste à faire.",
        "Le lieu reste ouvert.",
    ),
    ("Une première idée à retenir", "Accueillir s'organise"),
    ("Nom du site ou du document", "Le site de la ville"),
    (
        "La source de l'information, avec sa date.",
        "Rapport municipal, 2024.",
    ),
    (
        "L'essentiel de la page en deux ou trois phrases.",
        "Les mentions légales.",
    ),
    ("Le texte de la page.", "Éditeur : la ville."),
];

/// `livret check` refuses a fresh scaffold, naming its example texts; replaced, it passes.
fn fill_in_scaffold(dir: &Path, file: &Path) {
    let out = livret(dir, &["check"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a fresh scaffold passed check:\n{err}"
    );
    assert!(
        err.contains("est le texte d'exemple de livret new")
            || err.contains("is the example text of livret new"),
        "{err}"
    );
    let mut text = std::fs::read_to_string(file).unwrap();
    for (example, real) in SCAFFOLD_TEXTS {
        text = text.replace(example, real);
    }
    std::fs::write(file, text).unwrap();
}

#[test]
fn new_fiche_passes_check_builds_and_takes_its_place_in_the_sommaire() {
    let dir = guide_copy();
    let out = livret_ok(
        dir.path(),
        &[
            "new",
            "Accueillir à Lyon : « la Ville »",
            "--part",
            "10-repenser",
        ],
    );
    let path = dir
        .path()
        .join("fiches/10-repenser/06-accueillir-a-lyon-la-ville.toml");
    assert!(path.is_file(), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with(
            "livret: created fiches/10-repenser/06-accueillir-a-lyon-la-ville.toml — fiche n°6"
        ),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("title = \"Accueillir à Lyon : « la Ville »\"\n"),
        "{text}"
    );
    for section in [
        "summary = ",
        "[[figures]]",
        "[[how]]",
        "[[quotes]]",
        "[[asides]]",
        "[outcome]",
        "[takeaways]",
        "[[links]]",
        "[notes]",
        "# EN BREF",
        "# BILAN",
        "# À RETENIR",
    ] {
        assert!(text.contains(section), "no {section} in:\n{text}");
    }

    fill_in_scaffold(dir.path(), &path);
    livret_ok(dir.path(), &["check"]);
    livret_ok(dir.path(), &["build"]);
    let toc = sommaire(dir.path());
    let at = toc
        .iter()
        .position(|(href, _, _)| href == "accueillir-a-lyon-la-ville.html")
        .unwrap_or_else(|| panic!("not in the sommaire: {toc:?}"));
    assert_eq!(toc[at].1, "Bonne pratique n° 6");
    assert_eq!(toc[at].2, "Accueillir à Lyon : « la Ville »");
    assert_eq!(toc[at - 1].0, "villes-sanctuaires.html");
    assert_eq!(toc[at - 1].1, "Bonne pratique n° 5");
    assert_eq!(toc[at + 1].0, "grande-synthe.html");
    assert_eq!(
        toc[at + 1].1,
        "Bonne pratique n° 7",
        "later fiches are renumbered"
    );
    let page = html(&dir.path().join("out/accueillir-a-lyon-la-ville.html"));
    assert!(
        texts(&page, "h1")
            .iter()
            .any(|t| t.contains("Accueillir à Lyon")),
        "{:?}",
        texts(&page, "h1")
    );
}

#[test]
fn new_defaults_folds_accents_and_refuses_to_overwrite() {
    let dir = folder(&[
        ("fiches/20-suite/_part.toml", "title = \"Suite\"\n"),
        ("fiches/20-suite/03b-x.toml", "title = \"X\"\n"),
        ("fiches/90-fin.toml", "kind = \"page\"\ntitle = \"Fin\"\n"),
    ]);
    // No --part: the last part; the number after the last name there.
    let out = livret_ok(dir.path(), &["new", "São Paulo"]);
    assert!(stdout(&out).contains("fiche n°3"), "{}", stdout(&out));
    let fiche = dir.path().join("fiches/20-suite/04-sao-paulo.toml");
    // A page goes at the top of fiches/, after everything there.
    livret_ok(dir.path(), &["new", "Mentions légales", "--page"]);
    let page = dir.path().join("fiches/91-mentions-legales.toml");
    assert!(
        std::fs::read_to_string(&page)
            .unwrap()
            .contains("kind = \"page\"")
    );
    fill_in_scaffold(dir.path(), &fiche);
    fill_in_scaffold(dir.path(), &page);
    livret_ok(dir.path(), &["check"]);
    let first = std::fs::read(&fiche).unwrap();

    // The same title again: its slug is taken, nothing is written.
    let out = livret(dir.path(), &["new", "Sao  PAULO", "--part", "suite"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("fiches/20-suite/04-sao-paulo.toml already has the slug `sao-paulo`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&fiche).unwrap(), first);
    assert!(
        !dir.path()
            .join("fiches/20-suite/05-sao-paulo.toml")
            .exists()
    );
    let out = livret(dir.path(), &["new", "Lyon", "--part", "30-nulle"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the parts are: 10-partie, 20-suite"),
        "{}",
        stderr(&out)
    );
    let out = livret(dir.path(), &["new", "  !!  "]);
    assert_eq!(out.status.code(), Some(2));
    let before = tree_hash(&dir.path().join("fiches"));
    assert_eq!(livret(dir.path(), &["new", "index"]).status.code(), Some(2));
    assert_eq!(tree_hash(&dir.path().join("fiches")), before);
}

/// Decision (docs/format.md): files and folders whose names start with a dot are skipped, even
/// broken — editors' swap and lock files (`.x.toml.swp`, `.#x.toml`), macOS `._x.toml`
/// companions, a `.brouillon/` folder.
#[test]
fn hidden_files_and_folders_are_skipped_even_broken() {
    let dir = folder(&[
        ("fiches/10-partie/.brouillon.toml", "title = \"pas fini\n"),
        ("fiches/10-partie/._01-bonne.toml", "\u{0}\u{5}Mac OS X"),
        ("fiches/.ancien/01-vieux.toml", "titre = 3\n"),
    ]);
    let out = livret_ok(dir.path(), &["check"]);
    let said = stdout(&out) + &stderr(&out);
    assert!(said.contains("1 fiches"), "{said}");
}

#[test]
fn new_cuts_a_long_title_s_slug_at_a_word_and_check_accepts_it() {
    let dir = folder(&[]);
    // 300 characters of title: more than a file name can hold.
    let title = "Accueillir dignement ".repeat(15);
    let out = livret_ok(dir.path(), &["new", title.trim()]);
    let created: Vec<String> = std::fs::read_dir(dir.path().join("fiches/10-partie"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("02-"))
        .collect();
    assert_eq!(created.len(), 1, "{created:?} {}", stdout(&out));
    let slug = created[0]
        .strip_prefix("02-")
        .and_then(|n| n.strip_suffix(".toml"))
        .unwrap();
    assert!(slug.len() <= 120, "{slug}");
    let full = "accueillir-dignement-".repeat(15);
    assert!(
        full.starts_with(&format!("{slug}-")),
        "cut inside a word: {slug}"
    );
    let file = dir.path().join("fiches/10-partie").join(&created[0]);
    fill_in_scaffold(dir.path(), &file);
    livret_ok(dir.path(), &["check"]);

    // A title whose slug would be a note's id is refused, nothing is written.
    let before = tree_hash(&dir.path().join("fiches"));
    let out = livret(dir.path(), &["new", "Note 2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("`note-2`"), "{}", stderr(&out));
    assert_eq!(tree_hash(&dir.path().join("fiches")), before);
}

// ---------------------------------------------------------------------------------------------
// livret serve

/// Serve tests run one at a time: they measure latencies on a small machine.
static SERVE: Mutex<()> = Mutex::new(());

/// A running `livret serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn serve(root: &Path, port: u16) -> Server {
    let mut child = Command::new(bin())
        .args(["serve", "--port", &port.to_string()])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start livret serve");
    let stdout = lines_of(child.stdout.take().unwrap());
    let stderr = lines_of(child.stderr.take().unwrap());
    let mut server = Server {
        child,
        port: 0,
        stdout,
        stderr,
    };
    let line = server.wait_stdout("serving http://127.0.0.1:", Duration::from_secs(60));
    let rest = line.split("serving http://127.0.0.1:").nth(1).unwrap();
    server.port = rest.split('/').next().unwrap().parse().unwrap();
    server
}

impl Server {
    fn wait_stdout(&self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => {
                    let err: Vec<String> = self.stderr.try_iter().collect();
                    panic!(
                        "no `{needle}` from livret serve; stderr:\n{}",
                        err.join("\n")
                    )
                }
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        request(self.port, &format!("GET {path} HTTP/1.1"))
    }
}

/// Sends one raw request line; returns status, headers and body.
fn request(port: u16, request_line: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{request_line}\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").expect("HTTP head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    (status, head.to_string(), body.to_string())
}

/// An open event stream: (event, data) pairs as they arrive.
fn events(port: u16) -> Receiver<(String, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET /__livret/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(stream);
        let (mut event, mut data) = (String::new(), String::new());
        for line in reader.lines() {
            let Ok(line) = line else { break };
            if let Some(v) = line.strip_prefix("event: ") {
                event = v.to_string();
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = v.to_string();
            } else if line.is_empty()
                && !event.is_empty()
                && tx
                    .send((std::mem::take(&mut event), std::mem::take(&mut data)))
                    .is_err()
            {
                break;
            }
        }
    });
    rx
}

/// Waits for the event named `name`, skipping others; panics after `within`.
fn wait_event(rx: &Receiver<(String, String)>, name: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((event, data)) if event == name => return data,
            Ok(_) => {}
            Err(_) => panic!("no `{name}` event within {within:?}"),
        }
    }
}

fn replace_title(file: &Path, title: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let (_, rest) = text.split_once('\n').unwrap();
    assert!(text.starts_with("title = "));
    std::fs::write(file, format!("title = \"{title}\"\n{rest}")).unwrap();
}

#[test]
fn serve_rebuilds_reloads_within_two_seconds_and_keeps_the_last_good_build() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = guide_copy();
    let server = serve(dir.path(), 0);

    let (status, head, body) = server.get("/riace.html");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("revitaliser sa ville"));
    assert!(body.contains("<script src=\"/__livret/live.js\" data-gen=\"1\"></script>\n</body>"));
    let (status, _, index) = server.get("/");
    assert_eq!(status, 200);
    assert!(index.contains("Sommaire"));

    let stream = events(server.port);
    assert_eq!(wait_event(&stream, "hello", Duration::from_secs(5)), "1");

    // An edit: rebuilt, a reload event sent, the new text served, all within 2 s.
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let edited = Instant::now();
    replace_title(&riace, "Riace, un village qui revit");
    assert_eq!(wait_event(&stream, "reload", Duration::from_secs(2)), "2");
    let reload_latency = edited.elapsed();
    let (_, _, body) = server.get("/riace.html");
    let served_latency = edited.elapsed();
    assert!(
        body.contains("Riace, un village qui revit"),
        "new text not served"
    );
    assert!(body.contains("data-gen=\"2\""));
    assert!(
        served_latency < Duration::from_secs(2),
        "{served_latency:?}"
    );
    eprintln!(
        "serve: reload event {reload_latency:?} after the edit, new page served after {served_latency:?}"
    );

    // A broken edit: diagnostics in the terminal and in the event stream; old page kept.
    let text = std::fs::read_to_string(&riace).unwrap();
    std::fs::write(&riace, format!("titel = \"oups\"\n{text}")).unwrap();
    let problems = wait_event(&stream, "problems", Duration::from_secs(2));
    let problems: serde_json::Value = serde_json::from_str(&problems).unwrap();
    let shown = problems["text"].as_str().unwrap();
    assert!(
        shown.starts_with("fiches/10-repenser/01-riace.toml:1:1: erreur : clé inconnue `titel`\n"),
        "{shown}"
    );
    assert!(shown.contains("aide : vouliez-vous dire `title` ?"));
    assert!(
        shown.ends_with("la dernière version correcte reste servie"),
        "{shown}"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    let terminal = loop {
        match server
            .stderr
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(line) if line.contains("01-riace.toml:1:1: erreur : clé inconnue `titel`") => {
                break line;
            }
            Ok(_) => {}
            Err(_) => panic!("diagnostics not printed in the terminal"),
        }
    };
    assert_eq!(
        terminal,
        "fiches/10-repenser/01-riace.toml:1:1: erreur : clé inconnue `titel`"
    );
    let (status, _, body) = server.get("/riace.html");
    assert_eq!(status, 200);
    assert!(
        body.contains("Riace, un village qui revit"),
        "last good build not served"
    );
    let (_, _, status_json) = server.get("/__livret/status");
    let status_json: serde_json::Value = serde_json::from_str(&status_json).unwrap();
    assert_eq!(status_json["problems"], true);
    assert_eq!(status_json["generation"], 2);
    // A page opened now learns about the problem at once.
    let late = events(server.port);
    assert_eq!(wait_event(&late, "hello", Duration::from_secs(5)), "2");
    wait_event(&late, "problems", Duration::from_secs(2));

    // Fixed: reloads again.
    std::fs::write(&riace, text).unwrap();
    assert_eq!(wait_event(&stream, "reload", Duration::from_secs(2)), "3");

    // Serving never writes the reload script into out/.
    for (name, bytes) in tree_hash(&dir.path().join("out")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("__livret"),
            "{name} holds the reload script"
        );
    }
}

#[test]
fn serve_refuses_path_traversal_and_serves_only_the_output_folder() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = guide_copy();
    let server = serve(dir.path(), 0);
    let secret = std::fs::read_to_string(dir.path().join("livret.toml")).unwrap();
    for target in [
        "/../livret.toml",
        "/%2e%2e/livret.toml",
        "/%2E%2E%2Flivret.toml",
        "/fonts/../../livret.toml",
        "/..%5clivret.toml",
        "/fiches/../../livret.toml",
    ] {
        let (status, _, body) = request(server.port, &format!("GET {target} HTTP/1.1"));
        assert_eq!(status, 403, "{target}");
        assert!(!body.contains(&secret[..20]), "{target} leaked livret.toml");
    }
    // A symbolic link inside out/ that leads outside is not followed.
    std::os::unix::fs::symlink(
        dir.path().join("livret.toml"),
        dir.path().join("out/secret.html"),
    )
    .unwrap();
    let (status, _, body) = server.get("/secret.html");
    assert_eq!(status, 404);
    assert!(!body.contains(&secret[..20]));
    // Project files are not served: only out/.
    assert_eq!(server.get("/livret.toml").0, 404);
    assert_eq!(server.get("/fiches/10-repenser/01-riace.toml").0, 404);

    let (status, head, css) = server.get("/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/css"));
    assert!(!css.contains("__livret"), "the script goes into HTML only");
    assert_eq!(
        css.as_bytes(),
        std::fs::read(dir.path().join("out/style.css")).unwrap()
    );
    let (status, head, _) = server.get("/fonts/source-sans-3-latin-400-normal.woff2");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: font/woff2"));
    let (status, _, body) = server.get("/nulle-part.html");
    assert_eq!(status, 404);
    assert!(
        body.contains("/__livret/live.js"),
        "the 404 page reloads too"
    );
    assert_eq!(server.get("/riace").0, 200, "pretty URL");
    let (status, head, body) = request(server.port, "HEAD /riace.html HTTP/1.1");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Length: "));
    assert!(body.is_empty());
    assert_eq!(request(server.port, "POST /riace.html HTTP/1.1").0, 405);
    let (status, head, js) = server.get("/__livret/live.js");
    assert_eq!(status, 200);
    assert!(head.contains("text/javascript"));
    assert!(js.contains("new EventSource(\"/__livret/events\")"));
}

#[test]
fn serve_takes_a_free_port_when_the_asked_one_is_taken() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = folder(&[]);
    let server = serve(dir.path(), port);
    assert_ne!(server.port, port);
    let (status, _, body) = server.get("/bonne.html");
    assert_eq!(status, 200);
    assert!(body.contains("Bonne"));
    drop(taken);
}

#[test]
fn serve_starts_on_a_broken_project_and_recovers_when_it_is_fixed() {
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = folder(&[("fiches/10-partie/02-lyon.toml", "titel = \"Lyon\"\n")]);
    let server = serve(dir.path(), 0);
    let (status, head, body) = server.get("/lyon.html");
    assert_eq!(status, 404);
    assert!(head.contains("text/html"));
    assert!(
        body.contains("/__livret/live.js"),
        "the overlay can show the problems"
    );
    let stream = events(server.port);
    wait_event(&stream, "hello", Duration::from_secs(5));
    let problems = wait_event(&stream, "problems", Duration::from_secs(2));
    assert!(
        problems.contains("02-lyon.toml:1:1: error: unknown key `titel`"),
        "{problems}"
    );
    write(
        dir.path(),
        "fiches/10-partie/02-lyon.toml",
        "title = \"Lyon\"\n",
    );
    wait_event(&stream, "reload", Duration::from_secs(2));
    let (status, _, body) = server.get("/lyon.html");
    assert_eq!(status, 200);
    assert!(body.contains("Lyon"));
}

// ---------------------------------------------------------------------------------------------
// In a browser

/// Runs headless Chromium on `url` for `millis` and returns the DOM it ends with.
fn dump_dom(chromium: &Path, url: &str, millis: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--timeout={millis}"),
            "--dump-dom",
            url,
        ])
        .stderr(Stdio::null())
        .output()
        .expect("run chromium");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn page_count(port: u16) -> u64 {
    let (_, _, body) = request(port, "GET /__livret/status HTTP/1.1");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["pages"].as_u64().unwrap()
}

/// A headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// the browser reads NUL-terminated JSON on fd 3 and writes on fd 4). Killed when dropped.
struct Browser {
    child: Child,
    to_browser: std::fs::File,
    from_browser: Receiver<serde_json::Value>,
    next_id: u64,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn open(chromium: &Path, url: &str) -> Browser {
        use std::os::fd::{FromRawFd, IntoRawFd};
        use std::os::unix::process::CommandExt;
        let pipe = || {
            let mut fds = [0; 2];
            // SAFETY: pipe() fills two new descriptors that we own from here on.
            assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
            // SAFETY: both descriptors were just created and are owned by nothing else.
            unsafe {
                (
                    std::fs::File::from_raw_fd(fds[0]),
                    std::fs::File::from_raw_fd(fds[1]),
                )
            }
        };
        let (browser_reads, we_write) = pipe();
        let (we_read, browser_writes) = pipe();
        let (r, w) = (browser_reads.into_raw_fd(), browser_writes.into_raw_fd());
        let profile = tempfile::tempdir().unwrap();
        let mut command = Command::new(chromium);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--remote-debugging-pipe",
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only async-signal-safe dup2 calls between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(r, 3) < 0 || libc::dup2(w, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("start chromium");
        // SAFETY: the child has its copies; the parent closes its ends of the browser's side.
        unsafe {
            libc::close(r);
            libc::close(w);
        }
        let (tx, from_browser) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(we_read);
            loop {
                let mut message = Vec::new();
                match reader.read_until(0, &mut message) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                message.pop();
                let Ok(value) = serde_json::from_slice(&message) else {
                    continue;
                };
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let mut browser = Browser {
            child,
            to_browser: we_write,
            from_browser,
            next_id: 0,
            session: String::new(),
            _profile: profile,
        };
        let target = browser.call("Target.createTarget", serde_json::json!({ "url": url }));
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = browser.call(
            "Target.attachToTarget",
            serde_json::json!({ "targetId": target, "flatten": true }),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        browser
    }

    /// Sends one command and waits for its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = serde_json::json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = self.session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.to_browser
            .write_all(&bytes)
            .expect("write to chromium");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self
                .from_browser
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no reply from chromium to {method}"));
            if reply["id"].as_u64() == Some(id) {
                // An evaluation may meet a page in the middle of its reload: no value then.
                if method == "Runtime.evaluate" && reply.get("error").is_some() {
                    return serde_json::Value::Null;
                }
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// Evaluates `expression` in the page; its value (null while the page is navigating).
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({ "expression": expression, "returnByValue": true }),
        );
        r["result"]["value"].clone()
    }

    /// Polls `expression` until it is true; returns how long that took.
    fn wait_for(&mut self, expression: &str, within: Duration) -> Duration {
        let start = Instant::now();
        while self.eval(expression) != serde_json::Value::Bool(true) {
            assert!(
                start.elapsed() < within,
                "`{expression}` still false after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        start.elapsed()
    }
}

#[test]
fn serve_in_a_browser_reloads_the_page_and_shows_problems_over_it() {
    let Some(chromium) = chromium() else { return };
    let _browser = browser_lock();
    let _serial = SERVE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = guide_copy();
    let server = serve(dir.path(), 0);
    let riace = dir.path().join("fiches/10-repenser/01-riace.toml");
    let mut page = Browser::open(
        &chromium,
        &format!("http://127.0.0.1:{}/riace.html", server.port),
    );
    page.wait_for(
        "document.readyState === 'complete' && document.title.startsWith('Tirer parti')",
        Duration::from_secs(20),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while page_count(server.port) == 0 {
        assert!(
            Instant::now() < deadline,
            "the page never connected to the event stream"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A mark on this document: gone after a real reload.
    page.eval("window.livretMark = 1");

    let edited = Instant::now();
    replace_title(&riace, "Riace recharge la page");
    page.wait_for(
        "document.readyState === 'complete' && document.title.startsWith('Riace recharge la page')",
        Duration::from_secs(2),
    );
    let latency = edited.elapsed();
    assert_eq!(
        page.eval("typeof window.livretMark"),
        "undefined",
        "not reloaded"
    );
    eprintln!("serve: the open page shows the edit {latency:?} after it");
    assert!(latency < Duration::from_secs(2), "{latency:?}");

    // A broken edit: the diagnostics appear over the page, which stays the last good one.
    let text = std::fs::read_to_string(&riace).unwrap();
    std::fs::write(&riace, format!("titel = \"oups\"\n{text}")).unwrap();
    page.wait_for(
        "!!document.querySelector('#livret-problems pre')",
        Duration::from_secs(2),
    );
    let overlay = page.eval("document.querySelector('#livret-problems pre').textContent");
    assert!(
        overlay
            .as_str()
            .unwrap()
            .starts_with("fiches/10-repenser/01-riace.toml:1:1: erreur : clé inconnue `titel`\n"),
        "{overlay}"
    );
    assert_eq!(
        page.eval("document.querySelector('h1').textContent.includes('Riace recharge la page')"),
        true
    );
    // Fixed: the overlay goes away with the reload.
    std::fs::write(&riace, text).unwrap();
    page.wait_for(
        "document.readyState === 'complete' && !document.querySelector('#livret-problems')",
        Duration::from_secs(2),
    );
}

#[test]
fn print_edition_on_screen_is_a5_sheets_on_a_grey_desk() {
    let Some(chromium) = chromium() else { return };
    let _browser = browser_lock();
    let dir = guide_copy();
    livret_ok(dir.path(), &["build"]);
    // Measure the layout with a probe script, in a copy of print.html next to the real one.
    let print = std::fs::read_to_string(dir.path().join("out/print.html")).unwrap();
    let probe = r#"<script>
(() => {
  const px = v => parseFloat(v);
  const sheets = [...document.querySelectorAll(".sheet")].map(s => {
    const r = s.getBoundingClientRect();
    return { w: Math.round(r.width), h: Math.round(r.height), bg: getComputedStyle(s).backgroundColor, cls: s.className };
  });
  const desk = getComputedStyle(document.body).backgroundColor;
  document.body.setAttribute("data-probe", JSON.stringify({ desk, sheets }));
})();
</script></body>"#;
    std::fs::write(
        dir.path().join("out/probe.html"),
        print.replacen("</body>", probe, 1),
    )
    .unwrap();
    let url = format!("file://{}", dir.path().join("out/probe.html").display());
    let dom = dump_dom(&chromium, &url, 5_000);
    let doc = scraper::Html::parse_document(&dom);
    let probe = attrs(&doc, "body", "data-probe");
    let v: serde_json::Value = serde_json::from_str(&probe[0]).unwrap();
    // A5 is 148 × 210 mm: 559 × 794 CSS pixels at 96 px to the inch.
    let desk = v["desk"].as_str().unwrap();
    assert_ne!(desk, "rgb(255, 255, 255)", "the desk is not grey");
    assert_ne!(desk, "rgba(0, 0, 0, 0)");
    let sheets = v["sheets"].as_array().unwrap();
    assert!(sheets.len() > 15, "{sheets:?}");
    for s in sheets {
        let w = s["w"].as_i64().unwrap();
        let h = s["h"].as_i64().unwrap();
        assert!(
            (557..=561).contains(&w),
            "a sheet is {w}px wide, not A5: {s}"
        );
        assert!(h >= 792, "a sheet is {h}px high, less than A5: {s}");
        assert_ne!(s["bg"], desk, "{s}");
    }
    let cover = sheets
        .iter()
        .find(|s| s["cls"].as_str().unwrap().contains("cover"))
        .unwrap();
    assert_ne!(
        cover["bg"], "rgb(255, 255, 255)",
        "the cover lost its colour on screen"
    );
    assert!(
        (792..=796).contains(&cover["h"].as_i64().unwrap()),
        "{cover}"
    );
}

// ---------------------------------------------------------------------------------------------
// The contributor guide

/// The fenced blocks of `docs/ajouter-une-fiche.md` whose info string is `lang`.
fn guide_blocks(lang: &str) -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("docs/ajouter-une-fiche.md")).unwrap();
    let mut blocks = Vec::new();
    // Inside a fence: whether it is a `lang` block, and its text.
    let mut current: Option<(bool, String)> = None;
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) => current = Some((info == lang, String::new())),
            (Some((wanted, block)), Some(_)) => {
                if *wanted {
                    blocks.push(std::mem::take(block));
                }
                current = None;
            }
            (Some((_, block)), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

#[test]
fn the_guide_example_fiche_checks_builds_and_its_error_sample_is_real() {
    let example = guide_blocks("toml");
    assert_eq!(example.len(), 1, "one complete example fiche in the guide");
    let dir = guide_copy();
    let path = dir.path().join("fiches/20-co-construire/11-montclair.toml");
    std::fs::write(&path, &example[0]).unwrap();
    livret_ok(dir.path(), &["check"]);
    livret_ok(dir.path(), &["build"]);
    let toc = sommaire(dir.path());
    let last = toc
        .iter()
        .find(|(href, _, _)| href == "montclair.html")
        .unwrap();
    assert_eq!(last.1, "Bonne pratique n° 11");
    let page = std::fs::read_to_string(dir.path().join("out/montclair.html")).unwrap();
    assert!(
        page.contains("href=\"grande-synthe.html\""),
        "the @grande-synthe link"
    );

    // The error shown in the guide is what livret check prints for that typo.
    let sample = guide_blocks("")
        .into_iter()
        .find(|b| b.contains("erreur : clé inconnue `titel`"))
        .expect("an error sample in the guide");
    std::fs::write(&path, example[0].replacen("title = ", "titel = ", 1)).unwrap();
    let out = livret(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert_has(&stderr(&out), &sample);
}

//! Diagnostics through the real binary: in the booklet's language (French for the guide's
//! `lang = "fr"`, English for `lang = "en"`, the locale when there is no livret.toml), the TOML
//! slips told at the slip, the lints and their warnings in the three formats, `--strict`, and
//! the count of fiches that follows a fork.

use std::path::Path;
use std::process::Command;

use crate::support::*;

const FICHE: &str = "fiches/10-repenser/06-lyon.toml";

/// A copy of the guide with `text` as a new fiche, and `lang` in its livret.toml.
fn guide_with(text: &str, lang: &str) -> tempfile::TempDir {
    let dir = guide_copy();
    let config = std::fs::read_to_string(dir.path().join("livret.toml")).unwrap();
    let config = config.replace("lang = \"fr\"", &format!("lang = \"{lang}\""));
    std::fs::write(dir.path().join("livret.toml"), config).unwrap();
    write(dir.path(), FICHE, text);
    dir
}

/// `livret check` on a copy of the guide holding `text`: its stderr, after asserting exit 1.
fn check_fails(text: &str, lang: &str) -> String {
    let dir = guide_with(text, lang);
    let out = livret(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    err
}

/// The four slips and the key after `[notes]`: (fiche, French report, English report), each
/// report the headline, the caret line and the help, exactly.
const SLIPS: [(&str, &str, &str); 5] = [
    (
        "title = “Lyon”\n",
        "fiches/10-repenser/06-lyon.toml:1:9: erreur : le texte commence par un guillemet \
         typographique “ : TOML veut des guillemets droits\n  |\n1 | title = “Lyon”\n  |         ^\n\
         aide : entourez le texte de guillemets droits : \"…\"",
        "fiches/10-repenser/06-lyon.toml:1:9: error: the text starts with a curly quote “: TOML \
         needs straight quotes\n  |\n1 | title = “Lyon”\n  |         ^\nhelp: write straight double \
         quotes around the text: \"…\"",
    ),
    (
        "title = « Lyon »\n",
        "fiches/10-repenser/06-lyon.toml:1:9: erreur : le texte commence par un guillemet \
         typographique « : TOML veut des guillemets droits",
        "fiches/10-repenser/06-lyon.toml:1:9: error: the text starts with a curly quote «",
    ),
    (
        "title = 'l'accueil'\n",
        "fiches/10-repenser/06-lyon.toml:1:11: erreur : cette apostrophe termine le texte ouvert \
         par '\n  |\n1 | title = 'l'accueil'\n  |           ^\naide : un texte qui contient une \
         apostrophe s'écrit entre guillemets droits, \"l'accueil\", ou entre trois apostrophes, \
         '''l'accueil'''",
        "fiches/10-repenser/06-lyon.toml:1:11: error: this apostrophe ends the text begun with '\n\
         \x20 |\n1 | title = 'l'accueil'\n  |           ^\nhelp: a text holding an apostrophe goes \
         between double quotes, \"l'accueil\", or between three single quotes, '''l'accueil'''",
    ),
    (
        "title = \"Lyon\"\nsummary = \"\"\"\nLa ville accueille.\n\n[[how]]\nbody = \"x\"\n",
        "fiches/10-repenser/06-lyon.toml:2:11: erreur : ce texte ouvert par \"\"\" n'est jamais \
         fermé\n  |\n2 | summary = \"\"\"\n  |           ^\naide : terminez le texte par \"\"\" sur \
         une ligne à part, après sa dernière ligne",
        "fiches/10-repenser/06-lyon.toml:2:11: error: this text opened with \"\"\" is never \
         closed\n  |\n2 | summary = \"\"\"\n  |           ^\nhelp: end the text with \"\"\" on its \
         own line, after its last line",
    ),
    (
        "title = \"Lyon\"\nsummary = \"Voir[^a].\"\n\n[notes]\na = \"Une note.\"\nexample = \
         \"L'exemple de Lyon\"\n",
        "fiches/10-repenser/06-lyon.toml:6:1: erreur : `example` est écrit après [notes] : il \
         fait donc partie de [notes]\n  |\n6 | example = \"L'exemple de Lyon\"\n  | ^\naide : \
         déplacez `example = …` au-dessus de [notes]",
        "fiches/10-repenser/06-lyon.toml:6:1: error: `example` is written after [notes], so it \
         is inside [notes]\n  |\n6 | example = \"L'exemple de Lyon\"\n  | ^\nhelp: move \
         `example = …` above [notes]",
    ),
];

#[test]
fn syntax_slips_are_told_at_the_slip_in_french_for_the_guide() {
    for (fiche, french, _) in SLIPS {
        let err = check_fails(fiche, "fr");
        assert!(
            err.contains(french),
            "expected:\n{french}\n--- in ---\n{err}"
        );
        // One error only: an unclosed text is not echoed by every line after it.
        assert_eq!(err.matches(": erreur : ").count(), 1, "{err}");
        assert!(
            err.ends_with("livret: 1 erreur — rien n'a été écrit\n"),
            "{err}"
        );
        assert!(!err.contains("error") && !err.contains("help"), "{err}");
    }
}

#[test]
fn syntax_slips_are_told_in_english_for_lang_en() {
    for (fiche, _, english) in SLIPS {
        let err = check_fails(fiche, "en");
        assert!(
            err.contains(english),
            "expected:\n{english}\n--- in ---\n{err}"
        );
        assert_eq!(err.matches(": error: ").count(), 1, "{err}");
        assert!(
            err.ends_with("livret: 1 error — nothing was written\n"),
            "{err}"
        );
    }
}

#[test]
fn json_and_github_formats_carry_the_language() {
    let dir = guide_with("title = 'l'accueil'\n", "fr");
    let out = livret(dir.path(), &["check", "--format", "json"]);
    let line: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(line["path"], FICHE);
    assert_eq!(
        (line["line"].as_u64(), line["col"].as_u64()),
        (Some(1), Some(11))
    );
    assert_eq!(line["severity"], "error");
    assert_eq!(
        line["message"],
        "cette apostrophe termine le texte ouvert par '"
    );
    assert!(
        line["help"]
            .as_str()
            .unwrap()
            .starts_with("un texte qui contient")
    );
    let out = livret(dir.path(), &["check", "--format", "github"]);
    assert!(
        stdout(&out).starts_with(&format!(
            "::error file={FICHE},line=1,col=11::cette apostrophe termine le texte ouvert par \
             '%0Aaide : un texte qui contient"
        )),
        "{}",
        stdout(&out)
    );
}

/// Runs `livret ARGS` in `dir` with the locale `lang` (LANG only).
fn livret_in_locale(dir: &Path, args: &[&str], lang: &str) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", lang)
        .output()
        .unwrap()
}

#[test]
fn without_livret_toml_or_lang_the_locale_chooses() {
    let empty = tempfile::tempdir().unwrap();
    let fr = livret_in_locale(empty.path(), &["check"], "fr_FR.UTF-8");
    assert_eq!(fr.status.code(), Some(2));
    assert!(
        stderr(&fr).starts_with("livret: erreur : pas de livret.toml dans ."),
        "{}",
        stderr(&fr)
    );
    let en = livret_in_locale(empty.path(), &["check"], "C.UTF-8");
    assert!(
        stderr(&en).starts_with("livret: error: no livret.toml in ."),
        "{}",
        stderr(&en)
    );
    // A livret.toml without lang: the locale too; with lang, livret.toml wins over the locale.
    let dir = project(&[
        ("livret.toml", "title = \"Guide\"\n"),
        ("fiches/10-p/_part.toml", "titre = \"P\"\n"),
    ]);
    let fr = livret_in_locale(dir.path(), &["check"], "fr_BE.UTF-8");
    assert!(
        stderr(&fr).contains("erreur : clé inconnue `titre`"),
        "{}",
        stderr(&fr)
    );
    write(
        dir.path(),
        "livret.toml",
        "title = \"Guide\"\nlang = \"en\"\n",
    );
    let en = livret_in_locale(dir.path(), &["check"], "fr_BE.UTF-8");
    assert!(
        stderr(&en).contains("error: unknown key `titre`"),
        "{}",
        stderr(&en)
    );
}

/// A lint's fiche, the start of its French warning, and where it points.
const WARNINGS: [(&str, &str); 4] = [
    (
        "title = \"Lyon\"\nsummary = \"\"\"\n    La ville ouvre un lieu [d'accueil](https://lyon.fr).\n\"\"\"\n",
        "fiches/10-repenser/06-lyon.toml:3:5: avertissement : ces lignes sont en retrait de 4 \
         espaces ou plus",
    ),
    (
        "title = \"Lyon\"\nsummary = \"Une ligne<br>une autre.\"\n",
        "fiches/10-repenser/06-lyon.toml:2:21: avertissement : la balise HTML `<br>` \
         s'affichera telle quelle (allow_html est désactivé)\n  |\n2 | summary = \"Une \
         ligne<br>une autre.\"\n  |                     ^\naide : pour aller à la ligne, terminez \
         la ligne par deux espaces ; pour un nouveau paragraphe, laissez une ligne vide",
    ),
    (
        "title = \"Lyon\"\nsummary = \"Le <b>maire</b> accueille.\"\n",
        "aide : écrivez **texte** pour le gras",
    ),
    (
        "title = \"L'Etat et la ville\"\nsummary = \"Voir [l'Etat](https://Etat.fr/Etat).\"\n",
        "fiches/10-repenser/06-lyon.toml:1:12: avertissement : « Etat » prend un accent : « État »",
    ),
];

#[test]
fn lints_warn_build_goes_on_and_strict_refuses() {
    for (fiche, warning) in WARNINGS {
        let dir = guide_with(fiche, "fr");
        let check = livret(dir.path(), &["check"]);
        assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
        let err = stderr(&check);
        assert!(
            err.contains(warning),
            "expected:\n{warning}\n--- in ---\n{err}"
        );
        assert!(err.contains("--strict les refuse"), "{err}");
        assert!(
            stdout(&check).starts_with("livret: ok"),
            "{}",
            stdout(&check)
        );
        let build = livret(dir.path(), &["build"]);
        assert_eq!(build.status.code(), Some(0));
        assert!(stderr(&build).contains(warning));
        assert!(dir.path().join("out/lyon.html").is_file());
        // --strict: the same warnings are errors, and nothing is written.
        std::fs::remove_dir_all(dir.path().join("out")).unwrap();
        for command in ["check", "build"] {
            let strict = livret(dir.path(), &[command, "--strict"]);
            assert_eq!(strict.status.code(), Some(1), "{command} --strict");
            assert!(
                stderr(&strict).contains(": erreur : "),
                "{}",
                stderr(&strict)
            );
            assert!(stderr(&strict).contains("rien n'a été écrit"));
        }
        assert!(
            !dir.path().join("out").exists(),
            "build --strict wrote out/"
        );
    }
    // The unaccented capital is not seen inside the URL: one warning only.
    let dir = guide_with(WARNINGS[3].0, "fr");
    let err = stderr(&livret(dir.path(), &["check"]));
    assert_eq!(err.matches("avertissement : ").count(), 2, "{err}");
    assert!(err.contains("06-lyon.toml:2:20: avertissement"), "{err}");
}

#[test]
fn warnings_are_github_warning_annotations() {
    let dir = guide_with(WARNINGS[1].0, "en");
    let out = livret(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with(&format!(
            "::warning file={FICHE},line=2,col=21::the HTML tag `<br>` is shown as it is \
             (allow_html is off)%0Ahelp: to start a new line"
        )),
        "{}",
        stdout(&out)
    );
    let json = livret(dir.path(), &["check", "--format", "json"]);
    let line: serde_json::Value =
        serde_json::from_str(stdout(&json).lines().next().unwrap()).unwrap();
    assert_eq!(line["severity"], "warning");
}

#[test]
fn a_web_address_without_https_is_an_error_with_the_fixed_url() {
    let fiche = "title = \"Lyon\"\nsummary = \"Voir [l'association](www.anvita.fr).\"\n\n\
                 [[links]]\nlabel = \"Anvita\"\nurl = \"anvita.fr/contact\"\n";
    let err = check_fails(fiche, "fr");
    assert!(
        err.contains(
            "fiches/10-repenser/06-lyon.toml:2:33: erreur : `www.anvita.fr` ressemble à une \
             adresse web mais n'a pas de https://"
        ),
        "{err}"
    );
    assert!(
        err.contains("aide : écrivez l'adresse complète : https://www.anvita.fr\n"),
        "{err}"
    );
    assert!(
        err.contains("06-lyon.toml:6:8: erreur : `anvita.fr/contact`"),
        "{err}"
    );
    assert!(err.contains("https://anvita.fr/contact"), "{err}");
    // Relative links to the site's own files stay allowed.
    let dir = guide_with(
        "title = \"Lyon\"\nsummary = \"Voir [Riace](riace.html) et [le PDF](livret.pdf).\"\n",
        "fr",
    );
    livret_ok(dir.path(), &["check", "--strict"]);
}

#[test]
fn the_guide_has_no_warning_left() {
    let out = livret_ok(&repo(), &["check", "--strict"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn a_fork_with_eleven_fiches_says_eleven_on_the_cover_and_in_its_metadata() {
    let dir = guide_with(
        "title = \"Accueillir à Lyon\"\nexample = \"L'exemple de Lyon, France\"\n\
         summary = \"La ville ouvre un lieu d'accueil.\"\n",
        "fr",
    );
    let out = livret_ok(dir.path(), &["build", "--strict"]);
    assert!(
        stdout(&out).starts_with("livret: 11 fiches"),
        "{}",
        stdout(&out)
    );
    let index = html(&dir.path().join("out/index.html"));
    assert_eq!(
        texts(&index, ".cover-strapline"),
        ["11 exemples de politiques alternatives"]
    );
    let description = attrs(&index, "meta[name=description]", "content");
    assert!(
        description[0].starts_with("Onze exemples concrets de politiques municipales"),
        "{description:?}"
    );
    let print = html(&dir.path().join("out/print.html"));
    assert_eq!(
        texts(&print, ".cover-strapline"),
        ["11 exemples de politiques alternatives"]
    );
    let print_description = attrs(&print, "meta[name=description]", "content");
    assert!(
        print_description[0].starts_with("Onze exemples"),
        "{print_description:?}"
    );

    // A fork that wrote the count by hand is warned, with the placeholder to write.
    let config = std::fs::read_to_string(dir.path().join("livret.toml")).unwrap();
    let config = config
        .replace("{nombre} exemples", "10 exemples")
        .replace("{Nombre en lettres} exemples", "Dix exemples");
    std::fs::write(dir.path().join("livret.toml"), config).unwrap();
    let err = stderr(&livret_ok(dir.path(), &["check"]));
    assert!(
        err.contains(
            "livret.toml:3:14: avertissement : ce texte dit « 10 exemples », mais le livret \
             compte 11 fiches"
        ),
        "{err}"
    );
    assert!(err.contains("« Dix exemples »"), "{err}");
    assert!(err.contains("aide : écrivez {nombre}"), "{err}");
}

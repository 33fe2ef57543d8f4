//! Incremental rebuilds (`livret serve`): after every kind of edit — a fiche's text, title or
//! notes, a page shown on the index, a part, an added, removed or renamed fiche, `livret.toml`,
//! a theme template, a broken then fixed fiche, a save without change — the output folder is
//! byte-identical to a fresh full `livret build` of the same input, and only the files that
//! depend on the edit were written. Also through the real `livret serve` over HTTP.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use livret::{BuildOptions, Error, Rebuilt, Session};

const RIACE: &str = "fiches/10-repenser/01-riace.toml";
const NEW_YORK: &str = "fiches/10-repenser/02-new-york.toml";

fn session(root: &Path) -> Session {
    Session::new(BuildOptions {
        root: root.to_path_buf(),
        out: root.join("out"),
        force: false,
    })
}

/// Asserts that `root/out` is byte for byte what a full build of `root` writes elsewhere (with
/// the same `livret.pdf`, when one was put there).
fn assert_same_as_full_build(root: &Path, after: &str) {
    let fresh = tempfile::tempdir().unwrap();
    let pdf = root.join("out").join(livret::PDF_NAME);
    if pdf.is_file() {
        fs::create_dir_all(fresh.path().join("out")).unwrap();
        fs::copy(&pdf, fresh.path().join("out").join(livret::PDF_NAME)).unwrap();
    }
    livret::build(&BuildOptions {
        root: root.to_path_buf(),
        out: fresh.path().join("out"),
        force: pdf.is_file(),
    })
    .unwrap_or_else(|e| panic!("after {after}: the full build failed: {e}"));
    let served = tree_hash(&root.join("out"));
    let full = tree_hash(&fresh.path().join("out"));
    let names =
        |tree: &[(String, Vec<u8>)]| tree.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&served),
        names(&full),
        "after {after}: not the same files"
    );
    let differ: Vec<&String> = served
        .iter()
        .zip(&full)
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| &a.0)
        .collect();
    assert!(
        differ.is_empty(),
        "after {after}: these files differ: {differ:?}"
    );
}

/// Rebuilds and checks the result against a full build.
fn rebuild(session: &mut Session, root: &Path, after: &str) -> Rebuilt {
    let report = session
        .rebuild()
        .unwrap_or_else(|e| panic!("after {after}: {e}"));
    assert_same_as_full_build(root, after);
    report
}

fn edit(root: &Path, rel: &str, change: impl FnOnce(String) -> String) {
    let path = root.join(rel);
    let text = fs::read_to_string(&path).unwrap();
    let changed = change(text.clone());
    assert_ne!(changed, text, "the edit of {rel} changes nothing");
    fs::write(&path, changed).unwrap();
}

fn set_title(text: String, title: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| match line.starts_with("title = ") {
            true => format!("title = \"{title}\""),
            false => line.to_string(),
        })
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn edits_to_one_fiche_rewrite_only_what_shows_it_and_match_a_full_build() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    let first = rebuild(&mut session, root, "the first build");
    assert!(first.full);
    assert!(first.written.contains(&"riace.html".to_string()));

    // Its text: its page and the print edition.
    edit(root, RIACE, |t| {
        t.replacen("Le village italien", "Le petit village italien", 1)
    });
    let report = rebuild(&mut session, root, "a text edit");
    assert!(!report.full);
    assert_eq!(
        report.written,
        ["print.html", "riace.html", "search-index.js"]
    );

    // Its title: every page (the sommaire beside the text lists it), the index, the print
    // edition and the search index; not the stylesheets nor the other shared files.
    edit(root, NEW_YORK, |t| set_title(t, "New York, ville refuge"));
    let report = rebuild(&mut session, root, "a title edit");
    assert!(!report.full);
    for page in [
        "briancon.html",
        "index.html",
        "new-york.html",
        "print.html",
        "riace.html",
    ] {
        assert!(report.written.contains(&page.to_string()), "{page}");
    }
    assert!(report.written.contains(&"search-index.js".to_string()));
    assert!(!report.written.contains(&"style.css".to_string()));

    // A note added to the first fiche renumbers every later note of the print edition; the
    // web pages number their notes on their own.
    edit(root, RIACE, |t| {
        t.replacen(
            "Le petit village italien",
            "Le petit[^petit] village italien",
            1,
        ) + "petit = \"Une note ajoutée\"\n"
    });
    let report = rebuild(&mut session, root, "a note added");
    assert_eq!(
        report.written,
        ["print.html", "riace.html", "search-index.js"]
    );
    let print = fs::read_to_string(root.join("out/print.html")).unwrap();
    assert!(print.contains("Une note ajoutée"));

    edit(root, RIACE, |t| {
        t.replacen("[^petit]", "", 1)
            .replacen("petit = \"Une note ajoutée\"\n", "", 1)
    });
    let report = rebuild(&mut session, root, "a note removed");
    assert_eq!(
        report.written,
        ["print.html", "riace.html", "search-index.js"]
    );

    // Saved again without a change: nothing to write.
    let text = fs::read_to_string(root.join(RIACE)).unwrap();
    fs::write(root.join(RIACE), text).unwrap();
    let report = rebuild(&mut session, root, "a save without change");
    assert!(!report.full);
    assert!(report.written.is_empty(), "{:?}", report.written);
}

#[test]
fn pages_parts_and_the_sommaire_follow_their_edits() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");

    // The presentation page sits before the sommaire: the index shows it in full.
    edit(root, "fiches/00-presentation.toml", |t| {
        t.replacen("Une approche concrète", "Une approche très concrète", 1)
    });
    let report = rebuild(&mut session, root, "an edit of a page shown on the index");
    assert!(!report.full);
    assert!(report.written.contains(&"index.html".to_string()));

    // A part's title shows on the pages of its fiches and in the sommaires.
    edit(root, "fiches/10-repenser/_part.toml", |t| {
        t.replacen("Repenser", "Réinventer", 1)
    });
    let report = rebuild(&mut session, root, "a part's title");
    assert!(!report.full);
    assert!(report.written.contains(&"sao-paulo.html".to_string()));
    // The sommaire beside the text of every page shows it too.
    assert!(report.written.contains(&"briancon.html".to_string()));

    // The sommaire's own title.
    edit(root, "fiches/01-sommaire.toml", |t| {
        set_title(t, "Table des matières")
    });
    rebuild(&mut session, root, "the sommaire's title");

    // A page taken out of the sommaire.
    edit(root, "fiches/05-introduction.toml", |t| {
        t.replacen("kind = \"page\"\n", "kind = \"page\"\ntoc = false\n", 1)
    });
    rebuild(&mut session, root, "a page taken out of the sommaire");
}

#[test]
fn added_removed_and_renamed_fiches_renumber_everything() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");

    let lyon = "fiches/10-repenser/03b-lyon.toml";
    write(
        root,
        lyon,
        "title = \"Accueillir à Lyon\"\nsummary = \"Voir aussi [Riace](@riace).\"\n",
    );
    let report = rebuild(&mut session, root, "a fiche added");
    assert!(report.full);
    assert!(root.join("out/lyon.html").is_file());

    // Turned into a page: the fiches after it lose one in their number.
    write(
        root,
        lyon,
        "kind = \"page\"\ntitle = \"Accueillir à Lyon\"\nbody = \"Voir [Riace](@riace).\"\n",
    );
    let report = rebuild(&mut session, root, "a fiche turned into a page");
    assert!(report.full);

    fs::rename(
        root.join("fiches/10-repenser/03b-lyon.toml"),
        root.join("fiches/20-co-construire/99-lyon-metropole.toml"),
    )
    .unwrap();
    rebuild(&mut session, root, "a fiche moved and renamed");
    assert!(!root.join("out/lyon.html").exists());
    assert!(root.join("out/lyon-metropole.html").is_file());

    fs::remove_file(root.join("fiches/10-repenser/02-new-york.toml")).unwrap();
    rebuild(&mut session, root, "a fiche removed");
    assert!(!root.join("out/new-york.html").exists());
}

#[test]
fn config_and_theme_edits_rebuild_everything() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");

    edit(root, "livret.toml", |t| {
        t.replacen("Municipalités solidaires", "Villes solidaires", 1)
    });
    let report = rebuild(&mut session, root, "an edit of livret.toml");
    assert!(report.full);

    edit(root, "livret.toml", |t| t.replacen("\"A5\"", "\"A4\"", 1));
    rebuild(&mut session, root, "another page size");

    edit(root, "themes/default/templates/partials/pager.html", |t| {
        format!("<!-- pager -->\n{t}")
    });
    let report = rebuild(&mut session, root, "an edit of a theme template");
    assert!(report.full);
    assert!(
        fs::read_to_string(root.join("out/riace.html"))
            .unwrap()
            .contains("<!-- pager -->")
    );

    edit(root, "themes/default/css/style.css", |t| {
        format!("{t}\n.livret-test {{ color: red }}\n")
    });
    rebuild(&mut session, root, "an edit of a stylesheet");
    assert!(
        fs::read_to_string(root.join("out/style.css"))
            .unwrap()
            .contains("livret-test")
    );

    fs::remove_file(root.join("themes/default/templates/partials/pager.html")).unwrap();
    rebuild(
        &mut session,
        root,
        "a theme file removed (the embedded one is used)",
    );
}

#[test]
fn a_broken_edit_writes_nothing_and_its_fix_is_rebuilt() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");
    let good = tree_hash(&root.join("out"));

    let text = fs::read_to_string(root.join(RIACE)).unwrap();
    fs::write(root.join(RIACE), format!("titel = \"oups\"\n{text}")).unwrap();
    match session.rebuild() {
        Err(Error::Content(problems)) => {
            assert!(problems.iter().any(|d| {
                d.text(livret::Lang::En)
                    .message
                    .contains("unknown key `titel`")
            }));
        }
        other => panic!("a broken fiche was accepted: {other:?}"),
    }
    assert!(
        tree_hash(&root.join("out")) == good,
        "a failed rebuild wrote"
    );

    // A template error found while rendering: nothing written either.
    let pager = root.join("themes/default/templates/partials/pager.html");
    let template = fs::read_to_string(&pager).unwrap();
    fs::write(&pager, format!("{{{{ nowhere.nothing }}}}{template}")).unwrap();
    assert!(session.rebuild().is_err());
    assert!(
        tree_hash(&root.join("out")) == good,
        "a failed rebuild wrote"
    );
    fs::write(&pager, template).unwrap();

    // Fixed, with another change made meanwhile.
    fs::write(
        root.join(RIACE),
        text.replacen("Le village italien", "Le bourg italien", 1),
    )
    .unwrap();
    let report = rebuild(&mut session, root, "the fix");
    assert!(
        !report.full,
        "the theme is back as it was: no need to rebuild all"
    );
    assert_eq!(
        report.written,
        ["print.html", "riace.html", "search-index.js"]
    );
}

#[test]
fn same_size_edits_and_foreign_builds_are_noticed() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");

    // Same length, and the modification time put back as it was.
    let path = root.join(RIACE);
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    edit(root, RIACE, |t| {
        t.replacen("par ses habitants", "par ces habitants", 1)
    });
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let report = rebuild(&mut session, root, "a same-size edit with its old time");
    assert_eq!(
        report.written,
        ["print.html", "riace.html", "search-index.js"]
    );

    // Another build wrote out/ meanwhile (`livret build`, `livret pdf`): start again in full.
    edit(root, RIACE, |t| {
        t.replacen("par ces habitants", "par ses habitants", 1)
    });
    livret::build(&BuildOptions {
        root: root.to_path_buf(),
        out: root.join("out"),
        force: false,
    })
    .unwrap();
    edit(root, RIACE, |t| {
        t.replacen("par ses habitants", "par les habitants", 1)
    });
    let report = rebuild(&mut session, root, "a build by another program");
    assert!(report.full);
}

#[test]
fn a_pdf_put_next_to_the_site_is_linked_from_every_page() {
    let dir = guide_copy();
    let root = dir.path();
    let mut session = session(root);
    rebuild(&mut session, root, "the first build");
    let riace = || fs::read_to_string(root.join("out/riace.html")).unwrap();
    assert!(!riace().contains(livret::PDF_NAME));

    fs::write(root.join("out").join(livret::PDF_NAME), b"%PDF-1.7\n").unwrap();
    let report = rebuild(&mut session, root, "a PDF put into out/");
    assert!(report.full);
    assert!(riace().contains(livret::PDF_NAME));

    fs::remove_file(root.join("out").join(livret::PDF_NAME)).unwrap();
    rebuild(&mut session, root, "the PDF removed");
    assert!(!riace().contains(livret::PDF_NAME));
}

/// `livret serve` itself: after each edit, the reload, and the served folder matches a full
/// build.
#[test]
fn serve_rebuilds_incrementally_to_the_same_bytes() {
    let dir = guide_copy();
    let root = dir.path();
    let mut child = Command::new(bin())
        .args(["serve", "--port", "0"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start livret serve");
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = stdout.next().expect("serve stopped").unwrap();
        if let Some((_, rest)) = line.split_once("http://127.0.0.1:") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    let generation = || -> u64 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET /__livret/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let body = response.split_once("\r\n\r\n").unwrap().1;
        let status: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(status["problems"], false, "{body}");
        status["generation"].as_u64().unwrap()
    };
    // Waits for rebuild `wanted`, then for the rebuilds to stop (one edit may give two).
    let wait_for = |wanted: u64| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while generation() < wanted {
            assert!(Instant::now() < deadline, "no rebuild {wanted}");
            std::thread::sleep(Duration::from_millis(20));
        }
        loop {
            let seen = generation();
            std::thread::sleep(Duration::from_millis(500));
            if generation() == seen {
                break;
            }
        }
    };
    assert_eq!(generation(), 1);

    edit(root, RIACE, |t| set_title(t, "Riace revit"));
    wait_for(2);
    assert_same_as_full_build(root, "serve: a title edit");

    write(
        root,
        "fiches/20-co-construire/11-lyon.toml",
        "title = \"Lyon\"\nsummary = \"Un texte.\"\n",
    );
    wait_for(3);
    assert_same_as_full_build(root, "serve: a fiche added");

    let _ = child.kill();
    let _ = child.wait();
}

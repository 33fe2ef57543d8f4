//! The command line: clap options turned into the library's plain option types, one arm per
//! subcommand, and the printing of results and reports. The only place that knows clap; part
//! of the binary, on top of the library's public API.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use livret::{BuildOptions, Diagnostic, Error, Lang, Outcome, Result};

#[derive(Debug, Parser)]
#[command(
    name = "livret",
    version,
    about = "Turns a folder of fiches into a website and a printable booklet"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site and the print edition into out/
    Build {
        #[command(flatten)]
        paths: Paths,
        /// Write into a non-empty folder that livret did not create
        #[arg(long)]
        force: bool,
        /// Refuse warnings: any warning is an error, and nothing is written
        #[arg(long)]
        strict: bool,
        /// Output format of the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build, then print the booklet to out/livret.pdf with headless Chromium
    Pdf {
        #[command(flatten)]
        paths: Paths,
        /// Write into a non-empty folder that livret did not create
        #[arg(long)]
        force: bool,
        /// The Chromium, Chrome or Edge executable [default: $LIVRET_CHROMIUM, else chromium,
        /// chromium-browser, google-chrome(-stable) or microsoft-edge on PATH, else macOS's
        /// /Applications (Chrome, Chromium, Edge) or /snap/bin/chromium]
        #[arg(long, value_name = "PATH")]
        chromium: Option<PathBuf>,
        /// Also write an imposed PDF: `booklet` = A4 landscape, two-up, saddle-stitch order
        #[arg(long, value_enum)]
        imposition: Option<ImpositionArg>,
        /// Also write out/livret-imprimeur.pdf for a print shop: 3 mm bleed, TrimBox and
        /// BleedBox, sRGB output intent (PDF/X-4), no links or bookmarks
        #[arg(long)]
        print_shop: bool,
        /// With --print-shop: crop marks outside the bleed, on a larger page (MediaBox)
        #[arg(long, requires = "print_shop")]
        marks: bool,
    },
    /// Check livret.toml, every fiche and the theme without writing anything
    Check {
        /// Project folder (holding livret.toml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output format of the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Refuse warnings: any warning is an error (exit code 1)
        #[arg(long)]
        strict: bool,
    },
    /// Create a new fiche (or page) that sorts last in its part, with every section to fill in
    New {
        /// The title of the new fiche, e.g. "Accueillir à São Paulo"
        title: String,
        /// The part folder to put it in (e.g. 10-repenser) [default: the last part]
        #[arg(long)]
        part: Option<String>,
        /// Create an unnumbered page instead of a numbered fiche
        #[arg(long)]
        page: bool,
        /// Project folder (holding livret.toml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Build, serve on 127.0.0.1, rebuild on every change and reload open pages
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Port on 127.0.0.1 (a free one is used when it is taken; 0 picks any free port)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Write into a non-empty folder that livret did not create
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct Paths {
    /// Project folder (holding livret.toml)
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Output folder [default: <root>/out]
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl Paths {
    pub fn build_options(&self, force: bool) -> BuildOptions {
        BuildOptions {
            root: self.root.clone(),
            out: self.out.clone().unwrap_or_else(|| self.root.join("out")),
            force,
        }
    }
}

/// `--imposition`: extra PDFs laid out for printing at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpositionArg {
    /// A4 landscape, two pages a side, in saddle-stitch order: print double-sided, fold, staple.
    Booklet,
}

impl From<ImpositionArg> for livret::Imposition {
    fn from(arg: ImpositionArg) -> Self {
        match arg {
            ImpositionArg::Booklet => livret::Imposition::Booklet,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions annotations: `::error file=…,line=…,col=…::message`
    Github,
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let (format, root) = match &cli.command {
        Command::Check { format, root, .. } => (*format, root),
        Command::Build { format, paths, .. } => (*format, &paths.root),
        Command::Pdf { paths, .. } | Command::Serve { paths, .. } => (Format::Human, &paths.root),
        Command::New { root, .. } => (Format::Human, root),
    };
    // Messages in the booklet's language (livret.toml's lang, else the system's).
    let lang = livret::lang_of(root);
    match run(cli, format, lang) {
        Ok(()) => 0,
        Err(e) => {
            report(&e, format, lang);
            e.exit_code()
        }
    }
}

/// Prints the warnings of a run that went on (stdout for JSON and GitHub, stderr otherwise).
fn warn(warnings: &[Diagnostic], format: Format, lang: Lang) {
    if warnings.is_empty() {
        return;
    }
    match format {
        Format::Json => print!("{}", livret::report_json(warnings, lang)),
        Format::Github => print!("{}", livret::report_github(warnings, lang)),
        Format::Human => eprintln!("{}", livret::report(warnings, Outcome::Warned, lang)),
    }
}

fn run(cli: Cli, format: Format, lang: Lang) -> Result<()> {
    match cli.command {
        Command::Build {
            paths,
            force,
            strict,
            ..
        } => {
            let options = paths.build_options(force);
            let report = livret::build_strict(&options, strict)?;
            warn(&report.warnings, format, lang);
            println!(
                "livret: {} fiches, {} pages, {} files in {} ms → {}",
                report.fiches,
                report.pages,
                report.files,
                report.millis,
                options.out.display()
            );
            Ok(())
        }
        Command::Pdf {
            paths,
            force,
            chromium,
            imposition,
            print_shop,
            marks,
        } => pdf(paths, force, chromium, imposition, print_shop, marks),
        Command::Check { root, strict, .. } => {
            let summary = livret::check(&root)?;
            if strict {
                livret::refuse_warnings(&summary.warnings)?;
            }
            warn(&summary.warnings, format, lang);
            if format != Format::Json {
                println!(
                    "livret: ok — {} fiches, {} parts, {} entries checked",
                    summary.fiches, summary.parts, summary.entries
                );
            }
            Ok(())
        }
        Command::New {
            title,
            part,
            page,
            root,
        } => {
            let created = livret::new_entry(&livret::NewOptions {
                root,
                title,
                part,
                page,
            })?;
            let path = livret::display_path(&created.path);
            match created.number {
                Some(n) => println!(
                    "livret: created {} — fiche n°{n}, page {}.html",
                    path.display(),
                    created.slug
                ),
                None => println!(
                    "livret: created {} — page {}.html",
                    path.display(),
                    created.slug
                ),
            }
            println!("Fill it in, then run `livret check` (or keep `livret serve` open).");
            Ok(())
        }
        Command::Serve { paths, port, force } => livret::serve(&livret::ServeOptions {
            build: paths.build_options(force),
            port,
        }),
    }
}

/// `livret pdf`: builds, prints, and says what it wrote.
fn pdf(
    paths: Paths,
    force: bool,
    chromium: Option<PathBuf>,
    imposition: Option<ImpositionArg>,
    print_shop: bool,
    marks: bool,
) -> Result<()> {
    let options = livret::PdfOptions {
        build: paths.build_options(force),
        chromium,
        imposition: imposition.map(Into::into),
        print_shop,
        marks,
    };
    let report = livret::pdf(&options, &mut |line| eprintln!("livret: {line}"))?;
    println!(
        "livret: {} ({} pages, {} fiches, {} pass{}) in {} ms",
        report.pdf.display(),
        report.pages,
        report.fiches,
        report.passes,
        if report.passes == 1 { "" } else { "es" },
        report.millis
    );
    if let Some((path, pages)) = &report.shop {
        println!(
            "livret: {} ({pages} pages, for a print shop)",
            path.display()
        );
    }
    if let Some(livret::ImposedReport {
        path,
        sides: sheets,
    }) = &report.imposed
    {
        println!(
            "livret: {} ({sheets} A4 sides: print double-sided, flip on the short edge, \
             fold, staple)",
            path.display()
        );
    }
    Ok(())
}

/// Prints an error: every diagnostic, then a count; JSON lines with `--format json`.
pub fn report(error: &Error, format: Format, lang: Lang) {
    let nothing = Outcome::NothingWritten;
    match (error, format) {
        (Error::Content(diagnostics), Format::Json) => {
            print!("{}", livret::report_json(diagnostics, lang));
        }
        (Error::Content(diagnostics), Format::Github) => {
            print!("{}", livret::report_github(diagnostics, lang));
            eprintln!("{}", livret::report(diagnostics, nothing, lang));
        }
        (Error::Content(diagnostics), Format::Human) => {
            eprintln!("{}", livret::report(diagnostics, nothing, lang));
        }
        (Error::Said(message), format) => {
            let text = message.text(lang).message;
            match format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({ "path": null, "message": text, "help": null })
                ),
                Format::Github => println!("::error::{}", livret::github_data(&text)),
                Format::Human => eprintln!("livret: {}{} {text}", lang.error_word(), lang.colon()),
            }
        }
        (Error::Other { message, help }, Format::Json) => {
            println!(
                "{}",
                serde_json::json!({ "path": null, "message": message, "help": help })
            );
        }
        (other, Format::Json) => {
            println!(
                "{}",
                serde_json::json!({ "path": null, "message": other.to_string(), "help": null })
            );
        }
        (other, Format::Github) => {
            println!("::error::{}", livret::github_data(&other.to_string()));
        }
        (other, Format::Human) => eprintln!("livret: error: {other}"),
    }
}

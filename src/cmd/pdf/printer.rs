//! Printing the print edition in a pass: whole, or in chunks (`chunks` cuts them) joined
//! once the passes settle (`merge`), by one browser or two at once. Each chunk's PDF is kept
//! with what it measured, so a later pass prints again only the chunks whose HTML changed.

use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Numbers;
use super::chromium::Browser;
use super::chunks::{
    ChunkHtml, Ids, Split, assemble, budget, changed_sheets, frame_of, plan, split,
};
use super::merge::{self, Part};
use super::passes::Measured;
use crate::error::{Error, Result};

/// Where a chunk's sheets are, and what it printed last time.
struct Chunk {
    sheets: Range<usize>,
    html: String,
    pdf: Vec<u8>,
    lead: usize,
    /// Pages of the booklet it holds (padding excluded).
    pages: usize,
    /// Those pages, measured as printed (`at` pages before them).
    measured: Measured,
    /// The booklet pages before it when it was printed, and where the chunks before it
    /// actually end: they differ when the second browser guessed wrong (`Printer::exact`).
    at: usize,
    truly_at: usize,
    /// The scale Chromium printed it at (`merge::first_matrix`).
    scale: Option<Vec<u8>>,
}

/// Prints the print edition, in chunks when it is big, keeping each chunk's PDF for the next
/// pass. A booklet of several chunks is printed by two browsers at once when a second one is
/// given (`launch_helper`, `new`): the first prints chunks from the front, each at its known
/// page; the second prints them from the back, each at the page it is expected at (the
/// numbers the pass before predicted, or its place then). A chunk printed at a wrong page is
/// measured where it truly falls and printed again before its pass can settle (`exact`).
#[derive(Default)]
pub struct Printer {
    chunks: Vec<Chunk>,
    /// How many sheets the chunks were planned for.
    planned_for: usize,
    /// The scale the chunks were printed at (`merge::first_matrix`), equal for all.
    scale: Option<Vec<u8>>,
    /// The last pass, when it printed the booklet whole.
    whole: Option<Whole>,
    /// What the browser's page holds around its sheets when it holds a chunk (`frame_of`).
    frame: Option<String>,
    /// The second browser, once started, and until then its start (`launch_helper`).
    helper: Option<Helper>,
    launching: Option<Launching>,
}

/// Bytes of print.html a page is guessed to take before any chunk is printed (the default
/// theme's pages take 3 to 4 KB).
const GUESSED_PAGE_BYTES: usize = 4000;

/// A second browser starting, confined to the print edition's folder.
pub type Launching = std::thread::JoinHandle<Result<Browser>>;

/// Starts a second browser for `print_html` when it is big enough to print in two or more
/// chunks a browser; `exe`: Chromium.
pub fn launch_helper(exe: &Path, print_html: &Path) -> Option<Launching> {
    let size = std::fs::metadata(print_html).ok()?.len();
    let budget = budget();
    if budget == 0 || size < 4 * budget as u64 {
        return None;
    }
    let (exe, folder) = (exe.to_path_buf(), print_html.parent()?.to_path_buf());
    Some(std::thread::spawn(move || {
        let mut browser = Browser::launch(&exe)?;
        browser.confine(&folder)?;
        Ok(browser)
    }))
}

/// The second browser and what its page holds (`frame_of`).
struct Helper {
    browser: Browser,
    frame: Option<String>,
}

/// A pass that printed the booklet in one piece: the print.html the browser's page holds (the
/// next pass replaces only the sheets that changed in it) and the PDF it printed.
struct Whole {
    html: String,
    pdf: lopdf::Document,
}

/// What the two browsers share while they print a pass's chunks.
struct Job<'a> {
    split: &'a Split<'a>,
    ids: Ids<'a>,
    frame: String,
    groups: Vec<Range<usize>>,
    /// The pass before's chunks, when planned alike.
    old: &'a [Chunk],
    /// The page of each id that the pass before measured or predicted.
    hint: &'a Numbers,
    /// The next chunk from the front and the end of those left.
    claims: Mutex<(usize, usize)>,
    /// Bytes and pages printed so far, for a guess where nothing else tells.
    rate: Mutex<(usize, usize)>,
    failed: AtomicBool,
}

/// One chunk a browser printed (`Some`), or found unchanged since the pass before (`None`).
type Done = (usize, Option<Chunk>);

impl Printer {
    /// A printer; `helper`: a second browser starting (`launch_helper`), which then prints
    /// chunks too.
    pub fn new(helper: Option<Launching>) -> Printer {
        Printer {
            launching: helper,
            ..Printer::default()
        }
    }

    /// Whether every chunk was printed at its page in the booklet: a pass that settles must
    /// be printed again where not (only those chunks are).
    pub fn exact(&self) -> bool {
        self.chunks.iter().all(|c| c.at == c.truly_at)
    }

    /// The second browser, for the caller to shut down with the first (waiting for it to
    /// start if it never printed).
    pub fn take_helper(&mut self) -> Option<Browser> {
        let launched = self.launching.take().and_then(|l| l.join().ok()?.ok());
        self.helper.take().map(|h| h.browser).or(launched)
    }

    /// The requests the second browser blocked since the last call.
    pub fn take_blocked(&mut self) -> Vec<String> {
        self.helper
            .as_mut()
            .map(|h| h.browser.take_blocked())
            .unwrap_or_default()
    }

    /// The whole booklet as the last pass printed it (its chunks joined), as a PDF document;
    /// the printer and its chunks' PDFs go with it, each as soon as it is joined.
    pub fn into_document(self) -> Result<merge::Joined> {
        if let Some(whole) = self.whole {
            return Ok(merge::Joined::whole(whole.pdf));
        }
        if !self.exact() {
            return Err(Error::Invariant(
                "a chunk printed at a guessed page was never printed where it falls".into(),
            ));
        }
        let parts: Vec<Part> = self
            .chunks
            .into_iter()
            .map(|c| Part {
                pdf: c.pdf,
                lead: c.lead,
                trail: 1,
            })
            .collect();
        merge::join(parts)
    }

    /// Prints `print_html` (tagged) and returns what the pass measures: the destinations and
    /// set lines of every page. The PDF is joined only when asked for (`into_document`).
    /// `hint`: the page each id is expected on (the layout's numbers).
    pub fn print(
        &mut self,
        browser: &mut Browser,
        print_html: &Path,
        hint: &Numbers,
    ) -> Result<Measured> {
        let html = std::fs::read_to_string(print_html).map_err(|e| Error::io(print_html, e))?;
        let budget = budget();
        let split = (budget > 0).then(|| split(&html)).flatten();
        let groups = match &split {
            Some(s) if self.planned_for == s.sheets.len() && !self.chunks.is_empty() => {
                self.chunks.iter().map(|c| c.sheets.clone()).collect()
            }
            Some(s) => plan(&s.sheets, budget),
            None => Vec::new(),
        };
        let Some(split) = split.filter(|_| groups.len() > 1) else {
            self.chunks.clear();
            return self.print_whole(browser, print_html, html);
        };
        self.whole = None;
        if self.planned_for != split.sheets.len() || self.chunks.len() != groups.len() {
            self.chunks.clear();
            self.planned_for = split.sheets.len();
            self.scale = None;
        }
        let old = std::mem::take(&mut self.chunks);
        let job = Job {
            ids: Ids::of(&split),
            frame: frame_of(&split),
            split: &split,
            claims: Mutex::new((0, groups.len())),
            groups,
            old: &old,
            hint,
            rate: Mutex::new((0, 0)),
            failed: AtomicBool::new(false),
        };
        let done = self.print_chunks(&job, browser, print_html)?;
        let chunks = collect(done, old)?;
        for chunk in &chunks {
            match (&chunk.scale, &self.scale) {
                (Some(a), Some(b)) if a != b => {
                    // Something sticks out of the page in one chunk and not in another, and
                    // Chromium shrank them differently: print the booklet whole.
                    self.planned_for = 0;
                    return self.print_whole(browser, print_html, html);
                }
                (Some(_), None) => self.scale = chunk.scale.clone(),
                _ => {}
            }
        }
        self.chunks = chunks;
        let mut measured = Measured::default();
        let mut truly_at = 0;
        for chunk in &mut self.chunks {
            chunk.truly_at = truly_at;
            measured.append(&chunk.measured, truly_at as i64 - chunk.at as i64);
            truly_at += chunk.pages;
        }
        Ok(measured)
    }

    /// Prints the chunks of `job` that changed, with the second browser too when there is
    /// one (started now if need be), and returns them by index.
    fn print_chunks(
        &mut self,
        job: &Job,
        browser: &mut Browser,
        print_html: &Path,
    ) -> Result<Vec<Done>> {
        let front_file = print_html.with_file_name(crate::output::names::PRINT_CHUNK);
        let back_file = print_html.with_file_name(crate::output::names::PRINT_CHUNK_BACK);
        let launching = self.launching.take();
        let mut helper = self.helper.take();
        let frame = &mut self.frame;
        let (front, back) = std::thread::scope(|scope| {
            let back = scope.spawn(|| {
                if let Some(launching) = launching {
                    // A browser that does not start leaves the printing to the first one.
                    helper = launching
                        .join()
                        .ok()
                        .and_then(Result::ok)
                        .map(|browser| Helper {
                            browser,
                            frame: None,
                        });
                }
                match helper.as_mut() {
                    Some(h) => job.work(false, &mut h.browser, &mut h.frame, &back_file),
                    None => Ok(Vec::new()),
                }
            });
            let front = job.work(true, browser, frame, &front_file);
            let back = back
                .join()
                .unwrap_or_else(|_| Err(Error::Invariant("a printing thread panicked".into())));
            (front, back)
        });
        self.helper = helper;
        let mut done = front?;
        done.extend(back?);
        Ok(done)
    }
}

impl Job<'_> {
    /// Prints chunks until none is left: from the front (`front`), each at the page the
    /// chunks before it end on, or from the back, each where it is expected.
    fn work(
        &self,
        front: bool,
        browser: &mut Browser,
        frame: &mut Option<String>,
        file: &Path,
    ) -> Result<Vec<Done>> {
        let mut done = Vec::new();
        let mut at = 0;
        while !self.failed.load(Ordering::Relaxed) {
            let claimed = {
                let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
                let (next, end) = &mut *claims;
                match (*next < *end, front) {
                    (false, _) => None,
                    (true, true) => {
                        *next += 1;
                        Some(*next - 1)
                    }
                    (true, false) => {
                        *end -= 1;
                        Some(*end)
                    }
                }
            };
            let Some(i) = claimed else { break };
            if !front {
                at = self.expected_at(i);
            }
            match self.print_one(i, at, browser, frame, file) {
                Ok((pages, chunk)) => {
                    at += pages;
                    done.push((i, chunk));
                }
                Err(e) => {
                    self.failed.store(true, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Ok(done)
    }

    /// The booklet pages expected before chunk `i`: where the pass before put an id its first
    /// sheet holds (measured or predicted), else where it put the chunk, else as many pages a
    /// byte as printed so far.
    fn expected_at(&self, i: usize) -> usize {
        let first = self.groups[i].start;
        if let Some(page) = self.ids.defined[first]
            .iter()
            .find_map(|id| self.hint.get(*id))
        {
            return (*page as usize).saturating_sub(1);
        }
        if let Some(old) = self.old.get(i) {
            return old.truly_at;
        }
        let sheets = &self.split.sheets;
        let before = sheets[first].start - sheets[0].start;
        let (bytes, pages) = *self.rate.lock().unwrap_or_else(|e| e.into_inner());
        match bytes {
            0 => before / GUESSED_PAGE_BYTES,
            _ => before * pages / bytes,
        }
    }

    /// Prints chunk `i` at `at` pages, unless the pass before printed it so; returns its pages.
    fn print_one(
        &self,
        i: usize,
        at: usize,
        browser: &mut Browser,
        frame: &mut Option<String>,
        file: &Path,
    ) -> Result<(usize, Option<Chunk>)> {
        let sheets = self.groups[i].clone();
        let stubs = self.ids.missing(sheets.clone());
        let chunk_html = assemble(self.split, sheets.clone(), at, &stubs);
        if let Some(kept) = self.old.get(i).filter(|c| c.html == chunk_html.full) {
            return Ok((kept.pages, None));
        }
        let lead = chunk_html.lead;
        let pdf = print_chunk(browser, frame, file, &self.frame, &chunk_html)?;
        let doc = super::inspect::load(&pdf, "the PDF of a chunk")?;
        let page_ids: Vec<_> = doc.get_pages().into_values().collect();
        let total = page_ids.len();
        let pages = total
            .checked_sub(lead + 1)
            .filter(|&p| p > 0)
            .ok_or_else(|| {
                Error::Invariant(format!(
                    "chunk {} printed {total} pages, not more than its {} padding pages",
                    i + 1,
                    lead + 1
                ))
            })?;
        {
            let mut rate = self.rate.lock().unwrap_or_else(|e| e.into_inner());
            rate.0 += chunk_html.main.len();
            rate.1 += pages;
        }
        let chunk = Chunk {
            scale: page_ids
                .get(lead)
                .and_then(|&p| merge::first_matrix(&doc, p)),
            measured: Measured::of_pages(&doc, lead, pages, at),
            sheets,
            html: chunk_html.full,
            pdf,
            lead,
            pages,
            at,
            truly_at: at,
        };
        Ok((pages, Some(chunk)))
    }
}

/// The pass's chunks in order: those printed, and the pass before's where unchanged.
fn collect(done: Vec<Done>, old: Vec<Chunk>) -> Result<Vec<Chunk>> {
    let mut old: Vec<Option<Chunk>> = old.into_iter().map(Some).collect();
    let mut slots: Vec<Option<Chunk>> = Vec::new();
    for (i, chunk) in done {
        if slots.len() <= i {
            slots.resize_with(i + 1, || None);
        }
        slots[i] = chunk.or_else(|| old.get_mut(i).and_then(Option::take));
    }
    slots
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.ok_or_else(|| Error::Invariant(format!("chunk {} was not printed", i + 1))))
        .collect()
}

/// Prints one chunk. The first is loaded from a file; the next ones only swap their
/// sheets, padding and page offset into the loaded chunk (`Browser::swap_chunk`), which is
/// the document the chunk's own file would load, without loading its style sheet, fonts and
/// script again: a few dozen milliseconds a chunk instead of a few hundred. `loaded`: what
/// the browser's page holds around its sheets (`frame_of`).
fn print_chunk(
    browser: &mut Browser,
    loaded: &mut Option<String>,
    file: &Path,
    frame: &str,
    chunk: &ChunkHtml,
) -> Result<Vec<u8>> {
    let url = url_of(file)?;
    if browser.showing(&url) && loaded.as_deref() == Some(frame) {
        browser.swap_chunk(&chunk.style, &chunk.padding, &chunk.main)?;
    } else {
        *loaded = None;
        std::fs::write(file, &chunk.full).map_err(|e| Error::io(file, e))?;
        let opened = browser.open(&url);
        let _ = std::fs::remove_file(file);
        opened?;
        *loaded = Some(frame.to_string());
    }
    browser.print(true)
}

impl Printer {
    /// Prints print.html in one piece. When the page holds the previous pass's print.html and
    /// only some sheets changed, those are replaced in the page (`Browser::replace_sheets`)
    /// instead of loading the whole file again: the same document, without parsing, styling
    /// and laying out the unchanged sheets for the screen first.
    fn print_whole(
        &mut self,
        browser: &mut Browser,
        print_html: &Path,
        html: String,
    ) -> Result<Measured> {
        let url = url_of(print_html)?;
        let patches = self
            .whole
            .take()
            .filter(|_| browser.showing(&url))
            .and_then(|old| changed_sheets(&old.html, &html));
        match patches {
            Some(patches) => browser.replace_sheets(&patches)?,
            None => browser.open(&url)?,
        }
        let pdf = super::inspect::load(&browser.print(true)?, "the PDF Chromium printed")?;
        let measured = Measured::of(&pdf);
        self.whole = Some(Whole { html, pdf });
        Ok(measured)
    }
}

/// The `file://` URL Chromium opens for a file of the scratch folder.
pub(super) fn url_of(path: &Path) -> Result<String> {
    url::Url::from_file_path(path)
        .map(String::from)
        .map_err(|()| Error::other(format!("cannot make a URL of {}", path.display())))
}

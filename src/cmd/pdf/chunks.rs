//! Cutting the print edition into chunks, which `printer` prints. Chromium's cost per page grows with the document (a
//! 3,000-page print.html costs four times more per page than a 300-page one), so a big booklet
//! is printed as copies of print.html that each hold a few dozen of its sheets, then joined
//! (`merge`). A chunk must print exactly the pages the whole document would:
//!
//! - it is cut only before a sheet: a top-level element of `<main>` whose class list has
//!   `sheet` (themes start every sheet on a new page, see print.css);
//! - it carries its page offset (`html { counter-reset: page N }`), and starts with one or two
//!   blank padding pages so that its first page falls on the side (left or right: binding
//!   margins, the corner of the number) it has in the booklet, and no page but the booklet's
//!   first is a `:first` page;
//! - it ends with one padding page holding an empty element for every id it links to that
//!   another chunk has (Chromium drops a link whose target is not in the document); the
//!   padding pages are dropped when joining, and the links resolve to the other chunks' pages.
//!
//! A booklet printed whole stays loaded in the browser's page, and a later pass replaces in it
//! only the sheets that changed (`changed_sheets`), which is the document the new print.html
//! would load.

use std::ops::Range;

use crate::text::html::{tag_len, tag_name};

/// About how many bytes of print.html a chunk holds (≈ 40 pages of the default theme).
/// `LIVRET_PDF_CHUNK_BYTES` sets it (benchmarks, tests); 0 prints in one piece.
const CHUNK_BYTES: usize = 160_000;
/// The environment variable that overrides `CHUNK_BYTES`.
pub const CHUNK_ENV: &str = "LIVRET_PDF_CHUNK_BYTES";

/// About how many bytes of print.html a chunk holds (`CHUNK_BYTES`, or `CHUNK_ENV`).
pub(super) fn budget() -> usize {
    std::env::var(CHUNK_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CHUNK_BYTES)
}

/// Elements without an end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
/// Elements whose content is text up to their end tag.
const RAW: [&str; 4] = ["script", "style", "textarea", "title"];

/// print.html cut into sheets: `html[..main]` comes before `<main>`, `html[main..body]` is
/// its start tag, the sheets cover `html[body..end]`, and `html[end..]` follows.
pub(super) struct Split<'a> {
    pub(super) html: &'a str,
    main: usize,
    body: usize,
    pub(super) sheets: Vec<Range<usize>>,
    end: usize,
}

/// The sheets of `new` that differ from `old`'s, by index, with their HTML; `None` when
/// anything else differs (the head, the sheets' number, what follows them), or neither
/// splits into sheets.
pub(super) fn changed_sheets(old: &str, new: &str) -> Option<Vec<(usize, String)>> {
    let (a, b) = (split(old)?, split(new)?);
    fn outside<'a>(s: &Split<'a>) -> (&'a str, &'a str) {
        let first = s.sheets.first().map_or(s.end, |r| r.start);
        (&s.html[..first], &s.html[s.end..])
    }
    if a.sheets.len() != b.sheets.len() || outside(&a) != outside(&b) {
        return None;
    }
    Some(
        a.sheets
            .iter()
            .zip(&b.sheets)
            .enumerate()
            .filter(|(_, (x, y))| a.html[(*x).clone()] != b.html[(*y).clone()])
            .map(|(i, (_, y))| (i, b.html[y.clone()].to_string()))
            .collect(),
    )
}

/// Groups consecutive sheets into chunks of about `budget` bytes; a chunk starts only before
/// a sheet that starts a page (`starts`).
pub(super) fn plan(sheets: &[Range<usize>], budget: usize) -> Vec<Range<usize>> {
    let mut groups = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, sheet) in sheets.iter().enumerate() {
        if i > start && bytes + sheet.len() > budget {
            groups.push(start..i);
            start = i;
            bytes = 0;
        }
        bytes += sheet.len();
    }
    if start < sheets.len() {
        groups.push(start..sheets.len());
    }
    groups
}

/// One chunk of print.html: the file as a browser would load it, and the parts that differ
/// from one chunk to the next (what `Browser::swap_chunk` replaces in a loaded chunk).
pub(super) struct ChunkHtml {
    /// The whole file.
    pub(super) full: String,
    /// How many padding pages it starts with.
    pub(super) lead: usize,
    /// The text of its `<style data-livret-chunk>` (its page offset, or nothing).
    pub(super) style: String,
    /// Its padding elements, just before `<main>`.
    pub(super) padding: String,
    /// The content of its `<main>`: its sheets and the padding page of stubs.
    pub(super) main: String,
}

/// The padding elements of a chunk, marked so that a swap finds them.
const LEAD_DIV: &str =
    "<div data-livret-lead aria-hidden=\"true\" style=\"break-after:page;height:1px\"></div>";

/// One chunk's HTML. `offset`: the booklet's pages before it.
pub(super) fn assemble(
    split: &Split,
    sheets: Range<usize>,
    offset: usize,
    stubs: &[&str],
) -> ChunkHtml {
    let html = split.html;
    let lead = match offset {
        0 => 0,
        n if n % 2 == 0 => 2,
        _ => 1,
    };
    let style = match lead {
        0 => String::new(),
        _ => format!("html{{counter-reset:page {}}}", offset - lead),
    };
    // Not empty: Chromium lets two empty blocks with forced breaks share a page.
    let padding = LEAD_DIV.repeat(lead);
    let mut main = String::with_capacity(
        split.sheets[sheets.clone()]
            .iter()
            .map(Range::len)
            .sum::<usize>()
            + 64 * stubs.len()
            + 128,
    );
    if let (Some(first), Some(last)) = (
        split.sheets.get(sheets.start),
        split.sheets.get(sheets.end - 1),
    ) {
        main.push_str(&html[first.start..last.end]);
    }
    main.push_str("<div aria-hidden=\"true\" style=\"break-before:page;height:1px\">");
    for id in stubs {
        main.push_str(&format!("<div id=\"{id}\"></div>"));
    }
    main.push_str("</div>");
    let before = &html[..split.main];
    let head_end = before.rfind("</head>").unwrap_or(0);
    let mut full = String::with_capacity(main.len() + html.len() - (split.end - split.body) + 256);
    full.push_str(&before[..head_end]);
    full.push_str(&format!("<style data-livret-chunk>{style}</style>"));
    full.push_str(&before[head_end..]);
    full.push_str(&padding);
    full.push_str(&html[split.main..split.body]);
    full.push_str(&main);
    full.push_str(&html[split.end..]);
    ChunkHtml {
        full,
        lead,
        style,
        padding,
        main,
    }
}

/// What every chunk of `split` shares: print.html around its sheets. A loaded chunk can take
/// another's sheets (`Browser::swap_chunk`) only when this is the same.
pub(super) fn frame_of(split: &Split) -> String {
    format!("{}{}", &split.html[..split.body], &split.html[split.end..])
}

/// The ids each sheet defines, and the fragment links it makes.
pub(super) struct Ids<'a> {
    pub(super) defined: Vec<Vec<&'a str>>,
    linked: Vec<Vec<&'a str>>,
    all: std::collections::HashSet<&'a str>,
}

impl<'a> Ids<'a> {
    pub(super) fn of(split: &Split<'a>) -> Ids<'a> {
        let values = |text: &'a str, key: &str| -> Vec<&'a str> {
            text.match_indices(key)
                .filter_map(|(at, _)| {
                    let rest = &text[at + key.len()..];
                    rest.find('"').map(|end| &rest[..end])
                })
                .collect()
        };
        let mut ids = Ids {
            defined: Vec::new(),
            linked: Vec::new(),
            all: Default::default(),
        };
        for sheet in &split.sheets {
            let text = &split.html[sheet.clone()];
            let defined = values(text, " id=\"");
            ids.all.extend(defined.iter().copied());
            ids.defined.push(defined);
            ids.linked.push(values(text, " href=\"#"));
        }
        ids
    }

    /// The ids the sheets link to that other sheets define, sorted, once each.
    pub(super) fn missing(&self, sheets: Range<usize>) -> Vec<&'a str> {
        let here: std::collections::HashSet<&str> = self.defined[sheets.clone()]
            .iter()
            .flatten()
            .copied()
            .collect();
        let wanted: std::collections::BTreeSet<&'a str> = self.linked[sheets]
            .iter()
            .flatten()
            .copied()
            .filter(|id| !here.contains(id) && self.all.contains(id))
            .collect();
        wanted.into_iter().collect()
    }
}

/// Cuts print.html before each sheet of `<main>`; `None` when it has no `<main>`, its
/// elements do not nest as written (an end tag left out), or a top-level element before the
/// first sheet is not one.
pub(super) fn split(html: &str) -> Option<Split<'_>> {
    let main = find_tag(html, "main", 0)?;
    html[..main].find("</head>")?;
    let body = main + tag_len(&html[main..])?;
    let bytes = html.as_bytes();
    let mut cuts = Vec::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut at = body;
    let end = loop {
        let lt = at + memchr::memchr(b'<', &bytes[at..])?;
        let rest = &html[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            at = lt + 4 + comment.find("-->")? + 3;
        } else if rest.starts_with("</") {
            let name = tag_name(rest).1;
            match stack.pop() {
                // `</main>`: the end of the sheets.
                None if name.eq_ignore_ascii_case("main") => break lt,
                Some(open) if open.eq_ignore_ascii_case(name) => {}
                _ => return None,
            }
            at = lt + rest.find('>')? + 1;
        } else if rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            let name = tag_name(rest).1;
            let tag_len = tag_len(rest)?;
            let tag = &rest[..tag_len];
            if stack.is_empty() {
                if is_sheet(tag) {
                    cuts.push(lt);
                } else if cuts.is_empty() {
                    return None;
                }
            }
            at = lt + tag_len;
            if RAW.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                let close = format!("</{name}");
                at += html[at..].find(&close)?;
                stack.push(name);
            } else if !(VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) || tag.ends_with("/>")) {
                stack.push(name);
            }
        } else {
            at = lt + 1;
        }
    };
    let first = *cuts.first()?;
    if !html[body..first].trim().is_empty() {
        return None;
    }
    let sheets = cuts
        .iter()
        .zip(cuts.iter().skip(1).chain(std::iter::once(&end)))
        .map(|(&a, &b)| a..b)
        .collect();
    Some(Split {
        html,
        main,
        body,
        sheets,
        end,
    })
}

/// The first `<name` start tag at or after `from`.
fn find_tag(html: &str, name: &str, from: usize) -> Option<usize> {
    let needle = format!("<{name}");
    let mut at = from;
    while let Some(i) = html[at..].find(&needle) {
        let i = at + i;
        let next = html[i + needle.len()..].chars().next()?;
        if next == '>' || next.is_ascii_whitespace() {
            return Some(i);
        }
        at = i + needle.len();
    }
    None
}

/// Whether a start tag's class list holds `sheet`.
fn is_sheet(tag: &str) -> bool {
    let Some(at) = tag.find(" class=\"") else {
        return false;
    };
    let rest = &tag[at + 8..];
    rest[..rest.find('"').unwrap_or(rest.len())]
        .split_ascii_whitespace()
        .any(|c| c == "sheet")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<!DOCTYPE html><html><head><title>t</title><style>p{}</style></head>\
        <body><nav>x</nav><main>\n\
        <section class=\"sheet cover\"><h1 id=\"top\">T</h1><img src=\"a.png\"></section>\n\
        <div class=\"sheet sheet-page\" id=\"a\"><a href=\"#b\">b</a><br><!-- </div> --></div>\n\
        <div class=\"sheet\" id=\"b\"><a href=\"#a\">a</a><a href=\"#nowhere\">?</a>\
        <script>if (1 < 2) {}</script></div>\n\
        </main></body></html>";

    #[test]
    fn only_the_sheets_that_changed_are_replaced() -> crate::error::TestResult {
        assert_eq!(changed_sheets(PAGE, PAGE), Some(Vec::new()));
        let edited = PAGE.replace(">b</a>", ">bee</a>");
        let changed = changed_sheets(PAGE, &edited).ok_or("no sheets")?;
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].0, 1);
        assert!(
            changed[0]
                .1
                .starts_with("<div class=\"sheet sheet-page\" id=\"a\">")
        );
        assert!(changed[0].1.contains(">bee</a>") && changed[0].1.ends_with("</div>\n"));
        // Anything outside the sheets, or another number of sheets: the page is loaded again.
        assert_eq!(changed_sheets(PAGE, &PAGE.replace("p{}", "p{x:y}")), None);
        assert_eq!(
            changed_sheets(PAGE, &PAGE.replace("<nav>x", "<nav>y")),
            None
        );
        let one_less = PAGE.replace("<div class=\"sheet\" id=\"b\">", "<div id=\"b\">");
        assert_eq!(changed_sheets(PAGE, &one_less), None);
        Ok(())
    }

    #[test]
    fn cuts_before_each_sheet_of_main() -> crate::error::TestResult {
        let s = split(PAGE).ok_or("the page does not split")?;
        let sheets: Vec<&str> = s.sheets.iter().map(|r| &PAGE[r.clone()]).collect();
        assert_eq!(sheets.len(), 3);
        assert!(sheets[0].starts_with("<section class=\"sheet cover\">"));
        assert!(sheets[1].starts_with("<div class=\"sheet sheet-page\" id=\"a\">"));
        assert!(sheets[2].trim_end().ends_with("</div>"));
        assert_eq!(&PAGE[s.end..], "</main></body></html>");
        Ok(())
    }

    #[test]
    fn html_it_cannot_cut_safely_is_printed_whole() {
        // An end tag left out, no <main>, a top-level element that is not a sheet.
        assert!(split(&PAGE.replace("<br><!--", "<p><!--")).is_none());
        assert!(split(&PAGE.replace("main>", "div>")).is_none());
        assert!(split(&PAGE.replace("<main>\n", "<main><p>intro</p>")).is_none());
    }

    #[test]
    fn a_chunk_carries_its_offset_side_and_the_targets_of_its_links() -> crate::error::TestResult {
        let s = split(PAGE).ok_or("the page does not split")?;
        let ids = Ids::of(&s);
        // Sheet 1 links to #b (sheet 2); #nowhere is nobody's, so it gets no stub.
        assert_eq!(ids.missing(1..2), vec!["b"]);
        assert_eq!(ids.missing(2..3), vec!["a"]);
        assert!(ids.missing(0..3).is_empty());
        // After 3 pages, the chunk's first page is page 4, a left page: one padding page,
        // numbered 3.
        let chunk = assemble(&s, 1..2, 3, &["b"]);
        let (html, lead) = (&chunk.full, chunk.lead);
        assert_eq!(lead, 1);
        assert!(
            html.contains("<style data-livret-chunk>html{counter-reset:page 2}</style></head>")
        );
        // The parts a swap puts into a loaded chunk are the file's.
        assert!(html.contains(&format!("{}<main>{}</main>", chunk.padding, chunk.main)));
        assert_eq!(chunk.style, "html{counter-reset:page 2}");
        assert_eq!(html.matches("break-after:page").count(), 1);
        assert!(html.contains("<div id=\"b\"></div>"));
        assert!(!html.contains("cover"));
        // After 4 pages: page 5, a right page, but not the first: two padding pages.
        let chunk = assemble(&s, 2..3, 4, &[]);
        let (html, lead) = (&chunk.full, chunk.lead);
        assert_eq!(lead, 2);
        assert!(html.contains("counter-reset:page 2}"));
        // The first chunk starts the booklet: no padding, no counter.
        let chunk = assemble(&s, 0..1, 0, &[]);
        let (html, lead) = (&chunk.full, chunk.lead);
        assert_eq!(lead, 0);
        assert!(chunk.padding.is_empty() && chunk.style.is_empty());
        assert!(!html.contains("counter-reset"));
        assert!(html.starts_with("<!DOCTYPE html>"));
        Ok(())
    }

    #[test]
    fn chunks_group_sheets_up_to_the_budget() {
        let sheets = [0..40, 40..80, 80..200, 200..210];
        assert_eq!(plan(&sheets, 100), vec![0..2, 2..3, 3..4]);
        assert_eq!(plan(&sheets, 1000), vec![0..4]);
        assert_eq!(plan(&sheets, 1), vec![0..1, 1..2, 2..3, 3..4]);
    }
}

//! Notes where they are read, in the print edition: each note goes right after the block that
//! first calls it (the paragraph, or the whole list, quote, heading or key figures around the
//! call), as a group the theme draws as page-foot notes (short rule, small type) and keeps
//! with that block. Chromium has no `float: footnote`, so this is the layout `livret pdf`
//! prints; engines that have it (WeasyPrint, Prince) get a copy of each note at its call,
//! which the theme floats to the foot of the call's page under `@supports (float: footnote)`
//! while hiding the groups, so no engine shows a note twice.
//!
//! This works on the rendered HTML of one print item, so that any template placing note calls
//! anywhere gets them placed: it knows the HTML livret writes (every `<` starts a tag, every
//! element is closed), not HTML at large.

use super::context::NoteCtx;
use crate::text::html;

/// Elements a note group may be written into, after their child holding the call.
const CONTAINERS: &[&str] = &[
    "div", "section", "article", "aside", "main", "body", "nav", "footer",
];

/// Elements without a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Tags a note's own HTML may hold that cannot sit in a `<span>` at its call.
const BLOCK_TAGS: &[&str] = &[
    "<p>",
    "<p ",
    "<ul",
    "<ol",
    "<div",
    "<blockquote",
    "<table",
    "<pre",
    "<h1",
    "<h2",
    "<h3",
    "<h4",
    "<h5",
    "<h6",
    "<hr",
];

/// How the theme writes notes.
pub trait NoteMarkup {
    /// A group of notes, in flow after the block that calls them.
    fn group(&mut self, notes: &[&NoteCtx]) -> crate::error::Result<String>;
    /// The copy of a note at its call for `float: footnote` (`inline`: it sits inside the
    /// calling paragraph; otherwise it goes before the group, as a block).
    fn float(&mut self, note: &NoteCtx, inline: bool) -> crate::error::Result<String>;
}

/// One open element.
struct Open<'a> {
    name: &'a str,
    /// A note call's `<sup>`: the note whose copy goes after its end tag.
    call: Option<usize>,
}

/// Notes waiting for the end of the element at `depth` in the stack.
struct Pending {
    depth: usize,
    notes: Vec<usize>,
}

/// The item's HTML with each note written after the block that first calls it. Notes never
/// called in `html` (nor by a placed note) are written at the end of the item's `<article>`.
pub fn place(
    html: &str,
    notes: &[NoteCtx],
    markup: &mut dyn NoteMarkup,
) -> crate::error::Result<String> {
    if notes.is_empty() {
        return Ok(html.to_string());
    }
    let mut placer = Placer {
        notes,
        called: vec![false; notes.len()],
        floated: vec![false; notes.len()],
        out: String::with_capacity(
            html.len() + notes.iter().map(|n| 2 * n.html.len()).sum::<usize>() + 512,
        ),
        markup,
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        placer.out.push_str(&rest[..lt]);
        let tail = &rest[lt..];
        let len = html::tag_len(tail).unwrap_or(tail.len());
        let tag = &tail[..len];
        rest = &tail[len..];
        placer.out.push_str(tag);
        match parse(tag) {
            Tag::Start(name) => {
                let call = match (name, stack.last()) {
                    ("a", Some(Open { name: "sup", .. })) => placer.call_in(tag),
                    _ => None,
                };
                if let Some(n) = call {
                    // The call's <sup> is the top of the stack; the note's copy follows it.
                    let sup = stack.len() - 1;
                    stack[sup].call = Some(n);
                    let depth = host(&stack);
                    match pending.last_mut() {
                        Some(p) if p.depth == depth => p.notes.push(n),
                        _ => pending.push(Pending {
                            depth,
                            notes: vec![n],
                        }),
                    }
                }
                if !VOID.contains(&name) && !tag.ends_with("/>") {
                    stack.push(Open { name, call: None });
                }
            }
            Tag::End(name) => {
                let Some(at) = stack.iter().rposition(|o| o.name == name) else {
                    continue;
                };
                let in_link = stack[..at].iter().any(|o| o.name == "a");
                let closed = stack.split_off(at);
                if let Some(n) = closed[0].call {
                    placer.float_inline(n, in_link)?;
                }
                while pending.last().is_some_and(|p| p.depth >= at) {
                    let group = pending.pop().map(|p| p.notes).unwrap_or_default();
                    placer.group(group)?;
                }
            }
            Tag::Other => {}
        }
    }
    placer.out.push_str(rest);
    for p in pending.into_iter().rev() {
        placer.group(p.notes)?;
    }
    placer.leftovers()
}

struct Placer<'a, 'm> {
    notes: &'a [NoteCtx],
    /// Each note's call was met (its group is pending or written).
    called: Vec<bool>,
    /// Each note's copy for `float: footnote` is written.
    floated: Vec<bool>,
    out: String,
    markup: &'m mut dyn NoteMarkup,
}

impl Placer<'_, '_> {
    /// The note an `<a>` start tag inside a `<sup>` calls for the first time, if any.
    fn call_in(&mut self, tag: &str) -> Option<usize> {
        let href = attr(tag, "href")?.strip_prefix('#')?;
        let n = self.notes.iter().position(|note| note.id == href)?;
        (!self.called[n]).then(|| {
            self.called[n] = true;
            n
        })
    }

    /// The copy of note `n` right after its call, when it can sit there.
    fn float_inline(&mut self, n: usize, in_link: bool) -> crate::error::Result<()> {
        let note = &self.notes[n];
        if in_link || BLOCK_TAGS.iter().any(|t| note.html.contains(t)) {
            return Ok(());
        }
        let copy = self.markup.float(&without_ids(note), true)?;
        self.out.push_str(&copy);
        self.floated[n] = true;
        Ok(())
    }

    /// Writes a group: `notes` and, after them, the notes they call that were not placed yet.
    fn group(&mut self, mut notes: Vec<usize>) -> crate::error::Result<()> {
        let mut next = 0;
        while next < notes.len() {
            let html = &self.notes[notes[next]].html;
            for (n, note) in self.notes.iter().enumerate() {
                if !self.called[n] && html.contains(&format!("href=\"#{}\"", note.id)) {
                    self.called[n] = true;
                    notes.push(n);
                }
            }
            next += 1;
        }
        for &n in &notes {
            if !self.floated[n] {
                self.floated[n] = true;
                let copy = self.markup.float(&without_ids(&self.notes[n]), false)?;
                self.out.push_str(&copy);
            }
        }
        let group: Vec<&NoteCtx> = notes.iter().map(|&n| &self.notes[n]).collect();
        let html = self.markup.group(&group)?;
        self.out.push_str(&html);
        Ok(())
    }

    /// The output, with the notes never called written at the end of the `<article>`.
    fn leftovers(mut self) -> crate::error::Result<String> {
        let left: Vec<usize> = (0..self.notes.len()).filter(|&n| !self.called[n]).collect();
        if left.is_empty() {
            return Ok(self.out);
        }
        let tail = self
            .out
            .rfind("</article>")
            .map(|at| self.out.split_off(at));
        left.iter().for_each(|&n| self.called[n] = true);
        self.group(left)?;
        self.out.push_str(&tail.unwrap_or_default());
        Ok(self.out)
    }
}

/// The element holding a call that its notes follow: the child, on the call's path, of the
/// innermost container (a paragraph, a list, a quote's figure, a heading…).
fn host(stack: &[Open]) -> usize {
    stack
        .iter()
        .rposition(|o| CONTAINERS.contains(&o.name))
        .map_or(0, |c| c + 1)
}

/// A note's copy without the ids its calls of other notes carry (they stay unique).
fn without_ids(note: &NoteCtx) -> NoteCtx {
    let mut html = String::with_capacity(note.html.len());
    let mut rest = note.html.as_str();
    while let Some(at) = rest.find(" id=\"") {
        html.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    html.push_str(rest);
    NoteCtx {
        html,
        ..note.clone()
    }
}

enum Tag<'a> {
    Start(&'a str),
    End(&'a str),
    /// A comment, a doctype, or a lone `<`.
    Other,
}

fn parse(tag: &str) -> Tag<'_> {
    match html::tag_name(tag) {
        (_, "") => Tag::Other,
        (true, name) => Tag::End(name),
        (false, name) => Tag::Start(name),
    }
}

/// The value of attribute `name` in a start tag, as written.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let value = &tag[at..];
    Some(&value[..value.find('"')?])
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl NoteMarkup for Plain {
        fn group(&mut self, notes: &[&NoteCtx]) -> crate::error::Result<String> {
            let ids: Vec<&str> = notes.iter().map(|n| n.id.as_str()).collect();
            Ok(format!("<G {}>", ids.join(",")))
        }
        fn float(&mut self, note: &NoteCtx, inline: bool) -> crate::error::Result<String> {
            Ok(format!(
                "<F{} {}>",
                if inline { "i" } else { "b" },
                note.html
            ))
        }
    }

    fn note(n: u32, html: &str) -> NoteCtx {
        NoteCtx {
            number: n,
            id: format!("note-{n}"),
            ref_id: format!("ref-{n}-1"),
            html: html.into(),
        }
    }

    fn call(n: u32, k: u32) -> String {
        format!("<sup class=\"note-ref\"><a href=\"#note-{n}\" id=\"ref-{n}-{k}\">{n}</a></sup>")
    }

    fn placed(html: &str, notes: &[NoteCtx]) -> crate::error::Result<String> {
        place(html, notes, &mut Plain)
    }

    #[test]
    fn a_note_follows_the_paragraph_that_calls_it() -> crate::error::TestResult {
        let html = format!(
            "<article><div class=\"prose\"><p>a{}b <em>c</em></p><p>d</p></div></article>",
            call(3, 1)
        );
        let out = placed(&html, &[note(3, "Trois")])?;
        assert_eq!(
            out,
            format!(
                "<article><div class=\"prose\"><p>a{}<Fi Trois>b <em>c</em></p><G note-3><p>d</p></div></article>",
                call(3, 1)
            )
        );
        Ok(())
    }

    #[test]
    fn lists_quotes_and_headings_are_kept_whole() -> crate::error::TestResult {
        let html = format!(
            "<article><header><h3>T{}</h3></header><section><ul><li><span>x{}</span></li><li>y</li></ul></section>\
             <figure class=\"quote\"><blockquote><p>q{}</p></blockquote></figure></article>",
            call(1, 1),
            call(2, 1),
            call(3, 1)
        );
        let out = placed(&html, &[note(1, "Un"), note(2, "Deux"), note(3, "Trois")])?;
        assert!(out.contains("</header><G note-1><section>"), "{out}");
        assert!(out.contains("<li>y</li></ul><G note-2></section>"), "{out}");
        assert!(out.contains("</figure><G note-3></article>"), "{out}");
        Ok(())
    }

    #[test]
    fn calls_in_one_block_share_a_group_and_a_second_call_adds_nothing() -> crate::error::TestResult
    {
        let html = format!(
            "<div><p>a{}b{}</p><p>c{}</p></div>",
            call(1, 1),
            call(2, 1),
            call(1, 2)
        );
        let out = placed(&html, &[note(1, "Un"), note(2, "Deux")])?;
        assert_eq!(out.matches("<G").count(), 1, "{out}");
        assert!(out.contains("</p><G note-1,note-2><p>c"), "{out}");
        assert_eq!(out.matches("<Fi").count(), 2, "{out}");
        Ok(())
    }

    #[test]
    fn a_note_called_by_a_note_joins_its_group_and_copies_lose_their_ids()
    -> crate::error::TestResult {
        let html = format!("<div><p>a{}</p></div>", call(1, 1));
        let out = placed(
            &html,
            &[note(1, &format!("Voir{}", call(2, 1))), note(2, "Deux")],
        )?;
        assert!(out.contains("<G note-1,note-2>"), "{out}");
        assert!(
            !out.contains("<Fi Voir<sup class=\"note-ref\"><a href=\"#note-2\" id="),
            "{out}"
        );
        assert!(out.contains("<Fb Deux><G"), "{out}");
        Ok(())
    }

    #[test]
    fn a_call_inside_a_link_or_a_note_with_paragraphs_floats_before_its_group()
    -> crate::error::TestResult {
        let html = format!(
            "<div><p><a href=\"x\">lien{}</a> et{}</p></div>",
            call(1, 1),
            call(2, 1)
        );
        let out = placed(
            &html,
            &[note(1, "<a href=\"y\">y</a>"), note(2, "<p>a</p><p>b</p>")],
        )?;
        assert!(!out.contains("<Fi"), "{out}");
        assert!(
            out.contains(
                "</p><Fb <a href=\"y\">y</a>><Fb <p>a</p><p>b</p>><G note-1,note-2></div>"
            ),
            "{out}"
        );
        Ok(())
    }

    #[test]
    fn uncalled_notes_end_the_article_and_odd_html_is_copied() -> crate::error::TestResult {
        let html = "<article><p>a &lt; b <!-- <p> --> <img src=\"x>y\"></p></article><x>";
        let out = placed(html, &[note(1, "Un")])?;
        assert_eq!(
            out,
            "<article><p>a &lt; b <!-- <p> --> <img src=\"x>y\"></p><Fb Un><G note-1></article><x>"
        );
        assert_eq!(placed("<p>a</p>", &[])?, "<p>a</p>");
        Ok(())
    }
}

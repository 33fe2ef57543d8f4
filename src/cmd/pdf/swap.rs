//! Changing the document loaded in the browser's page instead of loading another one: the
//! sheets that changed since the last pass (a booklet printed whole), or the next chunk's
//! sheets (a booklet printed in chunks). `chunks` decides when the result is the document the
//! new file would load.

use serde_json::json;

use super::chromium::Browser;
use crate::error::{Error, Result};

impl Browser {
    /// Replaces sheets of the page (`index`: the n-th top-level `.sheet` of `<main>`, with
    /// whatever follows it up to the next one) by new HTML, as the parser would have built
    /// them, then waits for their images and fonts (`change_page`). `chunks` decides when that is the same
    /// document as loading the new file.
    pub fn replace_sheets(&mut self, sheets: &[(usize, String)]) -> Result<()> {
        let patches = serde_json::to_string(sheets).map_err(|e| Error::other(e.to_string()))?;
        let expression = format!(
            "(async (patches) => {{
              const main = document.querySelector('main');
              const sheets = [...main.children].filter(e => e.classList.contains('sheet'));
              for (const [i, html] of patches.reverse()) {{
                const end = sheets[i + 1] || null;
                for (let n = sheets[i]; n && n !== end; ) {{ const next = n.nextSibling; n.remove(); n = next; }}
                if (end) end.insertAdjacentHTML('beforebegin', html);
                else main.insertAdjacentHTML('beforeend', html);
              }}
            }})({patches})"
        );
        self.change_page(&expression, "replacing the sheets that changed")
    }

    /// Turns the loaded chunk of print.html (`chunks`) into another: the text of its
    /// `<style data-livret-chunk>`, its padding elements before `<main>` (those marked
    /// `data-livret-lead`) and the content of `<main>` are replaced, as the parser would have
    /// built them from the other chunk's file, then its images and fonts are awaited.
    pub fn swap_chunk(&mut self, style: &str, padding: &str, main: &str) -> Result<()> {
        let parts = serde_json::to_string(&[style, padding, main])
            .map_err(|e| Error::other(e.to_string()))?;
        let expression = format!(
            "(async ([style, padding, html]) => {{
              document.querySelector('style[data-livret-chunk]').textContent = style;
              for (const e of document.querySelectorAll('[data-livret-lead]')) e.remove();
              const main = document.querySelector('main');
              main.insertAdjacentHTML('beforebegin', padding);
              main.innerHTML = html;
            }})({parts})"
        );
        self.change_page(&expression, "swapping the next chunk into the page")
    }

    /// Runs `change` (a JavaScript expression that changes the page; it may return a promise),
    /// then waits for the page's images and fonts. On failure the page no longer holds what
    /// `open` loaded, and the error says `what` failed.
    fn change_page(&mut self, change: &str, what: &str) -> Result<()> {
        let expression = format!(
            "(async () => {{
              await ({change});
              await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
              await document.fonts.ready;
              return 1;
            }})()"
        );
        let done = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
        )?;
        if done["exceptionDetails"].is_object() || done["result"]["value"].as_u64() != Some(1) {
            self.showing = None;
            return Err(self.failure(&format!("{what} failed")));
        }
        Ok(())
    }
}

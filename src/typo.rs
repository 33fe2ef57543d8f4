//! French typography (placeholder until the full rule set lands).
#[derive(Default)]
pub struct French;
impl French {
    pub fn new() -> Self {
        French
    }
    pub fn reset(&mut self) {}
    pub fn finish(&mut self, _out: &mut String) {}
    pub fn push_html(&mut self, text: &str, out: &mut String) {
        crate::markdown::html_escape(text, out)
    }
    pub fn push_plain(&mut self, text: &str, out: &mut String) {
        out.push_str(text)
    }
}
pub fn french_plain(text: &str) -> String {
    text.to_string()
}

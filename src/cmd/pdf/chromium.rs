//! Headless Chromium, driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
//! the browser reads NUL-terminated JSON commands on fd 3 and answers on fd 4). One browser
//! serves every pass of `livret pdf`: open a page, wait for it and its fonts, print it to PDF.
//! Finding the browser, its throw-away profile, timeouts and shutdown live here too.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Names looked up on `PATH`, in this order.
pub const NAMES: [&str; 5] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
];
/// Where browsers install themselves off `PATH`, tried after `NAMES`: macOS's applications
/// (Chrome, Chromium, Edge) and Ubuntu's snap Chromium. Windows is not here: `livret pdf` needs
/// Unix pipes (see chromium_other.rs).
pub const INSTALLED: [&str; 4] = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/snap/bin/chromium",
];
/// The environment variable that names the browser when `--chromium` is not given.
pub const ENV: &str = "LIVRET_CHROMIUM";

/// How long one protocol call or page load may take before livret gives up.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// How long printing may take: thousands of pages take minutes.
const PRINT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// The first version that prints page margin boxes (page numbers, running title).
pub const MIN_VERSION: u32 = 131;

/// The flags every run uses: headless, no sandbox (containers, CI), nothing fetched from the
/// network (no background requests, and no host name resolves: a second belt behind the
/// request blocking of `Browser::confine`), no GPU, no first-run or sync machinery.
const FLAGS: [&str; 9] = [
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
];

/// Finds the browser: `--chromium PATH`, else `$LIVRET_CHROMIUM`, else the first of `NAMES` on
/// `PATH`. The error says how to get one.
pub fn find(explicit: Option<&Path>) -> Result<PathBuf> {
    let given = explicit
        .map(|p| (p.to_path_buf(), "--chromium"))
        .or_else(|| {
            std::env::var_os(ENV)
                .filter(|v| !v.is_empty())
                .map(|v| (PathBuf::from(v), ENV))
        });
    if let Some((path, from)) = given {
        let resolved = if path.components().count() == 1 && !path.is_file() {
            which(path.as_os_str())
        } else {
            Some(path.clone())
        };
        return match resolved {
            Some(p) if p.is_file() => Ok(p),
            _ => Err(Error::Usage(format!(
                "{from} names {}, which is not a file: give the path of a Chromium or Chrome \
                 executable (for example /usr/bin/chromium)",
                path.display()
            ))),
        };
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    locate(
        std::env::var_os("PATH").as_deref(),
        Path::new("/"),
        home.as_deref(),
    )
    .ok_or_else(|| {
        Error::other(format!(
            "no Chromium found: `livret pdf` prints with headless Chromium, Chrome or Edge \
             (version 131 or later), looked up on PATH as {}, then in {}.",
            NAMES.join(", "),
            INSTALLED.join(", ")
        ))
        .with_help(format!(
            "install one (Debian/Ubuntu: `sudo apt install chromium` or `sudo snap install \
             chromium`; Fedora: `sudo dnf install chromium`; macOS: install Google Chrome in \
             /Applications), or point to it with `--chromium PATH` or {ENV}=PATH"
        ))
    })
}

/// The first browser of `NAMES` on `path_var`, else of `INSTALLED` under `root` (`/`; a fake
/// folder in tests), else under `home` (macOS's per-user ~/Applications).
fn locate(path_var: Option<&std::ffi::OsStr>, root: &Path, home: Option<&Path>) -> Option<PathBuf> {
    let on_path = path_var.and_then(|paths| {
        let dirs: Vec<PathBuf> = std::env::split_paths(paths).collect();
        NAMES
            .iter()
            .find_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file()))
    });
    let bases = std::iter::once(root).chain(home);
    on_path.or_else(|| {
        bases
            .flat_map(|base| INSTALLED.iter().map(move |p| base.join(&p[1..])))
            .find(|p| p.is_file())
    })
}

fn which(name: &std::ffi::OsStr) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A running headless browser with one page attached.
pub struct Browser {
    child: Child,
    commands: std::io::PipeWriter,
    messages: Receiver<Value>,
    pending: VecDeque<Value>,
    next_id: u64,
    session: String,
    profile: PathBuf,
    stderr: Arc<Mutex<String>>,
    stderr_done: Option<std::thread::JoinHandle<()>>,
    exe: PathBuf,
    /// The folder whose files the page may read (`confine`); every other request fails.
    confined: Option<PathBuf>,
    /// The requests blocked since the last `take_blocked`.
    blocked: Vec<String>,
    /// The address the page last loaded (`open`).
    pub(super) showing: Option<String>,
}

impl Browser {
    /// Starts `exe` headless with a fresh profile and opens a blank page.
    pub fn launch(exe: &Path) -> Result<Browser> {
        let profile = fresh_profile()?;
        let (cmd_read, cmd_write) = std::io::pipe().map_err(|e| Error::io(exe, e))?;
        let (msg_read, msg_write) = std::io::pipe().map_err(|e| Error::io(exe, e))?;
        let (fd_in, fd_out) = (cmd_read.as_raw_fd(), msg_write.as_raw_fd());
        let mut profile_arg = OsString::from("--user-data-dir=");
        profile_arg.push(&profile);
        let mut command = Command::new(exe);
        command
            .args(FLAGS)
            .arg(profile_arg)
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0);
        // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2) run.
        unsafe {
            command.pre_exec(move || install_fds(fd_in, fd_out));
        }
        let mut child = command.spawn().map_err(|e| {
            let _ = std::fs::remove_dir_all(&profile);
            Error::other(format!("could not start {}: {e}", exe.display()))
        })?;
        // The child holds its own copies now; ours must close so EOF is seen when it exits.
        drop(cmd_read);
        drop(msg_write);

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut stderr_done = None;
        if let Some(mut pipe) = child.stderr.take() {
            let sink = Arc::clone(&stderr);
            stderr_done = Some(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut s) = sink.lock() {
                        s.push_str(&String::from_utf8_lossy(&buf[..n]));
                        if s.len() > 16_384 {
                            let cut = s.len() - 8_192;
                            let cut = (cut..s.len()).find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                            s.drain(..cut);
                        }
                    }
                }
            }));
        }
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || read_messages(msg_read, tx));

        let mut browser = Browser {
            child,
            commands: cmd_write,
            messages,
            pending: VecDeque::new(),
            next_id: 0,
            session: String::new(),
            profile,
            stderr,
            stderr_done,
            exe: exe.to_path_buf(),
            confined: None,
            blocked: Vec::new(),
            showing: None,
        };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }))?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or_else(|| browser.failure("Target.createTarget returned no targetId"))?
            .to_string();
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        )?;
        browser.session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| browser.failure("Target.attachToTarget returned no sessionId"))?
            .to_string();
        browser.call("Page.enable", json!({}))?;
        // Pages are laid out for print from the start: printing then reuses that layout's
        // style instead of restyling a screen layout (a third faster to print; the same PDF).
        browser.call("Emulation.setEmulatedMedia", json!({ "media": "print" }))?;
        Ok(browser)
    }

    /// The browser's version string ("Chrome/131.0…"); an error when older than
    /// `MIN_VERSION`, which would print without page numbers.
    pub fn version(&mut self) -> Result<String> {
        let session = std::mem::take(&mut self.session);
        let v = self.call("Browser.getVersion", json!({}));
        self.session = session;
        let product = v?["product"].as_str().unwrap_or("unknown").to_string();
        match major_version(&product) {
            Some(major) if major < MIN_VERSION => Err(Error::other(format!(
                "{} is {product}: livret pdf needs Chromium {MIN_VERSION} or later, the first to \
                 print page numbers in the page margins",
                self.exe.display()
            ))
            .with_help("update it, or point to a newer one with --chromium PATH")),
            _ => Ok(product),
        }
    }

    /// From now on the page may read the files inside `folder` and nothing else: every other
    /// request — another site, a file elsewhere on the disk — is stopped in the browser
    /// before it is made (DevTools `Fetch`), and recorded for `take_blocked`.
    pub fn confine(&mut self, folder: &Path) -> Result<()> {
        self.confined = Some(crate::output::resolved_path(folder));
        self.call(
            "Fetch.enable",
            json!({ "patterns": [{ "urlPattern": "*", "requestStage": "Request" }] }),
        )
        .map(drop)
    }

    /// The addresses of the requests blocked since the last call, in order, without repeats.
    pub fn take_blocked(&mut self) -> Vec<String> {
        let mut blocked = std::mem::take(&mut self.blocked);
        let mut seen = std::collections::HashSet::new();
        blocked.retain(|u| seen.insert(u.clone()));
        blocked
    }

    /// Answers a paused request: continued when it reads a file of the confined folder (or
    /// `data:`), failed otherwise. The answer's reply is not waited for.
    fn answer_paused(&mut self, params: &Value) -> Result<()> {
        let url = params["request"]["url"].as_str().unwrap_or_default();
        let id = params["requestId"].clone();
        let allowed = self
            .confined
            .as_deref()
            .is_some_and(|dir| reads_inside(url, dir));
        let (method, params) = if allowed {
            ("Fetch.continueRequest", json!({ "requestId": id }))
        } else {
            self.blocked.push(url.to_string());
            (
                "Fetch.failRequest",
                json!({ "requestId": id, "errorReason": "BlockedByClient" }),
            )
        };
        self.send(method, params).map(drop)
    }

    /// Loads `url` (again) and waits until the page and its web fonts are ready.
    pub fn open(&mut self, url: &str) -> Result<()> {
        self.pending.clear();
        self.showing = None;
        let nav = self.call("Page.navigate", json!({ "url": url }))?;
        if let Some(error) = nav["errorText"].as_str().filter(|e| !e.is_empty()) {
            return Err(Error::other(format!(
                "Chromium could not open {url}: {error}"
            )));
        }
        self.wait_event("Page.loadEventFired")?;
        let fonts = self.call(
            "Runtime.evaluate",
            json!({
                "expression": "document.fonts.ready.then(() => document.fonts.status)",
                "awaitPromise": true,
                "returnByValue": true,
            }),
        )?;
        if fonts["exceptionDetails"].is_object() {
            return Err(self.failure("waiting for the fonts failed"));
        }
        self.showing = Some(url.to_string());
        Ok(())
    }

    /// Whether the page holds `url`, as `open` loaded it.
    pub fn showing(&self, url: &str) -> bool {
        self.showing.as_deref() == Some(url)
    }

    /// Prints the open page with its CSS page size and margins, tagged; returns the PDF bytes.
    /// Bookmarks are left to `finish` (see there why not Chromium's).
    /// `tagged: false` leaves out the structure tree (the print-shop PDF has no use for it).
    pub fn print(&mut self, tagged: bool) -> Result<Vec<u8>> {
        let result = self.call_within(
            "Page.printToPDF",
            json!({
                "printBackground": true,
                "preferCSSPageSize": true,
                "displayHeaderFooter": false,
                "generateTaggedPDF": tagged,
                "generateDocumentOutline": false,
                "marginTop": 0, "marginBottom": 0, "marginLeft": 0, "marginRight": 0,
                "transferMode": "ReturnAsBase64",
            }),
            PRINT_TIMEOUT,
        )?;
        let data = result["data"]
            .as_str()
            .ok_or_else(|| self.failure("Page.printToPDF returned no data"))?;
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|e| self.failure(&format!("Page.printToPDF returned bad base64: {e}")))
    }

    /// Sends one command (to the page once attached) and waits for its answer.
    pub(super) fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.call_within(method, params, CALL_TIMEOUT)
    }

    fn call_within(&mut self, method: &str, params: Value, timeout: Duration) -> Result<Value> {
        let id = self.send(method, params)?;
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.next_message(deadline, method, timeout)?;
            if message["id"].as_u64() == Some(id) {
                if let Some(error) = message.get("error") {
                    return Err(self.failure(&format!(
                        "{method} failed: {}",
                        error["message"].as_str().unwrap_or("unknown error")
                    )));
                }
                return Ok(message["result"].clone());
            }
            if message.get("method").is_some() {
                self.pending.push_back(message);
            }
        }
    }

    /// Sends one command (to the page once attached) without waiting; returns its id.
    fn send(&mut self, method: &str, params: Value) -> Result<u64> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = Value::String(self.session.clone());
        }
        let mut bytes = serde_json::to_vec(&message).map_err(|e| Error::other(e.to_string()))?;
        bytes.push(0);
        if let Err(e) = self
            .commands
            .write_all(&bytes)
            .and_then(|()| self.commands.flush())
        {
            self.settle_exit();
            let status = self.exit_status();
            return Err(self.failure(&format!(
                "the browser closed the connection before {method} ({e}){status}"
            )));
        }
        Ok(id)
    }

    /// Waits for an event of the attached page.
    fn wait_event(&mut self, method: &str) -> Result<Value> {
        if let Some(i) = self.pending.iter().position(|m| m["method"] == method) {
            return Ok(self.pending.remove(i).unwrap_or_default());
        }
        let deadline = Instant::now() + CALL_TIMEOUT;
        loop {
            let message = self.next_message(deadline, method, CALL_TIMEOUT)?;
            if message["method"] == method {
                return Ok(message);
            }
            if message.get("method").is_some() {
                self.pending.push_back(message);
            }
        }
    }

    fn next_message(
        &mut self,
        deadline: Instant,
        waiting_for: &str,
        timeout: Duration,
    ) -> Result<Value> {
        loop {
            let message = self.receive(deadline, waiting_for, timeout)?;
            // Paused requests are answered at once, whatever is being waited for: the page
            // cannot load until they are.
            if message["method"] == "Fetch.requestPaused" {
                self.answer_paused(&message["params"])?;
                continue;
            }
            return Ok(message);
        }
    }

    fn receive(
        &mut self,
        deadline: Instant,
        waiting_for: &str,
        timeout: Duration,
    ) -> Result<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(m) => Ok(m),
            Err(RecvTimeoutError::Timeout) => Err(self.failure(&format!(
                "no answer to {waiting_for} within {} s",
                timeout.as_secs()
            ))),
            Err(RecvTimeoutError::Disconnected) => {
                self.settle_exit();
                let status = self.exit_status();
                Err(self.failure(&format!(
                    "the browser closed the connection while waiting for {waiting_for}{status}"
                )))
            }
        }
    }

    /// After the connection dropped: gives the browser a moment to exit and the stderr reader
    /// a moment to collect its last words (bounded: its children may keep stderr open).
    fn settle_exit(&mut self) {
        let deadline = Instant::now() + Duration::from_millis(1500);
        while Instant::now() < deadline {
            let exited = matches!(self.child.try_wait(), Ok(Some(_)));
            let drained = self.stderr_done.as_ref().is_none_or(|h| h.is_finished());
            if exited && drained {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn exit_status(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => format!(" ({status})"),
            _ => String::new(),
        }
    }

    /// An error naming the browser, with the end of what it wrote on stderr.
    pub(super) fn failure(&self, what: &str) -> Error {
        let log = self.stderr.lock().map(|s| s.clone()).unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("dbus") && !l.trim().is_empty())
            .collect();
        let tail = tail[tail.len().saturating_sub(6)..].join("\n  ");
        Error::other(format!(
            "Chromium ({}): {what}{}",
            self.exe.display(),
            if tail.is_empty() {
                String::new()
            } else {
                format!("\n  {tail}")
            }
        ))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Chromium runs in a process group of its own: the browser and every helper process it
        // started end together, at once. Its profile is thrown away, so there is nothing to
        // shut down gracefully, and no browser may outlive `livret pdf`.
        if let Ok(pid) = i32::try_from(self.child.id())
            && pid > 0
        {
            // SAFETY: kill(2) on the process group this Browser created.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Whether `url` reads a file inside `dir` (lexically: `..` cannot climb out), or is `data:`.
fn reads_inside(url: &str, dir: &Path) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "data" => true,
        "file" => parsed
            .to_file_path()
            .is_ok_and(|path| crate::output::resolved_path(&path).starts_with(dir)),
        _ => false,
    }
}

/// In the child, before exec: the command pipe becomes fd 3 and the answer pipe fd 4, both
/// inherited across exec.
fn install_fds(fd_in: RawFd, fd_out: RawFd) -> std::io::Result<()> {
    // Move both out of the way first, so neither is overwritten when it already is 3 or 4.
    // SAFETY: plain fcntl/dup2 on descriptors this process owns.
    unsafe {
        let high_in = libc::fcntl(fd_in, libc::F_DUPFD_CLOEXEC, 10);
        let high_out = libc::fcntl(fd_out, libc::F_DUPFD_CLOEXEC, 10);
        if high_in < 0 || high_out < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // dup2 clears close-on-exec on the new descriptor.
        if libc::dup2(high_in, 3) < 0 || libc::dup2(high_out, 4) < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Splits the browser's output into messages (NUL-terminated JSON) until it closes the pipe.
fn read_messages(mut pipe: std::io::PipeReader, tx: mpsc::Sender<Value>) {
    let mut buffer = Vec::with_capacity(1 << 20);
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match pipe.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let scan_from = buffer.len();
        buffer.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        let mut search = scan_from;
        while let Some(pos) = buffer[search..].iter().position(|&b| b == 0) {
            let end = search + pos;
            if let Ok(value) = serde_json::from_slice::<Value>(&buffer[start..end])
                && tx.send(value).is_err()
            {
                return;
            }
            start = end + 1;
            search = start;
        }
        buffer.drain(..start);
    }
}

/// A new, empty browser profile in the temporary folder.
fn fresh_profile() -> Result<PathBuf> {
    let base = scratch_base();
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    for attempt in 0..100u32 {
        let dir = base.join(format!(
            "livret-chromium-{}-{stamp}-{attempt}",
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        }
    }
    Err(Error::other("could not create a temporary browser profile"))
}

/// Where throw-away folders go: `$TMPDIR` when set, else `/dev/shm` (memory: a browser profile
/// is 140 files, which take a third of a second to delete from a busy disk), else the
/// system's temporary folder.
pub fn scratch_base() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some_and(|t| !t.is_empty()) {
        return std::env::temp_dir();
    }
    let shm = Path::new("/dev/shm");
    let writable = shm.is_dir()
        && std::fs::metadata(shm).is_ok_and(|m| {
            use std::os::unix::fs::PermissionsExt;
            m.permissions().mode() & 0o002 != 0
        });
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// Removes the scratch folders (`livret-chromium-<pid>-…`, `livret-pdf-<pid>-…`) that a
/// `livret pdf` killed before it could clean up left behind: those whose process is gone.
/// (Chromium itself exits when its pipe closes, so no browser outlives a killed livret.)
pub fn sweep_stale() {
    let base = scratch_base();
    let Ok(entries) = std::fs::read_dir(&base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| {
            n.strip_prefix("livret-chromium-")
                .or_else(|| n.strip_prefix("livret-pdf-"))
        }) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if pid <= 0 || pid == std::process::id() as i32 {
            continue;
        }
        // SAFETY: signal 0 only asks whether the process exists.
        let gone = unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        let owned = entry.metadata().is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.is_dir() && m.uid() == unsafe { libc::geteuid() }
        });
        if gone && owned {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The major version in "Chrome/131.0.6778.85" or "HeadlessChrome/131.0…".
pub fn major_version(product: &str) -> Option<u32> {
    let (_, version) = product.split_once('/')?;
    version.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TestResult;

    #[test]
    fn reads_the_major_version() {
        assert_eq!(major_version("Chrome/156.0.8078.108"), Some(156));
        assert_eq!(major_version("HeadlessChrome/131.0.6778.85"), Some(131));
        assert_eq!(major_version("unknown"), None);
    }

    fn fake_file(root: &Path, path: &str) -> TestResult {
        let file = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(file.parent().ok_or("no parent")?)?;
        std::fs::write(&file, "")?;
        Ok(())
    }

    #[test]
    fn finds_browsers_where_macos_and_snap_install_them() -> TestResult {
        for installed in INSTALLED {
            let root = tempfile::tempdir()?;
            fake_file(root.path(), installed)?;
            let found = locate(None, root.path(), None).ok_or("not found")?;
            assert_eq!(found, root.path().join(&installed[1..]));
        }
        let home = tempfile::tempdir()?;
        fake_file(home.path(), INSTALLED[0])?;
        let empty = tempfile::tempdir()?;
        assert_eq!(
            locate(None, empty.path(), Some(home.path())),
            Some(home.path().join(&INSTALLED[0][1..]))
        );
        assert_eq!(locate(None, empty.path(), None), None);
        Ok(())
    }

    #[test]
    fn path_comes_before_installed_applications_and_names_keep_their_order() -> TestResult {
        let root = tempfile::tempdir()?;
        fake_file(root.path(), INSTALLED[0])?;
        let bin = tempfile::tempdir()?;
        fake_file(bin.path(), "microsoft-edge")?;
        fake_file(bin.path(), "google-chrome")?;
        let path = std::env::join_paths([bin.path()])?;
        assert_eq!(
            locate(Some(&path), root.path(), None),
            Some(bin.path().join("google-chrome"))
        );
        Ok(())
    }

    #[test]
    fn an_explicit_path_must_be_a_file() {
        let err = find(Some(Path::new("/nonexistent/chromium"))).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("/nonexistent/chromium"));
    }
}

//! Every shell command in README.md and docs/*.md runs as written.
//!
//! Run with: cargo test -p paysign-cli --test doc_commands
//!
//! # The convention (what a document may contain)
//!
//! - ` ```console ` blocks (as in tests/cmd/*.md, which trycmd runs): a line starting with
//!   `$ ` is a command; the lines after it, up to the next `$ ` or the end of the block, are
//!   what it prints (stdout, then stderr). A first output line `? N` expects exit status N
//!   (default 0). A line `...` matches any number of lines, `[..]` any text within a line.
//!   No output lines: the output is not compared.
//! - ` ```sh `, ` ```bash `, ` ```shell ` blocks: every line is a command (a trailing `\`
//!   continues it; blank lines and `#` comments are skipped); each must exit 0.
//! - `<!-- doc-test setup` … `-->`: commands, one a line, that run at that point but do not
//!   render: the files a later command needs that no earlier command makes.
//! - `<!-- doc-test skip: REASON -->` on the line before a fence: the block's commands are
//!   counted and reported as skipped with the reason (network, installs, recursion).
//! - `<!-- doc-test background -->` on the line before a fence: each command starts a server.
//!   It runs in the background with its `--port N` replaced by a free port the test picks
//!   (and `N` replaced in every later command of the document), must accept connections
//!   within 60 s without exiting, and is stopped when the document is done.
//! - Any other fence must not hold a line starting with `$ ` or `paysign `: a command there
//!   would escape this test, so that fails too.
//!
//! # How they run
//!
//! Per document, in order, each with `bash -c` in a fresh scratch directory that holds a
//! symbolic link to every top-level entry of the repository (so `tests/vectors/...` resolves
//! as it does for a reader in a checkout, while files the commands write stay in scratch).
//! `cd` carries over to the next command; variables do not. `paysign` on `PATH` is the binary
//! cargo built for this test. A failure names the file and line of the command.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The documents whose commands run.
fn documents() -> Vec<PathBuf> {
    let root = repo_root();
    let mut docs = vec![root.join("README.md")];
    let mut in_docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    in_docs.sort();
    docs.extend(in_docs);
    docs
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// How a block's commands are treated.
#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Run,
    Skip(String),
    Background,
}

/// One command of a document, where it is and what it should print.
#[derive(Debug, Clone)]
struct DocCommand {
    line: usize,
    text: String,
    mode: Mode,
    /// `None`: not compared.
    expected_output: Option<Vec<String>>,
    expected_status: i32,
}

const SHELL_FENCES: [&str; 3] = ["sh", "bash", "shell"];

/// Every command of `text`, in order; `Err` for a command outside the convention.
fn extract(text: &str) -> Result<Vec<DocCommand>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("<!-- doc-test setup") {
            i += 1;
            while i < lines.len() && lines[i].trim() != "-->" {
                if !lines[i].trim().is_empty() {
                    commands.push(plain(i + 1, lines[i].trim(), Mode::Run));
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        let Some(info) = line.strip_prefix("```") else {
            i += 1;
            continue;
        };
        let info = info.trim().to_owned();
        let mode = marker(i.checked_sub(1).map(|p| lines[p]).unwrap_or(""))?;
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with("```") {
            end += 1;
        }
        let body = &lines[start..end];
        if info == "console" {
            commands.extend(console(start, body, &mode)?);
        } else if SHELL_FENCES.contains(&info.as_str()) {
            commands.extend(shell(start, body, &mode));
        } else if let Some((n, escaped)) = body.iter().enumerate().find(|(_, l)| {
            let l = l.trim_start();
            l.starts_with("$ ") || l.starts_with("paysign ")
        }) {
            return Err(format!(
                "line {}: a command in a ```{info} block is not run: put it in a ```console or ```sh block ({escaped})",
                start + n + 1
            ));
        }
        i = end + 1;
    }
    Ok(commands)
}

/// The `<!-- doc-test ... -->` marker on the line before a fence.
fn marker(line: &str) -> Result<Mode, String> {
    let Some(rest) = line.trim().strip_prefix("<!-- doc-test") else {
        return Ok(Mode::Run);
    };
    let rest = rest.trim_end_matches("-->").trim();
    if rest == "background" {
        Ok(Mode::Background)
    } else if let Some(reason) = rest.strip_prefix("skip:") {
        Ok(Mode::Skip(reason.trim().to_owned()))
    } else {
        Err(format!("unknown doc-test marker {line:?}"))
    }
}

fn plain(line: usize, text: &str, mode: Mode) -> DocCommand {
    DocCommand {
        line,
        text: text.to_owned(),
        mode,
        expected_output: None,
        expected_status: 0,
    }
}

/// `start` is the 0-based index of the block's first line.
fn shell(start: usize, body: &[&str], mode: &Mode) -> Vec<DocCommand> {
    let mut out = Vec::new();
    let mut pending: Option<DocCommand> = None;
    for (n, line) in body.iter().enumerate() {
        if let Some(command) = pending.as_mut() {
            command.text.push('\n');
            command.text.push_str(line);
        } else {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            pending = Some(plain(start + n + 1, line, mode.clone()));
        }
        if !line.ends_with('\\') {
            out.extend(pending.take());
        }
    }
    out.extend(pending);
    out
}

fn console(start: usize, body: &[&str], mode: &Mode) -> Result<Vec<DocCommand>, String> {
    let mut out: Vec<DocCommand> = Vec::new();
    let mut continued = false;
    for (n, line) in body.iter().enumerate() {
        if continued {
            let command = out.last_mut().ok_or("continuation without a command")?;
            command.text.push('\n');
            command.text.push_str(line);
            continued = line.ends_with('\\');
            continue;
        }
        if let Some(text) = line.strip_prefix("$ ") {
            out.push(plain(start + n + 1, text, mode.clone()));
            continued = text.ends_with('\\');
            continue;
        }
        let Some(command) = out.last_mut() else {
            return Err(format!(
                "line {}: a ```console block starts with output, not a `$ ` command",
                start + n + 1
            ));
        };
        let expected = command.expected_output.get_or_insert_with(Vec::new);
        match line.strip_prefix("? ") {
            Some(status) if expected.is_empty() => {
                command.expected_status = status
                    .trim()
                    .parse()
                    .map_err(|_| format!("line {}: `? N` needs a number", start + n + 1))?;
            }
            _ => expected.push((*line).to_owned()),
        }
    }
    // Trailing blank lines are the block's layout, not output.
    for command in &mut out {
        if let Some(expected) = command.expected_output.as_mut() {
            while expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
        }
    }
    Ok(out)
}

/// Whether `actual` matches `expected` with `...` lines and `[..]` within lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(line, more)| line_matches(first, line) && lines_match(rest, more)),
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual.trim_end();
    }
    let actual = actual.trim_end();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || !actual[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// A scratch directory standing in for a checkout: links to every top-level entry.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "paysign-doc-{}-{}",
            name.replace(['/', '.'], "-"),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(repo_root()).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name == "target" || name == ".git" || name == "node_modules" {
                continue;
            }
            std::os::unix::fs::symlink(entry.path(), dir.join(&name)).unwrap();
        }
        Scratch { dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A server started by a background command, stopped on drop.
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn shell_command(scratch: &Scratch, cwd: &Path, state: &Path, text: &str) -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_paysign")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Run in the directory the previous command left, and record where this one ends.
    let script = format!(
        "cd \"$DOC_TEST_CWD\" || exit 97\n{text}\nstatus=$?\npwd > \"$DOC_TEST_STATE\"\nexit $status\n"
    );
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(&scratch.dir)
        .env("PATH", path)
        .env("DOC_TEST_CWD", cwd)
        .env("DOC_TEST_STATE", state)
        .env_remove("PAYSIGN_GATEWAY_URL")
        .stdin(Stdio::null());
    command
}

/// Runs `command` to completion (at most 120 s): (status, stdout, stderr).
fn run_to_end(mut command: Command) -> Result<(i32, String, String), String> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start bash: {e}"))?;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("timed out after 120 s (a server? mark its block background)".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    Ok((status.code().unwrap_or(-1), stdout, stderr))
}

/// What running one document gave.
#[derive(Default)]
struct Tally {
    ran: usize,
    skipped: Vec<(usize, String)>,
    failures: Vec<String>,
}

fn run_document(path: &Path) -> Tally {
    let name = path
        .strip_prefix(repo_root())
        .unwrap()
        .display()
        .to_string();
    run_document_named(path, &name)
}

/// Runs the commands of `path`, naming it `name` in failures.
fn run_document_named(path: &Path, name: &str) -> Tally {
    let mut tally = Tally::default();
    let text = std::fs::read_to_string(path).unwrap();
    let commands = match extract(&text) {
        Ok(commands) => commands,
        Err(e) => {
            tally.failures.push(format!("{name}: {e}"));
            return tally;
        }
    };
    let scratch = Scratch::new(name);
    let state = scratch.dir.join(".doc-test-cwd");
    let mut cwd = scratch.dir.clone();
    let mut servers = Vec::new();
    let mut ports: Vec<(String, String)> = Vec::new();
    for command in commands {
        let at = format!("{name}:{}", command.line);
        let mut text = command.text.clone();
        for (from, to) in &ports {
            text = text.replace(from.as_str(), to);
        }
        match &command.mode {
            Mode::Skip(reason) => {
                tally.skipped.push((command.line, reason.clone()));
                continue;
            }
            Mode::Background => {
                match start_server(&scratch, &cwd, &state, &text) {
                    Ok((server, from, to)) => {
                        servers.push(server);
                        ports.push((from, to));
                        tally.ran += 1;
                    }
                    Err(e) => tally.failures.push(format!("{at}: `{text}`: {e}")),
                }
                continue;
            }
            Mode::Run => {}
        }
        let result = run_to_end(shell_command(&scratch, &cwd, &state, &text));
        tally.ran += 1;
        let (status, stdout, stderr) = match result {
            Ok(r) => r,
            Err(e) => {
                tally.failures.push(format!("{at}: `{text}`: {e}"));
                continue;
            }
        };
        if let Ok(dir) = std::fs::read_to_string(&state) {
            cwd = PathBuf::from(dir.trim());
        }
        if status != command.expected_status {
            tally.failures.push(format!(
                "{at}: `{text}` exited {status}, the document expects {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                command.expected_status
            ));
            continue;
        }
        if let Some(expected) = &command.expected_output {
            let printed = format!("{stdout}{stderr}");
            let actual: Vec<&str> = printed.lines().collect();
            if !lines_match(expected, &actual) {
                tally.failures.push(format!(
                    "{at}: `{text}` printed something else\n--- the document shows:\n{}\n--- printed:\n{printed}",
                    expected.join("\n")
                ));
            }
        }
    }
    drop(servers);
    tally
}

/// Starts a background command on a free port: (server, old port, new port).
fn start_server(
    scratch: &Scratch,
    cwd: &Path,
    state: &Path,
    text: &str,
) -> Result<(Background, String, String), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let old = words
        .iter()
        .position(|w| *w == "--port")
        .and_then(|i| words.get(i + 1))
        .ok_or("a background command needs `--port N`")?
        .to_string();
    let new = free_port().to_string();
    let text = text.replace(&format!("--port {old}"), &format!("--port {new}"));
    // `exec`, so that stopping the shell stops the server.
    let mut command = shell_command(scratch, cwd, state, &format!("exec {text}"));
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("the server exited ({status}) instead of serving"));
        }
        if TcpStream::connect(("127.0.0.1", new.parse::<u16>().unwrap())).is_ok() {
            return Ok((Background(child), old, new));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the server did not accept connections within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn every_documented_command_runs_as_written() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for doc in documents() {
        let tally = run_document(&doc);
        let name = doc.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "{name}: {} command(s) run, {} skipped",
            tally.ran,
            tally.skipped.len()
        );
        for (line, reason) in &tally.skipped {
            eprintln!("  skipped {name}:{line}: {reason}");
        }
        ran += tally.ran;
        failures.extend(tally.failures);
    }
    assert!(
        failures.is_empty(),
        "{} documented command(s) fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    // README.md alone documents more than this: a parser that finds nothing fails here.
    assert!(ran >= 10, "only {ran} documented commands found and run");
}

// The runner's own rules, so that a mistake in it cannot make the test above pass.
#[test]
fn the_convention_is_parsed_as_documented() {
    let doc = "\
text
```console
$ paysign a \\
  --b
? 1
out
...

```
<!-- doc-test skip: needs the network -->
```sh
curl https://example.com # fetch
# a comment

npm install paysign
```
<!-- doc-test setup
cp x y
-->
```sh
paysign c \\
  --d
```
<!-- doc-test background -->
```sh
paysign gateway --port 8080
```
";
    let commands = extract(doc).unwrap();
    let texts: Vec<&str> = commands.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "paysign a \\\n  --b",
            "curl https://example.com # fetch",
            "npm install paysign",
            "cp x y",
            "paysign c \\\n  --d",
            "paysign gateway --port 8080"
        ]
    );
    let lines: Vec<usize> = commands.iter().map(|c| c.line).collect();
    assert_eq!(lines, [3, 12, 15, 18, 21, 26]);
    assert_eq!(commands[0].expected_status, 1);
    assert_eq!(
        commands[0].expected_output.as_deref(),
        Some(&["out".to_owned(), "...".to_owned()][..])
    );
    assert_eq!(commands[1].mode, Mode::Skip("needs the network".into()));
    assert_eq!(commands[4].expected_output, None);
    assert_eq!(commands[5].mode, Mode::Background);

    // A command in a block the runner does not run is an error, not a silent pass.
    assert!(extract("```\npaysign verify x\n```\n").is_err());
    assert!(extract("```text\n$ ls\n```\n").is_err());
    assert!(extract("<!-- doc-test maybe -->\n```sh\nls\n```\n").is_err());
}

#[test]
fn output_patterns() {
    let e = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(lines_match(&e(&["a", "...", "d"]), &["a", "b", "c", "d"]));
    assert!(lines_match(&e(&["a", "..."]), &["a"]));
    assert!(!lines_match(&e(&["a", "d"]), &["a", "b", "d"]));
    assert!(!lines_match(&e(&["a"]), &["a", "b"]));
    assert!(lines_match(
        &e(&["valid: [..] request"]),
        &["valid: RSA2 signature of a paysign request"]
    ));
    assert!(!lines_match(
        &e(&["valid: [..] notification"]),
        &["valid: RSA2 request"]
    ));
    assert!(line_matches("[..]x[..]", "axb"));
    assert!(!line_matches("[..]x[..]y", "ayx"));
}

#[test]
fn a_failing_command_fails_the_document() {
    let dir = std::env::temp_dir().join(format!("paysign-doc-self-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = dir.join("doc.md");
    std::fs::write(
        &doc,
        "```console\n$ paysign verify --key missing.pem nothing.txt\n```\n\n```console\n$ echo hello\nbye\n```\n\n```console\n$ cd sdk-cli\n$ pwd\n[..]/sdk-cli\n```\n",
    )
    .unwrap();
    let tally = run_document_at(&doc);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(tally.ran, 4);
    assert_eq!(tally.failures.len(), 2, "{:#?}", tally.failures);
    assert!(
        tally.failures[0].contains("doc.md:2"),
        "{}",
        tally.failures[0]
    );
    assert!(
        tally.failures[0].contains("exited 2"),
        "{}",
        tally.failures[0]
    );
    assert!(
        tally.failures[1].contains("doc.md:6"),
        "{}",
        tally.failures[1]
    );
    assert!(tally.failures[1].contains("printed something else"));
}

/// [`run_document`] for a file outside the repository (named by its file name).
fn run_document_at(path: &Path) -> Tally {
    run_document_named(path, &path.file_name().unwrap().to_string_lossy())
}

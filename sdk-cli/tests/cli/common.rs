//! Running the binary and reading the vectors.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_paysign");

pub(crate) fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

pub(crate) fn key(name: &str) -> String {
    vectors().join("keys").join(name).display().to_string()
}

/// The result of one run.
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub(crate) fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit status\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `paysign args...` with `stdin` as standard input.
pub(crate) fn run<S: AsRef<std::ffi::OsStr>>(args: &[S], stdin: &[u8]) -> Run {
    run_env(args, stdin, &[])
}

pub(crate) fn run_env<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("spawn paysign");
    {
        let mut input = child.stdin.take().unwrap();
        // The command may exit before reading stdin (usage errors): ignore broken pipes.
        let _ = input.write_all(stdin);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().unwrap();
    Run {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// Folders of tests/vectors whose name starts with `prefix`, sorted.
pub(crate) fn cases(prefix: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(vectors())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no {prefix}* vectors");
    dirs
}

pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A form body of `pairs`, each value percent-encoded once.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A child process, killed on drop if still running: no server outlives a failed test.
pub(crate) struct ChildGuard(pub(crate) Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// A running `paysign gateway`.
pub(crate) struct Gateway {
    pub(crate) child: ChildGuard,
    /// `http://127.0.0.1:PORT`, from the start-up line.
    pub(crate) url: String,
    /// The start-up line as printed.
    pub(crate) line: String,
    /// Where its stderr goes.
    pub(crate) log: PathBuf,
    /// Its admin token's file: `--admin-token-file`, given by the test or by
    /// [`Gateway::start_within`]; `None` when a test with its own environment chose where
    /// the token comes from.
    pub(crate) token_file: Option<PathBuf>,
}

impl Gateway {
    /// Starts `paysign gateway --port 0 args...` and waits up to 60 s for its start-up line.
    pub(crate) fn start(dir: &Path, args: &[&str]) -> Gateway {
        Gateway::start_within(dir, args, Duration::from_secs(60))
    }

    /// Starts `paysign gateway --port 0 args...` and waits up to `limit` for its start-up
    /// line.
    pub(crate) fn start_within(dir: &Path, args: &[&str], limit: Duration) -> Gateway {
        Gateway::start_env(dir, args, &[], limit)
    }

    /// Starts `paysign gateway --port 0 args...` with `env` added to its environment and
    /// waits up to `limit` for its start-up line. Without `env` and without a token file in
    /// `args`, it gets `--admin-token-file` in `dir`; with `env`, the test chose where the
    /// token comes from.
    pub(crate) fn start_env(
        dir: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        limit: Duration,
    ) -> Gateway {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let log = dir.join(format!("gateway-{n}.log"));
        let given = args.iter().position(|a| *a == "--admin-token-file");
        let token_file = match given {
            Some(i) => Some(PathBuf::from(args[i + 1])),
            None if env.is_empty() => Some(dir.join(format!("gateway-{n}.admin-token"))),
            None => None,
        };
        let mut command = Command::new(BIN);
        command
            .args(["gateway", "--port", "0"])
            .args(args)
            .envs(env.iter().copied());
        if let (None, Some(file)) = (given, &token_file) {
            command.arg("--admin-token-file").arg(file);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("spawn paysign gateway");
        let stdout = child.stdout.take().unwrap();
        let mut gateway = Gateway {
            child: ChildGuard(child),
            url: String::new(),
            line: String::new(),
            log,
            token_file,
        };
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("no start-up line in {limit:?}\n{}", gateway.stderr()));
        assert!(
            !line.is_empty(),
            "exited before listening\n{}",
            gateway.stderr()
        );
        gateway.url = url_of(&line)
            .unwrap_or_else(|| panic!("start-up line: {line:?}\n{}", gateway.stderr()));
        gateway.line = line.trim_end().to_owned();
        gateway
    }

    /// `paysign gateway admin --url URL [--admin-token-file FILE] args...`.
    pub(crate) fn admin(&self, args: &[&str]) -> Run {
        let mut all = vec!["gateway", "admin", "--url", &self.url];
        if let Some(file) = &self.token_file {
            all.push("--admin-token-file");
            all.push(file.to_str().expect("a UTF-8 temporary path"));
        }
        all.extend_from_slice(args);
        run(&all, b"")
    }

    /// Sends SIGTERM and waits up to 10 s for the exit.
    pub(crate) fn stop(&mut self) -> (ExitStatus, Duration) {
        let started = Instant::now();
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.0.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let status = wait_for(&mut self.child.0, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("still running 10 s after SIGTERM\n{}", self.stderr()));
        (status, started.elapsed())
    }

    /// Kills the gateway with SIGKILL (no shutdown code runs) and reaps it.
    #[cfg(unix)]
    pub(crate) fn kill9(&mut self) {
        use std::os::unix::process::ExitStatusExt;
        self.child.0.kill().expect("send SIGKILL");
        let status = self.child.0.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "{status:?}\n{}", self.stderr());
    }

    /// Its stderr so far, for failure messages.
    pub(crate) fn stderr(&self) -> String {
        format!(
            "gateway stderr:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        )
    }
}

/// The URL in a start-up line, plain or JSON.
pub(crate) fn url_of(line: &str) -> Option<String> {
    if let Ok(doc) = serde_json::from_str::<serde_json::Value>(line) {
        return doc["listening"].as_str().map(str::to_owned);
    }
    line.strip_prefix("paysign gateway listening on ")?
        .split_whitespace()
        .next()
        .map(str::to_owned)
}

/// Waits up to `limit` for `child` to exit; `None` if it is still running.
pub(crate) fn wait_for(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

//! Shared helpers: a small fluent runner for the `accord` binary, and paths into the source tree.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The source tree's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample transcripts folder.
pub fn samples() -> PathBuf {
    root().join("samples")
}

/// What a run of `accord` printed.
#[derive(Debug)]
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.ok,
            "accord failed\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self) -> Self {
        assert!(
            !self.ok,
            "accord should have failed\nstdout:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs `accord` with arguments in `dir`.
pub fn accord(dir: &Path, args: &[&str]) -> Run {
    accord_with(dir, args, &[])
}

/// Runs `accord` with arguments and extra environment variables in `dir`.
pub fn accord_with(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let out = command(dir, args, vars).output().expect("run accord");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `accord` with arguments in `dir` and kills it if it has not finished within `limit`:
/// `None` when it had to be killed (a hang or a runaway read).
pub fn accord_within(dir: &Path, args: &[&str], limit: Duration) -> Option<Run> {
    let mut child = command(dir, args, &[])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run accord");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Some(Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// The `accord` command the tests run: in `dir`, with `dir` as its home and data folder, no
/// passphrase but the ones given, and never a window, even on a desktop.
fn command(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_accord"));
    command
        .args(args)
        .env_remove("ACCORD_PASSPHRASE")
        .envs(vars.iter().copied())
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    command
}

/// Makes a FIFO (named pipe) at `path`.
pub fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
}

/// A tmpfs mounted at a folder, unmounted when dropped: a small disk to fill, or one to make
/// read-only (root ignores permission bits, not a read-only mount).
pub struct Mount(PathBuf);

impl Mount {
    /// Mounts a tmpfs of `size` (such as `8m`) at `dir`; `None`, with a note, where mounting is
    /// not allowed (not root), so the test can skip.
    pub fn tmpfs(dir: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|st| st.success());
        if ok {
            Some(Self(dir.to_path_buf()))
        } else {
            eprintln!("note: cannot mount a tmpfs here (not root?): the test is skipped");
            None
        }
    }

    /// The folder the tmpfs is mounted at.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Makes the mount read-only.
    pub fn read_only(&self) {
        let st = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(st.success(), "remount read-only");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}
/// 64 bytes of noise written at the start of every fourth page of the middle half of a project, as
/// a failing disk corrupts sectors: a fixed noise (xorshift). At pages' starts, so that it lands on
/// their headers (a b-tree page's, or an overflow page's link), which SQLite sees; on many pages,
/// so that every table a command reads is hit (which table one page belongs to depends on the
/// random ids the project was made with, so damage to a single page can miss a command's reads).
pub fn damage(project: &Path) {
    use std::io::{Seek as _, SeekFrom, Write as _};
    /// SQLite's page size, the default Accord keeps.
    const PAGE: u64 = 4096;
    let len = std::fs::metadata(project).unwrap().len();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(project)
        .unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..64)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let (first, last) = (len / 4 / PAGE, len * 3 / 4 / PAGE);
    for page in (first..=last).step_by(4) {
        f.seek(SeekFrom::Start(page * PAGE)).unwrap();
        f.write_all(&noise).unwrap();
    }
    f.sync_all().unwrap();
}

/// The ids of the project's live codings.
pub fn live_coding_ids(project: &Path) -> Vec<String> {
    accord::Store::open(project)
        .unwrap()
        .codings(&accord::model::CodingFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| c.coding_id.to_text())
        .collect()
}

/// `accord code` of the demo's P01 (chars 10..40, Stigma, Maya Chen) in a process of its own; the
/// new coding's id.
pub fn code_a_passage(dir: &Path, project: &str) -> String {
    let run = accord(
        dir,
        &[
            "code",
            project,
            "-t",
            "P01_interview",
            "-c",
            "Stigma",
            "-r",
            "Maya Chen",
            "--span",
            "10..40",
            "--json",
        ],
    )
    .success();
    serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()["coding_id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Builds the demo project in `dir` and returns its path.
pub fn demo(dir: &Path) -> PathBuf {
    let path = dir.join("demo.accord");
    let root = root();
    accord(
        dir,
        &[
            "demo",
            "--out",
            path.to_str().unwrap(),
            "--source",
            root.to_str().unwrap(),
        ],
    )
    .success();
    path
}

/// Every file under `dir` whose bytes hold one of `words` (in any case), with the word: what a scan
/// of a project's folder for leaked text finds.
pub fn files_holding(dir: &Path, words: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap().to_ascii_lowercase();
            for word in words {
                let w = word.to_ascii_lowercase();
                if bytes.windows(w.len()).any(|x| x == w.as_bytes()) {
                    found.push((path.display().to_string(), (*word).to_string()));
                }
            }
        }
    }
    found
}

/// The window on a project, as the UI tests drive it (1400 x 900, a few frames drawn).
#[cfg(feature = "gui")]
pub fn window(project: &Path) -> egui_kittest::Harness<'static, accord::gui::AccordApp> {
    let app = accord::gui::AccordApp::new(accord::app::Workspace::open(project).unwrap());
    let mut h = egui_kittest::Harness::builder()
        .with_size([1400.0, 900.0])
        .build_ui_state(|ui, app: &mut accord::gui::AccordApp| app.ui_root(ui), app);
    steps(&mut h, 3);
    h
}

/// What a window test waits for: the window's background tasks (saves included) to end.
pub trait Busy {
    /// Whether a task is running or commands wait for one.
    fn busy(&self) -> bool;
}

impl Busy for accord::gui::AccordApp {
    fn busy(&self) -> bool {
        accord::gui::AccordApp::busy(self)
    }
}

impl Busy for accord::gui::Root {
    fn busy(&self) -> bool {
        self.app().is_some_and(accord::gui::AccordApp::busy)
    }
}

/// Runs `n` frames, then frames until the window's background tasks ended (every change is saved
/// on a task, so a test that looks at the project after a click waits for it), then one more.
pub fn steps<S: Busy>(h: &mut egui_kittest::Harness<'static, S>, n: usize) {
    h.run_steps(n);
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(2);
    while h.state().busy() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(2));
        h.run_steps(1);
    }
    h.run_steps(1);
}

/// The bytes of a project file and its WAL (what "unchanged" means on disk).
pub fn snapshot(project: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let wal = project.with_extension("accord-wal");
    (std::fs::read(project).unwrap(), std::fs::read(wal).ok())
}

/// The demo project, built once per test run: its snapshot for exports, and its agreement report at
/// turn level (100 bootstrap replicates, seeded, so the report is the same on every run).
pub struct DemoExport {
    pub data: accord::export::ProjectData,
    pub agreement: accord::agreement::project::ProjectAgreement,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

/// The shared demo (see [`DemoExport`]).
pub fn demo_export() -> &'static DemoExport {
    use accord::agreement::project::Unit;
    use accord::app::agreement::{AgreementOptions, project_agreement};
    use accord::app::demo::{DemoSources, build_demo};
    static DEMO: std::sync::OnceLock<DemoExport> = std::sync::OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.accord");
        build_demo(&path, &DemoSources::under(&root())).unwrap();
        let store = accord::Store::open(&path).unwrap();
        let data = accord::app::export::snapshot(&store).unwrap();
        let options = AgreementOptions {
            unit: Unit::Turn,
            stats: accord::agreement::StatOptions {
                bootstrap_replicates: 100,
                ..accord::agreement::StatOptions::default()
            },
            ..AgreementOptions::default()
        };
        let agreement = project_agreement(
            &store,
            &accord::app::agreement_input::Selection::default(),
            &options,
        )
        .unwrap();
        DemoExport {
            data,
            agreement,
            path,
            _dir: dir,
        }
    })
}

/// Replaces every UUID with `[id]` (ids made at import differ from run to run).
pub fn redact_ids(text: &str) -> String {
    let uuid = regex::Regex::new(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    )
    .unwrap();
    uuid.replace_all(text, "[id]").into_owned()
}

/// The text of every `w:t` run in a DOCX's `word/document.xml`, one paragraph per line.
pub fn docx_text(bytes: &[u8]) -> String {
    use quick_xml::events::Event;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut out, mut in_text) = (String::new(), false);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == b"p" => out.push('\n'),
            Event::Text(t) if in_text => out.push_str(&t.xml_content().unwrap()),
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().unwrap();
                out.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or("?"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The shared REFI-QDA folder (schemas and real example files).
pub fn refi() -> PathBuf {
    root().join("..").join("shared").join("refi-qda")
}

/// A real example file, or `None` (with a notice) when the shared folder is not there.
pub fn example(name: &str) -> Option<(PathBuf, Vec<u8>)> {
    let path = refi().join("examples").join(name);
    if let Ok(bytes) = std::fs::read(&path) {
        Some((path, bytes))
    } else {
        eprintln!("skipping: {} is not here", path.display());
        None
    }
}

/// Validates XML with xmllint against a REFI-QDA schema (kept in `tests/schemas/`, MIT-licensed by
/// REFI, so validation runs from any checkout); false (with a notice) when xmllint is missing.
pub fn xmllint(xml: &[u8], schema: &str) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let run = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(root().join("tests").join("schemas").join(schema))
        .arg(&file)
        .output();
    let Ok(out) = run else {
        eprintln!("NOTICE: xmllint is not installed; skipping schema validation (CI installs it)");
        return false;
    };
    assert!(
        out.status.success(),
        "xmllint rejects the export:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// One entry of a zip archive.
pub fn zip_entry(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut out).unwrap();
    out
}

/// Every live coding of a project as (id, quote), sorted: what must survive a change exactly.
pub fn codings_json(dir: &Path, project: &str) -> Vec<(String, String)> {
    let listed: serde_json::Value = serde_json::from_str(
        &accord(dir, &["codings", "list", project, "--json"])
            .success()
            .stdout,
    )
    .unwrap();
    let mut out: Vec<(String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["coding_id"].as_str().unwrap().to_string(),
                c["quote"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Issues Maya Chen a rater file of `transcript` (in `dir`), proposes a correction there (`old`
/// words to `new`) and merges the file back: the lead's project then holds the proposed text, a
/// whole copy of the transcript. Returns the rater file.
pub fn propose_through_rater_file(
    dir: &Path,
    project: &str,
    transcript: &str,
    (old, new): (&str, &str),
) -> PathBuf {
    let file = dir.join("maya-proposes.accord");
    let f = file.to_str().unwrap();
    accord(
        dir,
        &[
            "rater-file",
            project,
            "--rater",
            "Maya Chen",
            "--transcripts",
            transcript,
            "--out",
            f,
        ],
    )
    .success();
    accord(
        dir,
        &[
            "transcripts",
            "edit",
            f,
            transcript,
            "--replace",
            old,
            new,
            "--apply",
        ],
    )
    .success()
    .stdout_has("proposed the correction");
    accord(dir, &["merge", project, f])
        .success()
        .stdout_has("1 proposed correction");
    file
}

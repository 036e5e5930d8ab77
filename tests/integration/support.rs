//! Shared helpers: a small fluent runner for the `accord` binary, and paths into the source tree.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let out = Command::new(env!("CARGO_BIN_EXE_accord"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        // Never open a window from the tests, even on a desktop.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run accord");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
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

/// The bytes of a project file and its WAL (what "unchanged" means on disk).
pub fn snapshot(project: &Path) -> (Vec<u8>, Option<Vec<u8>>) {
    let wal = project.with_extension("accord-wal");
    (std::fs::read(project).unwrap(), std::fs::read(wal).ok())
}

//! Building the author's function with cargo and finding the executable.

use crate::toolchain::{Linker, Toolchain};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Which target to build, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// `--bin NAME`.
    pub bin: Option<String>,
    /// `--example NAME`: a cargo example, or a workspace package under
    /// `examples/NAME` or named `NAME`.
    pub example: Option<String>,
    /// Build with `--release`.
    pub release: bool,
    /// How to link; `None` builds for the host with cargo's defaults.
    pub toolchain: Option<Toolchain>,
    /// `Some(true)` strips the executable's symbols, `Some(false)` keeps
    /// them, `None` leaves it to the profile.
    pub strip: Option<bool>,
    /// Pass `--quiet` to cargo: no progress lines, only warnings and errors.
    pub quiet: bool,
}

/// What `cargo build` is told to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// `-p`.
    pub package: Option<String>,
    /// `--bin`.
    pub bin: Option<String>,
    /// `--example`.
    pub example: Option<String>,
    /// The executable's name.
    pub name: String,
}

impl Selection {
    fn bin(package: &str, bin: &str) -> Selection {
        Selection { package: Some(package.into()), bin: Some(bin.into()), example: None, name: bin.into() }
    }

    /// The arguments to `cargo build`.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for (flag, value) in [("-p", &self.package), ("--bin", &self.bin), ("--example", &self.example)] {
            if let Some(value) = value {
                args.extend([flag.to_owned(), value.clone()]);
            }
        }
        args
    }
}

/// Why no executable came out.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// cargo could not be run.
    #[error("cannot run cargo: {0}")]
    Cargo(std::io::Error),
    /// `cargo metadata` failed or said something unreadable.
    #[error("cargo metadata: {0}")]
    Metadata(String),
    /// No binary to run.
    #[error("no binary to run: {0}")]
    NoBinary(String),
    /// Several, and none chosen.
    #[error("several binaries, pick one with --bin or --example: {}", .0.join(", "))]
    Ambiguous(Vec<String>),
    /// The build failed (cargo's own output was shown).
    #[error("the build failed (cargo's output is above)")]
    Failed,
    /// rustc could not be run or said something unreadable.
    #[error("rustc: {0}")]
    Rustc(String),
    /// `cargo-zigbuild` could not set zig up as the linker.
    #[error("setting up zig as the linker: {0}")]
    Zig(String),
}

/// What `cargo build` builds for `target`, resolved against the workspace in `dir`.
pub fn resolve(dir: &Path, target: &Target) -> Result<Selection, BuildError> {
    let meta = metadata(dir)?;
    let empty = Vec::new();
    let packages = meta["packages"].as_array().unwrap_or(&empty);
    let bins = |p: &serde_json::Value, kind: &str| -> Vec<String> {
        p["targets"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter(|t| t["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == kind)))
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    };
    if let Some(name) = &target.example {
        // A workspace package under examples/NAME or named NAME…
        for p in packages {
            let dir_name = p["manifest_path"].as_str().map(Path::new).and_then(Path::parent);
            let in_examples = dir_name.is_some_and(|d| d.ends_with(Path::new("examples").join(name)));
            if (in_examples || p["name"] == name.as_str())
                && let (Some(pkg), Some(bin)) = (p["name"].as_str(), bins(p, "bin").into_iter().next())
            {
                return Ok(Selection::bin(pkg, &bin));
            }
        }
        // …or a cargo example target.
        if packages.iter().any(|p| bins(p, "example").contains(name)) {
            let example = Some(name.clone());
            return Ok(Selection { package: None, bin: None, example, name: name.clone() });
        }
        return Err(BuildError::NoBinary(format!("no example `{name}` in this workspace")));
    }
    let all: Vec<(String, String)> = packages
        .iter()
        .flat_map(|p| {
            let pkg = p["name"].as_str().unwrap_or_default().to_owned();
            bins(p, "bin").into_iter().map(move |b| (pkg.clone(), b))
        })
        .collect();
    if let Some(name) = &target.bin {
        return match all.iter().find(|(_, b)| b == name) {
            Some((pkg, bin)) => Ok(Selection::bin(pkg, bin)),
            None => Err(BuildError::NoBinary(format!(
                "no binary `{name}`; the binaries are: {}",
                all.iter().map(|(_, b)| b.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        };
    }
    // The package in `dir`, if `dir` holds one, else the whole workspace.
    let here = packages
        .iter()
        .find(|p| p["manifest_path"].as_str().map(Path::new).and_then(Path::parent) == Some(dir));
    let choices: Vec<(String, String)> = match here {
        Some(p) => bins(p, "bin")
            .into_iter()
            .map(|b| (p["name"].as_str().unwrap_or_default().to_owned(), b))
            .collect(),
        None => all,
    };
    match choices.as_slice() {
        [] => Err(BuildError::NoBinary("the package has no binary target".into())),
        [(pkg, bin)] => Ok(Selection::bin(pkg, bin)),
        many => Err(BuildError::Ambiguous(many.iter().map(|(_, b)| b.clone()).collect())),
    }
}

/// Builds `target` in `dir` with cargo's progress on stderr and returns the
/// executable's path.
pub fn build(dir: &Path, target: &Target) -> Result<PathBuf, BuildError> {
    let selection = resolve(dir, target)?;
    let mut cmd = match &target.toolchain {
        Some(Toolchain { linker: Linker::Zig, triple, .. }) => {
            crate::zig::command(dir, triple, &selection, target.release)?
        }
        toolchain => {
            let mut cmd = Command::new(cargo());
            cmd.current_dir(dir).arg("build").args(selection.args());
            cmd.arg("--message-format=json-render-diagnostics");
            if target.release {
                cmd.arg("--release");
            }
            if let Some(t) = toolchain {
                cmd.args(t.cargo_target.iter().flat_map(|t| ["--target", t.as_str()]));
                cmd.envs(t.env.iter().map(|(k, v)| (k, v)));
            }
            cmd
        }
    };
    if target.quiet {
        cmd.arg("--quiet");
    }
    if let Some(strip) = target.strip {
        let profile = if target.release { "RELEASE" } else { "DEV" };
        cmd.env(format!("CARGO_PROFILE_{profile}_STRIP"), if strip { "symbols" } else { "none" });
    }
    let out = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).output().map_err(BuildError::Cargo)?;
    if !out.status.success() {
        return Err(BuildError::Failed);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let name = selection.name.as_str();
    let exe = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back();
    exe.ok_or_else(|| BuildError::NoBinary(format!("cargo built no executable for `{name}`")))
}

/// Cargo's target directory for the workspace in `dir` (`target_directory`
/// in `cargo metadata`).
pub fn target_directory(dir: &Path) -> Result<PathBuf, BuildError> {
    metadata(dir)?["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| BuildError::Metadata("no `target_directory` in its output".into()))
}

/// The triple rustc builds for when given no `--target` (the `host:` line
/// of `rustc -vV`).
pub fn host_triple() -> Result<String, BuildError> {
    let out = rustc(&["-vV"])?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_owned())
        .ok_or_else(|| BuildError::Rustc("no `host:` line in `rustc -vV`".into()))
}

/// rustc's sysroot (`rustc --print sysroot`), where each installed
/// target's standard library is, under `lib/rustlib/TRIPLE/lib`.
pub fn sysroot() -> Result<String, BuildError> {
    Ok(rustc(&["--print", "sysroot"])?.trim().to_owned())
}

/// Runs rustc (`$RUSTC` if set) with `args` and returns its stdout.
fn rustc(args: &[&str]) -> Result<String, BuildError> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| BuildError::Rustc(format!("cannot run rustc: {e}")))?;
    if !out.status.success() {
        return Err(BuildError::Rustc(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn metadata(dir: &Path) -> Result<serde_json::Value, BuildError> {
    let out = Command::new(cargo())
        .current_dir(dir)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::piped())
        .output()
        .map_err(BuildError::Cargo)?;
    if !out.status.success() {
        return Err(BuildError::Metadata(String::from_utf8_lossy(&out.stderr).trim().to_owned()));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| BuildError::Metadata(e.to_string()))
}

/// The cargo that runs us (`$CARGO` under `cargo run`/`cargo apigw`), else `cargo`.
fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

//! From a crate to its zip in one call: choose how to link, build with
//! cargo, check the executable, write the bundle.

use crate::Platform;
use crate::archive::{self, BundleError, BundleInfo, BundleOptions};
use crate::cargo::{self, BuildError, Target};
use crate::elf::Linkage;
use crate::toolchain::{self, Machine, Request, Toolchain, ToolchainError};
use std::path::PathBuf;

/// What to bundle, for which platform, and where to write it.
#[derive(Clone, Debug)]
pub struct BundleSpec {
    /// The crate or workspace to build in; includes are relative to it.
    pub dir: PathBuf,
    /// `--bin NAME`; with neither this nor `example`, the package's only binary.
    pub bin: Option<String>,
    /// `--example NAME`.
    pub example: Option<String>,
    /// The platform.
    pub platform: Platform,
    /// The processor and the way to link.
    pub request: Request,
    /// Strip the executable's symbols (a panic still prints its message and
    /// location; its backtrace frames lose their names).
    pub strip: bool,
    /// Files and folders to put beside the executable.
    pub include: Vec<PathBuf>,
    /// The folder the zip goes in; `None` is cargo's target directory + `/apigw`.
    pub output_dir: Option<PathBuf>,
    /// Every entry's time, in seconds since the Unix epoch.
    pub timestamp: u64,
    /// Pass `--quiet` to cargo: no progress lines, only warnings and errors.
    pub quiet: bool,
}

/// A bundle that was built and written.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The zip and what is in it.
    pub info: BundleInfo,
    /// How the executable was built.
    pub toolchain: Toolchain,
    /// Things the platform may not have, said before upload.
    pub warnings: Vec<String>,
}

/// Why no bundle was written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No way to link for the platform.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// cargo did not produce the executable.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The executable or the zip was refused.
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

/// Builds `spec` in release mode on `machine` and writes its zip,
/// `<name>.zip` (`<name>-arm64.zip` for aarch64). Includes are checked
/// before the build, the executable after it; nothing is written unless
/// everything passes.
pub fn build_bundle(spec: &BundleSpec, machine: &dyn Machine) -> Result<Bundle, Error> {
    archive::resolve_includes(&spec.dir, &spec.include)?;
    let toolchain = toolchain::choose(&spec.request, machine)?;
    let target = Target {
        bin: spec.bin.clone(),
        example: spec.example.clone(),
        release: true,
        toolchain: Some(toolchain.clone()),
        strip: Some(spec.strip),
        quiet: spec.quiet,
    };
    let exe = cargo::build(&spec.dir, &target)?;
    let name = exe.file_name().map_or_else(|| "function".into(), |n| n.to_string_lossy().into_owned());
    let output_dir = match &spec.output_dir {
        Some(d) => spec.dir.join(d),
        None => cargo::target_directory(&spec.dir)?.join("apigw"),
    };
    let info = archive::write_bundle(&BundleOptions {
        exe,
        platform: spec.platform,
        arch: toolchain.arch,
        base: spec.dir.clone(),
        include: spec.include.clone(),
        output: output_dir.join(format!("{name}{}.zip", toolchain.arch.zip_suffix())),
        timestamp: spec.timestamp,
        limits: spec.platform.limits(),
    })?;
    let warnings = foreign_libraries(&info.elf.linkage)
        .map(|lib| {
            format!(
                "the executable needs the shared library {lib}, which {} may not have: \
                 link it statically or put it in the bundle",
                spec.platform.system()
            )
        })
        .collect();
    Ok(Bundle { info, toolchain, warnings })
}

/// The libraries `linkage` names that are neither glibc's nor libgcc's.
fn foreign_libraries(linkage: &Linkage) -> impl Iterator<Item = &str> {
    const SYSTEM: [&str; 8] = [
        "libc.so",
        "libm.so",
        "libpthread.so",
        "libdl.so",
        "librt.so",
        "libutil.so",
        "libgcc_s.so",
        "ld-linux",
    ];
    let libraries = match linkage {
        Linkage::Dynamic { libraries, .. } => libraries.as_slice(),
        Linkage::Static => &[],
    };
    libraries.iter().map(String::as_str).filter(|lib| !SYSTEM.iter().any(|s| lib.starts_with(s)))
}

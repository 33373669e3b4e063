//! Linking with zig, through `cargo-zigbuild` used as a library, the way
//! cargo-lambda does it: the user installs nothing but zig.
//!
//! `cargo-zigbuild` points cargo's linker at small scripts that start the
//! *current executable* again as `<exe> zig cc -- …`. A program that builds
//! bundles with [`Linker::Zig`](crate::toolchain::Linker::Zig) must
//! therefore call [`run_if_wrapper`] first thing in `main`, before it reads
//! its own arguments:
//!
//! ```no_run
//! fn main() {
//!     apigw_bundle::zig::run_if_wrapper();
//!     // … the program's own work, which may build bundles with zig …
//! }
//! ```

use crate::cargo::{BuildError, Selection};
use clap::Parser;
use std::path::Path;
use std::process::Command;

/// Whether zig can be run: `python3 -m ziglang` (what `pip install
/// ziglang` gives) or `zig` on `PATH`; `CARGO_ZIGBUILD_PYTHON_PATH` and
/// `CARGO_ZIGBUILD_ZIG_PATH` name other ones.
pub fn found() -> bool {
    cargo_zigbuild::Zig::find_zig().is_ok()
}

/// The wrapper's command line: `<exe> zig cc|c++|ar|ranlib|lib -- ARGS`.
#[derive(Parser)]
struct Wrapper {
    #[command(subcommand)]
    zig: cargo_zigbuild::Zig,
}

/// When this process was started as `cargo-zigbuild`'s linker wrapper
/// (its first argument is `zig`), runs zig for it and exits with zig's
/// status; otherwise returns at once.
pub fn run_if_wrapper() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_none_or(|a| a != "zig") {
        return;
    }
    args.remove(1);
    let code = match Wrapper::parse_from(args).zig.execute() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: zig: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

// The options are cargo-options' fields, reached through cargo-zigbuild's Build.
#[allow(clippy::field_reassign_with_default)]
/// `cargo build` of `selection` for `triple` (with its glibc suffix) with
/// zig as the linker, run in `dir`.
pub(crate) fn command(
    dir: &Path,
    triple: &str,
    selection: &Selection,
    release: bool,
) -> Result<Command, BuildError> {
    let mut build = cargo_zigbuild::Build::default();
    build.release = release;
    build.common.target = vec![triple.to_owned()];
    build.common.message_format = vec!["json-render-diagnostics".to_owned()];
    build.packages.extend(selection.package.clone());
    build.bin.extend(selection.bin.clone());
    build.example.extend(selection.example.clone());
    let mut cmd = build.build_command().map_err(|e| BuildError::Zig(format!("{e:#}")))?;
    cmd.current_dir(dir);
    Ok(cmd)
}

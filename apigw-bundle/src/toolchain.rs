//! How the executable is linked so that it starts on the platform, chosen
//! from what this machine has:
//!
//! 1. the musl target for the architecture, when its standard library is
//!    installed: a static binary that runs on any Linux (aarch64 from
//!    another host links with `rust-lld`, which ships with rustc);
//! 2. otherwise zig, found as `zig` on `PATH` or as Python's `ziglang`
//!    module, linking against glibc 2.17 (the oldest the platforms run)
//!    through `cargo-zigbuild`;
//! 3. otherwise nothing, with the two ways to get one of them.
//!
//! Linking with the build machine's own toolchain is never chosen for you:
//! [`Linker::Host`] is an explicit opt-in, and the bundle is still refused
//! when that machine's glibc is newer than the platform's.
//!
//! ```
//! use apigw_bundle::toolchain::{Linker, Machine, Request, choose};
//! use apigw_bundle::Arch;
//!
//! struct NoMusl;
//! impl Machine for NoMusl {
//!     fn host(&self) -> &str { "x86_64-unknown-linux-gnu" }
//!     fn has_std(&self, triple: &str) -> bool { triple == self.host() }
//!     fn has_zig(&self) -> bool { true }
//! }
//! let chosen = choose(&Request { arch: Arch::X86_64, ..Request::default() }, &NoMusl)?;
//! assert_eq!(chosen.linker, Linker::Zig);
//! assert_eq!(chosen.triple, "x86_64-unknown-linux-gnu.2.17");
//! # Ok::<(), apigw_bundle::toolchain::ToolchainError>(())
//! ```

use crate::Arch;
use crate::cargo::{self, BuildError};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The glibc a zig-linked bundle asks for: SCF's CentOS 7, the oldest of
/// the platforms' systems, so one bundle starts on both vendors.
pub const ZIG_GLIBC: &str = "2.17";

/// A way of linking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linker {
    /// The `<arch>-unknown-linux-musl` target: a static binary.
    Musl,
    /// zig through `cargo-zigbuild`, for `<arch>-unknown-linux-gnu.2.17`.
    Zig,
    /// This machine's own toolchain, for its own triple: the bundle needs a
    /// glibc as new as this machine's.
    Host,
}

impl fmt::Display for Linker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Linker::Musl => "musl",
            Linker::Zig => "zig",
            Linker::Host => "host",
        })
    }
}

/// What the machine building the bundle has.
pub trait Machine {
    /// The triple rustc builds for by default.
    fn host(&self) -> &str;
    /// Whether the standard library for `triple` is installed.
    fn has_std(&self, triple: &str) -> bool;
    /// Whether zig can be run (`zig` on `PATH`, or `python3 -m ziglang`).
    fn has_zig(&self) -> bool;
}

/// This machine, asked through rustc and by looking for zig (once, when first needed).
#[derive(Debug)]
pub struct ThisMachine {
    host: String,
    sysroot: String,
    zig: OnceLock<bool>,
}

impl ThisMachine {
    /// Asks rustc (`$RUSTC` when set) for the host triple and its sysroot.
    pub fn probe() -> Result<ThisMachine, BuildError> {
        Ok(ThisMachine { host: cargo::host_triple()?, sysroot: cargo::sysroot()?, zig: OnceLock::new() })
    }
}

impl Machine for ThisMachine {
    fn host(&self) -> &str {
        &self.host
    }

    fn has_std(&self, triple: &str) -> bool {
        Path::new(&self.sysroot).join("lib/rustlib").join(triple).join("lib").is_dir()
    }

    fn has_zig(&self) -> bool {
        *self.zig.get_or_init(crate::zig::found)
    }
}

/// What the bundle is asked to be built for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The processor, when no `target` is given.
    pub arch: Arch,
    /// The way to link; `None` chooses (musl, then zig).
    pub linker: Option<Linker>,
    /// An explicit target triple (a zig glibc suffix such as `.2.28` allowed).
    pub target: Option<String>,
}

/// How the executable will be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    /// The way it is linked.
    pub linker: Linker,
    /// What it is built for, as said to the user: `x86_64-unknown-linux-musl`,
    /// `x86_64-unknown-linux-gnu.2.17`.
    pub triple: String,
    /// What cargo gets as `--target` (with zig's glibc suffix, which
    /// `cargo-zigbuild` takes off); `None` for the host's own build.
    pub cargo_target: Option<String>,
    /// The processor.
    pub arch: Arch,
    /// Variables for cargo: the linker for a foreign musl target.
    pub env: Vec<(String, String)>,
}

/// Why no way of linking can build the bundle.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ToolchainError {
    /// Neither the musl target nor zig.
    #[error(
        "no way to build a bundle that starts on the platform: {musl} is not installed and zig was not found; \
         either install the musl target for a static binary, `rustup target add {musl}`, or install zig to \
         link against glibc {ZIG_GLIBC}, `pip install ziglang`{gnu_hint}"
    )]
    NoWay {
        /// The musl target that is missing.
        musl: &'static str,
        /// Said when zig would also need the glibc target.
        gnu_hint: String,
    },
    /// A target's standard library is missing.
    #[error("{triple} is not installed: run `rustup target add {triple}`")]
    MissingStd {
        /// The target.
        triple: String,
    },
    /// zig was asked for and is not there.
    #[error("zig was not found (neither `zig` on PATH nor `python3 -m ziglang`): run `pip install ziglang`")]
    NoZig,
    /// The host's toolchain cannot build for the architecture.
    #[error("--linker host builds for this machine, {host}, not {arch} Linux: use musl or zig")]
    HostCannot {
        /// The host triple.
        host: String,
        /// The architecture asked for.
        arch: Arch,
    },
    /// A target the platforms do not run.
    #[error("{0}: the platforms run x86_64 or aarch64 Linux")]
    Unsupported(String),
    /// A target and a way of linking that do not go together.
    #[error("{triple} cannot be linked by {linker}: {why}")]
    Mismatch {
        /// The target.
        triple: String,
        /// The way asked for.
        linker: Linker,
        /// Why not.
        why: &'static str,
    },
}

/// Chooses how to build for `request` on `machine`.
pub fn choose(request: &Request, machine: &dyn Machine) -> Result<Toolchain, ToolchainError> {
    match &request.target {
        Some(triple) => explicit(triple, request.linker, machine),
        None => for_arch(request.arch, request.linker, machine),
    }
}

fn for_arch(arch: Arch, linker: Option<Linker>, machine: &dyn Machine) -> Result<Toolchain, ToolchainError> {
    let (musl, gnu) = (arch.musl_triple(), arch.gnu_triple());
    let need_std = |triple: &str| {
        if machine.has_std(triple) {
            Ok(())
        } else {
            Err(ToolchainError::MissingStd { triple: triple.into() })
        }
    };
    match linker {
        Some(Linker::Musl) => need_std(musl).map(|()| musl_toolchain(musl, arch, machine)),
        Some(Linker::Zig) if !machine.has_zig() => Err(ToolchainError::NoZig),
        Some(Linker::Zig) => need_std(gnu).map(|()| zig_toolchain(&format!("{gnu}.{ZIG_GLIBC}"), arch)),
        Some(Linker::Host) => host_toolchain(arch, machine),
        None if machine.has_std(musl) => Ok(musl_toolchain(musl, arch, machine)),
        None if machine.has_zig() && machine.has_std(gnu) => {
            Ok(zig_toolchain(&format!("{gnu}.{ZIG_GLIBC}"), arch))
        }
        None => {
            let gnu_hint =
                if machine.has_std(gnu) { String::new() } else { format!(" and `rustup target add {gnu}`") };
            Err(ToolchainError::NoWay { musl, gnu_hint })
        }
    }
}

fn explicit(
    triple: &str,
    linker: Option<Linker>,
    machine: &dyn Machine,
) -> Result<Toolchain, ToolchainError> {
    let rust_triple = triple.split_once('.').map_or(triple, |(t, _)| t);
    let arch = Arch::of_triple(rust_triple)
        .filter(|_| rust_triple.contains("-linux-"))
        .ok_or_else(|| ToolchainError::Unsupported(triple.into()))?;
    let musl = rust_triple.ends_with("-musl");
    let mismatch = |linker, why| Err(ToolchainError::Mismatch { triple: triple.into(), linker, why });
    let linker = match linker {
        Some(Linker::Musl) if !musl => return mismatch(Linker::Musl, "it is not a musl target"),
        Some(Linker::Host) if rust_triple != machine.host() => {
            return mismatch(Linker::Host, "it is not this machine's triple");
        }
        Some(linker) => linker,
        None if musl => Linker::Musl,
        None if machine.has_zig() => Linker::Zig,
        None if rust_triple == machine.host() && triple == rust_triple => Linker::Host,
        None => return Err(ToolchainError::NoZig),
    };
    if triple != rust_triple && linker != Linker::Zig {
        return mismatch(linker, "a glibc version suffix is zig's");
    }
    if linker == Linker::Zig && !machine.has_zig() {
        return Err(ToolchainError::NoZig);
    }
    if !machine.has_std(rust_triple) {
        return Err(ToolchainError::MissingStd { triple: rust_triple.into() });
    }
    Ok(match linker {
        Linker::Musl => musl_toolchain(triple, arch, machine),
        Linker::Zig => zig_toolchain(triple, arch),
        Linker::Host => Toolchain {
            linker,
            triple: triple.into(),
            cargo_target: Some(triple.into()),
            arch,
            env: Vec::new(),
        },
    })
}

/// The musl target; from another architecture's host, linked by `rust-lld`
/// (the host's `cc` cannot link a foreign architecture), unless cargo's
/// linker variable for it is already set.
fn musl_toolchain(triple: &str, arch: Arch, machine: &dyn Machine) -> Toolchain {
    let var = format!("CARGO_TARGET_{}_LINKER", triple.to_ascii_uppercase().replace(['-', '.'], "_"));
    let foreign = Arch::of_triple(machine.host()) != Some(arch);
    let env = if foreign && std::env::var_os(&var).is_none() {
        vec![(var, "rust-lld".to_owned())]
    } else {
        Vec::new()
    };
    Toolchain { linker: Linker::Musl, triple: triple.into(), cargo_target: Some(triple.into()), arch, env }
}

fn zig_toolchain(triple: &str, arch: Arch) -> Toolchain {
    Toolchain {
        linker: Linker::Zig,
        triple: triple.into(),
        cargo_target: Some(triple.into()),
        arch,
        env: Vec::new(),
    }
}

fn host_toolchain(arch: Arch, machine: &dyn Machine) -> Result<Toolchain, ToolchainError> {
    let host = machine.host();
    if Arch::of_triple(host) != Some(arch) || !host.contains("-linux-") {
        return Err(ToolchainError::HostCannot { host: host.into(), arch });
    }
    Ok(Toolchain { linker: Linker::Host, triple: host.into(), cargo_target: None, arch, env: Vec::new() })
}

#[cfg(test)]
mod tests;

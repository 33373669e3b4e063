//! What an executable needs to start: read from its ELF headers with
//! `goblin`, then held against the platform. A Rust binary linked against
//! the build machine's glibc asks for that glibc's symbol versions
//! (`GLIBC_2.34` on a current Debian), and the loader on the platform's
//! older system refuses to start it; that is caught here, before upload.
//!
//! ```
//! use apigw_bundle::elf::{GlibcVersion, Linkage, inspect};
//!
//! let exe = std::fs::read(std::env::current_exe()?)?;
//! let info = inspect(&exe)?;
//! if let Linkage::Dynamic { glibc: Some(needs), .. } = &info.linkage {
//!     assert!(*needs >= GlibcVersion::new(2, 2));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::{Arch, Platform};
use goblin::elf::Elf;
use goblin::elf::dynamic::DF_1_PIE;
use goblin::elf::header::{ET_DYN, ET_EXEC};
use std::fmt;

/// A glibc release, as symbol versions name it (`GLIBC_2.17`, `GLIBC_2.2.5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GlibcVersion {
    /// `2`.
    pub major: u16,
    /// `17`.
    pub minor: u16,
    /// `5` in `2.2.5`; 0 when absent.
    pub patch: u16,
}

impl GlibcVersion {
    /// `major.minor`.
    pub const fn new(major: u16, minor: u16) -> GlibcVersion {
        GlibcVersion { major, minor, patch: 0 }
    }

    /// The release a symbol version needs: `GLIBC_2.17` → 2.17.
    /// `GLIBC_ABI_DT_RELR` (packed relocations) is 2.36, the first glibc
    /// that reads them. Anything else (`GLIBC_PRIVATE`, `GCC_3.0`) is `None`.
    pub fn of_symbol_version(name: &str) -> Option<GlibcVersion> {
        if name == "GLIBC_ABI_DT_RELR" {
            return Some(GlibcVersion::new(2, 36));
        }
        let mut parts = name.strip_prefix("GLIBC_")?.split('.').map(|p| p.parse::<u16>().ok());
        let major = parts.next()??;
        let minor = parts.next()??;
        let patch = parts.next().unwrap_or(Some(0))?;
        parts.next().is_none().then_some(GlibcVersion { major, minor, patch })
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.patch != 0 {
            write!(f, ".{}", self.patch)?;
        }
        Ok(())
    }
}

/// How an executable gets its C library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Linkage {
    /// Everything inside (no program interpreter): runs on any Linux.
    Static,
    /// Loaded by `interpreter`, with `libraries` beside it.
    Dynamic {
        /// The program interpreter (`/lib64/ld-linux-x86-64.so.2`).
        interpreter: String,
        /// The shared libraries it names (`DT_NEEDED`).
        libraries: Vec<String>,
        /// The newest glibc its symbol versions need, if any.
        glibc: Option<GlibcVersion>,
    },
}

impl fmt::Display for Linkage {
    /// `static`, or `glibc ≥ 2.17`: what the executable needs to start.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Linkage::Static => f.write_str("static"),
            Linkage::Dynamic { glibc: Some(v), .. } => write!(f, "glibc ≥ {v}"),
            Linkage::Dynamic { interpreter, .. } => write!(f, "dynamic ({interpreter})"),
        }
    }
}

/// What an executable is, as far as starting it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    /// Its ELF `e_machine`.
    pub machine: u16,
    /// How it is linked.
    pub linkage: Linkage,
    /// Whether it still has a symbol table (`.symtab`).
    pub symbols: bool,
}

/// Why a file is not a Linux executable at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotElf {
    /// Fewer bytes than an ELF header.
    #[error("it is too short to be an ELF file")]
    TooShort,
    /// No `\x7fELF` at the start.
    #[error("it is not an ELF file (built for another operating system?)")]
    NoMagic,
    /// A 32-bit ELF.
    #[error("it is a 32-bit ELF")]
    Not64Bit,
    /// A big-endian ELF.
    #[error("it is a big-endian ELF")]
    BigEndian,
    /// An object file, shared library, core dump or other ELF that does not run.
    #[error("it is an ELF {0}, not an executable")]
    NotExecutable(&'static str),
    /// Its headers do not hold together.
    #[error("its ELF headers are malformed: {0}")]
    Malformed(String),
}

/// Why an executable would not start on the platform.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Built for another processor.
    #[error("it is built for ELF machine {found:#x}, not {want}")]
    Arch {
        /// Its `e_machine`.
        found: u16,
        /// The processor asked for.
        want: Arch,
    },
    /// Its symbol versions need a newer glibc than the platform has.
    #[error(
        "it needs glibc {needs} (symbol version GLIBC_{needs}), and {system} has glibc {has}: \
         link it statically with musl, or against glibc {has} with zig"
    )]
    Glibc {
        /// The newest version it needs.
        needs: GlibcVersion,
        /// The platform's.
        has: GlibcVersion,
        /// The platform's system.
        system: &'static str,
    },
    /// Loaded by an interpreter that is not glibc's (musl's shared `libc.so`).
    #[error("it is loaded by {0}, which {1} does not have: link it statically")]
    Interpreter(String, &'static str),
}

/// Reads what `bytes`, a whole executable, needs to start.
pub fn inspect(bytes: &[u8]) -> Result<ElfInfo, NotElf> {
    if !bytes.starts_with(b"\x7fELF") {
        return Err(NotElf::NoMagic);
    }
    let Some(ident) = bytes.get(..20) else { return Err(NotElf::TooShort) };
    if ident[4] != 2 {
        return Err(NotElf::Not64Bit);
    }
    if ident[5] != 1 {
        return Err(NotElf::BigEndian);
    }
    let elf = Elf::parse(bytes).map_err(|e| NotElf::Malformed(e.to_string()))?;
    let pie = elf.dynamic.as_ref().is_some_and(|d| d.info.flags_1 & DF_1_PIE != 0);
    let linkage = match (elf.header.e_type, elf.interpreter) {
        (ET_EXEC | ET_DYN, Some(interpreter)) => Linkage::Dynamic {
            interpreter: interpreter.to_owned(),
            libraries: elf.libraries.iter().map(|l| (*l).to_owned()).collect(),
            glibc: newest_glibc(&elf),
        },
        (ET_EXEC, None) => Linkage::Static,
        // A static PIE (musl's default) is ET_DYN without an interpreter.
        (ET_DYN, None) if pie || elf.dynamic.is_none() => Linkage::Static,
        (ET_DYN, None) => return Err(NotElf::NotExecutable("shared library")),
        (1, _) => return Err(NotElf::NotExecutable("object file")),
        (4, _) => return Err(NotElf::NotExecutable("core dump")),
        _ => return Err(NotElf::NotExecutable("file of an unknown type")),
    };
    Ok(ElfInfo { machine: elf.header.e_machine, linkage, symbols: !elf.syms.is_empty() })
}

/// The newest glibc release among the symbol versions `elf` needs.
fn newest_glibc(elf: &Elf<'_>) -> Option<GlibcVersion> {
    let mut newest = None;
    for need in elf.verneed.as_ref()?.iter() {
        let versions = need.iter().filter_map(|aux| elf.dynstrtab.get_at(aux.vna_name));
        newest = newest.max(versions.filter_map(GlibcVersion::of_symbol_version).max());
    }
    newest
}

/// Checks that `info` describes an executable that starts on `platform`'s
/// `arch` machines.
pub fn check(info: &ElfInfo, arch: Arch, platform: Platform) -> Result<(), Refusal> {
    if info.machine != arch.machine() {
        return Err(Refusal::Arch { found: info.machine, want: arch });
    }
    let Linkage::Dynamic { interpreter, glibc, .. } = &info.linkage else { return Ok(()) };
    if !interpreter.contains("/ld-linux") {
        return Err(Refusal::Interpreter(interpreter.clone(), platform.system()));
    }
    let has = platform.glibc();
    match glibc {
        Some(needs) if *needs > has => Err(Refusal::Glibc { needs: *needs, has, system: platform.system() }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;

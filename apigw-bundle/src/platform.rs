//! What a bundle runs on: the platform that starts it and the processor.

use crate::archive::Limits;
use crate::elf::GlibcVersion;

/// The platform a bundle is uploaded to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Platform {
    /// A Tencent SCF event function (custom runtime): starts `bootstrap`.
    Tencent,
    /// A Tencent SCF web function: starts `scf_bootstrap`.
    TencentWeb,
    /// An Alibaba FC custom-runtime function: starts `bootstrap`.
    Aliyun,
}

impl Platform {
    /// The executable's name in the zip, the one the platform starts.
    pub fn entry_name(self) -> &'static str {
        match self {
            Platform::TencentWeb => "scf_bootstrap",
            Platform::Tencent | Platform::Aliyun => "bootstrap",
        }
    }

    /// The newest glibc the platform's system has: SCF runs on CentOS 7
    /// (glibc 2.17), FC's custom runtime on Debian 10 (glibc 2.28).
    pub fn glibc(self) -> GlibcVersion {
        match self {
            Platform::Tencent | Platform::TencentWeb => GlibcVersion::new(2, 17),
            Platform::Aliyun => GlibcVersion::new(2, 28),
        }
    }

    /// The system the function runs on, for messages.
    pub fn system(self) -> &'static str {
        match self {
            Platform::Tencent | Platform::TencentWeb => "Tencent SCF (CentOS 7)",
            Platform::Aliyun => "Alibaba FC's custom runtime (Debian 10)",
        }
    }

    /// The platform's size limits.
    pub fn limits(self) -> Limits {
        Limits::of(self)
    }
}

/// The processor a bundle runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Arch {
    /// x86-64 (ELF `e_machine` 0x3E).
    #[default]
    X86_64,
    /// 64-bit ARM (ELF `e_machine` 0xB7).
    Aarch64,
}

impl Arch {
    /// The architecture a target triple starts with, when it is one of these.
    pub fn of_triple(triple: &str) -> Option<Arch> {
        match triple.split('-').next() {
            Some("x86_64") => Some(Arch::X86_64),
            Some("aarch64") => Some(Arch::Aarch64),
            _ => None,
        }
    }

    /// The ELF `e_machine` of executables for it.
    pub fn machine(self) -> u16 {
        match self {
            Arch::X86_64 => 0x3E,
            Arch::Aarch64 => 0xB7,
        }
    }

    /// Its static musl target, e.g. `x86_64-unknown-linux-musl`.
    pub fn musl_triple(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-musl",
            Arch::Aarch64 => "aarch64-unknown-linux-musl",
        }
    }

    /// Its glibc target, e.g. `x86_64-unknown-linux-gnu`.
    pub fn gnu_triple(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-gnu",
            Arch::Aarch64 => "aarch64-unknown-linux-gnu",
        }
    }

    /// What the zip's name carries after the executable's name: nothing
    /// for x86_64, `-arm64` for aarch64, so both sit side by side.
    pub fn zip_suffix(self) -> &'static str {
        match self {
            Arch::X86_64 => "",
            Arch::Aarch64 => "-arm64",
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        })
    }
}

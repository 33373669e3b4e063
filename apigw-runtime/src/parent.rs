//! A function started by the local gateway does not outlive it: on Linux
//! the kernel kills the process when the gateway dies
//! (`PR_SET_PDEATHSIG`), and a process whose gateway is already gone when
//! it starts exits at once.

use crate::Error;

/// Ties this process's life to the gateway with process id `parent`.
pub(crate) fn die_with(parent: u32) -> Result<(), Error> {
    // An emulator may not pass the request on: the gateway's process group
    // and its stop on signals still hold.
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL)) {
        tracing::warn!(error = %e, "cannot ask Linux to stop this function with its gateway");
    }
    // Asked after the death signal is set: a gateway that died before then
    // has already handed this process to another parent.
    let now = rustix::process::Pid::as_raw(rustix::process::getppid()) as u32;
    if now != parent {
        return Err(Error::Config(format!(
            "the gateway that started this function (pid {parent}) is gone; exiting"
        )));
    }
    Ok(())
}

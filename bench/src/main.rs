//! The benchmark harness (see BENCHMARKS.md).
//!
//! `harness runtime [N] [ROUNDS] [LABEL=PATH…]`: a mock runtime API drives
//! each contender binary through N invocations per round — the no-parse
//! floor and `apigw-hello` over Tencent's runtime API, `lambda-hello` over the
//! Lambda runtime API, and any further Tencent-protocol binaries named on the
//! command line (say, a build of another commit) — rounds interleaved so all
//! see the same machine state.
//!
//! `harness instructions [N1] [N2] [LABEL=PATH…]`: the same contenders under
//! callgrind, run for N1 and for N2 invocations: the difference of the
//! instructions counted, over N2 − N1, is what one invocation executes in
//! the steady state, start-up excluded. Deterministic, so unlike time it
//! does not move with the machine's load.
//!
//! `harness gateway CARGO_APIGW N [ROUNDS]`: N sequential keep-alive requests
//! from this process to `apigw-hello` served directly as a web function, and
//! through `cargo apigw serve` in front of it (web and Tencent event modes).
//!
//! `harness soak CARGO_APIGW [N]`: N requests through `cargo apigw serve`
//! with panics, timeouts, malformed responses and exits mixed in.
//!
//! `harness concurrency CARGO_APIGW [SECONDS] [ROUNDS]`: 16 concurrent
//! clients against a handler that sleeps 200 ms, through `serve` (Tencent,
//! Alibaba) and serverless-offline, against the ideal 80 requests/s.

mod concurrency;
mod gateway;
mod runtime_api;
mod soak;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// One round's figures for one contender.
#[derive(Clone, Debug, Default)]
pub struct Round {
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub init: Duration,
    pub peak_rss_kb: u64,
    pub cpu_per_invocation: Duration,
    /// The part of `cpu_per_invocation` spent in user space.
    pub user_per_invocation: Duration,
}

/// The user and the system CPU time the process has used.
pub fn cpu_time(pid: u32) -> (Duration, Duration) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the `(name)`.
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let seconds = |t: u64| Duration::from_secs_f64(t as f64 / 100.0);
    (seconds(ticks(11)), seconds(ticks(12)))
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The median of per-round figures (the upper one of an even count).
pub fn median<T: Copy + PartialOrd>(values: impl IntoIterator<Item = T>) -> T {
    let mut values: Vec<T> = values.into_iter().collect();
    values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    values[values.len() / 2]
}

/// The binaries built beside this one: `cargo build --release --bins`, and
/// the apigw contenders with `--manifest-path contenders/Cargo.toml
/// --target-dir target`.
pub fn sibling(name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("the harness knows where it is");
    me.parent().expect("in a directory").join(name)
}

pub fn peak_rss_kb(pid: u32) -> u64 {
    status_kb(pid, "VmHWM:")
}

pub fn rss_kb(pid: u32) -> u64 {
    status_kb(pid, "VmRSS:")
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn stripped_size(path: &Path) -> u64 {
    let copy = std::env::temp_dir().join(format!("apigw-bench-strip-{}", std::process::id()));
    let _ = std::fs::copy(path, &copy);
    let _ = std::process::Command::new("strip").arg(&copy).status();
    let size = std::fs::metadata(&copy).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&copy);
    size
}

pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("runtime") => {
            let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20_000);
            let rounds = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
            let extra = args.iter().skip(4).filter_map(|a| a.split_once('=')).collect();
            runtime(n, rounds, extra).await;
        }
        Some("instructions") => {
            let n1 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000);
            let n2 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(6_000);
            let extra = args.iter().skip(4).filter_map(|a| a.split_once('=')).collect();
            instructions(n1, n2, extra).await;
        }
        Some("gateway") => {
            let apigw = PathBuf::from(args.get(2).expect("the path of a release-built cargo-apigw"));
            let n = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10_000);
            let rounds = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
            gateway::run(&apigw, n, rounds).await;
        }
        Some("concurrency") => {
            let apigw = PathBuf::from(args.get(2).expect("the path of a release-built cargo-apigw"));
            let seconds = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
            let rounds = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(3);
            concurrency::run(&apigw, seconds, rounds).await;
        }
        Some("soak") => {
            let apigw = PathBuf::from(args.get(2).expect("the path of a release-built cargo-apigw"));
            let n = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100_000);
            let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the repository");
            soak::run(&apigw, repo, n).await;
        }
        _ => eprintln!(
            "usage: harness runtime [N] [ROUNDS] [LABEL=PATH…] | harness instructions [N1] [N2] [LABEL=PATH…] | harness gateway CARGO_APIGW [N] [ROUNDS] | harness soak CARGO_APIGW [N] | harness concurrency CARGO_APIGW [SECONDS] [ROUNDS]"
        ),
    }
}

/// The runtime benchmark's contenders, then any named on the command line.
fn contenders<'a>(extra: Vec<(&'a str, &str)>) -> Vec<(&'a str, PathBuf, runtime_api::Protocol)> {
    use runtime_api::Protocol;
    let mut contenders = vec![
        ("floor (no-parse loop)", sibling("floor"), Protocol::Tencent),
        ("apigw-runtime hello", sibling("apigw-hello"), Protocol::Tencent),
        ("lambda_http hello", sibling("lambda-hello"), Protocol::Lambda),
        ("apigw-runtime, event skipped", sibling("apigw-unread"), Protocol::Tencent),
    ];
    contenders.extend(extra.into_iter().map(|(label, path)| (label, PathBuf::from(path), Protocol::Tencent)));
    contenders
}

async fn runtime(n: usize, rounds: usize, extra: Vec<(&str, &str)>) {
    let contenders = contenders(extra);
    let mut results: Vec<Vec<Round>> = vec![Vec::new(); contenders.len()];
    for round in 0..rounds {
        for (i, (label, bin, protocol)) in contenders.iter().enumerate() {
            let r = runtime_api::drive(runtime_api::Launch::Direct(bin), *protocol, n).await;
            eprintln!(
                "round {round} {label}: {:.0}/s p50 {:.1}µs p99 {:.1}µs init {:.2}ms rss {} kB",
                r.per_second,
                micros(r.p50),
                micros(r.p99),
                r.init.as_secs_f64() * 1e3,
                r.peak_rss_kb
            );
            results[i].push(r);
        }
    }
    println!("{n} invocations × {rounds} rounds, medians over rounds\n");
    println!(
        "| contender | invocations/s | × floor | same, paired per round | p50 µs | p99 µs | p50 over floor µs | same, paired per round | CPU µs / invocation (user) | exec → ready ms | peak RSS MB | stripped binary MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let floor_rate = median(results[0].iter().map(|r| r.per_second));
    let floor_p50 = median(results[0].iter().map(|r| r.p50));
    for (i, (label, bin, _)) in contenders.iter().enumerate() {
        let rs = &results[i];
        let rate = median(rs.iter().map(|r| r.per_second));
        let p50 = median(rs.iter().map(|r| r.p50));
        let p99 = median(rs.iter().map(|r| r.p99));
        let init = median(rs.iter().map(|r| r.init));
        let rss = median(rs.iter().map(|r| r.peak_rss_kb));
        let cpu = median(rs.iter().map(|r| r.cpu_per_invocation));
        let user = median(rs.iter().map(|r| r.user_per_invocation));
        // Each round against the floor's run in the same round: drift
        // between rounds cancels out.
        let paired_rate = median(rs.iter().zip(&results[0]).map(|(r, f)| r.per_second / f.per_second));
        let paired_p50 = median(rs.iter().zip(&results[0]).map(|(r, f)| micros(r.p50) - micros(f.p50)));
        println!(
            "| {label} | {rate:.0} | {:.2} | {paired_rate:.2} | {:.1} | {:.1} | {:+.1} | {paired_p50:+.1} | {:.1} ({:.1}) | {:.2} | {:.2} | {:.2} |",
            rate / floor_rate,
            micros(p50),
            micros(p99),
            micros(p50) - micros(floor_p50),
            micros(cpu),
            micros(user),
            init.as_secs_f64() * 1e3,
            rss as f64 / 1024.0,
            stripped_size(bin) as f64 / (1024.0 * 1024.0),
        );
    }
}

async fn instructions(n1: usize, n2: usize, extra: Vec<(&str, &str)>) {
    assert!(n2 > n1, "N2 must be larger than N1");
    let out = std::env::temp_dir().join(format!("apigw-bench-callgrind-{}", std::process::id()));
    let mut counts = Vec::new();
    for (label, bin, protocol) in contenders(extra) {
        let total = |n| {
            let out = &out;
            let bin = &bin;
            async move {
                let _ = std::fs::remove_file(out);
                runtime_api::drive(runtime_api::Launch::Callgrind { exe: bin, out }, protocol, n).await;
                let counted = std::fs::read_to_string(out).unwrap_or_default();
                let _ = std::fs::remove_file(out);
                counted
                    .lines()
                    .find_map(|l| l.strip_prefix("summary:"))
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or_else(|| panic!("no callgrind counts for {label}: is valgrind installed?"))
            }
        };
        let (i1, i2) = (total(n1).await, total(n2).await);
        let per = i2.saturating_sub(i1) as f64 / (n2 - n1) as f64;
        eprintln!("{label}: {i1} instructions for {n1} invocations, {i2} for {n2}");
        counts.push((label, per));
    }
    println!("instructions per invocation (callgrind, {n1} and {n2} invocations)\n");
    println!("| contender | instructions / invocation | × floor |");
    println!("|---|---|---|");
    let floor = counts[0].1;
    for (label, per) in counts {
        println!("| {label} | {per:.0} | {:.1} |", per / floor);
    }
}

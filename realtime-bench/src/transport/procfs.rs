//! What this process costs, from Linux's `/proc/self`: CPU time, resident
//! memory and the open-files limit. Read before and after a phase, they give
//! the client's own share when the peer runs in another process.

use std::io;
use std::time::Duration;

/// Clock ticks per second of `/proc/*/stat` times: `USER_HZ`, which is 100
/// on every Linux architecture this benchmark runs on (it is part of the
/// kernel's ABI, independent of the kernel's own `HZ`).
const USER_HZ: u64 = 100;

/// The CPU time this process has used, user and system, over all its
/// threads (`utime + stime` of `/proc/self/stat`, 10 ms resolution).
pub fn cpu_time() -> io::Result<Duration> {
    cpu_time_at("/proc/self/stat")
}

/// The CPU time another process (a child) has used, as [`cpu_time`].
pub fn cpu_time_of(pid: u32) -> io::Result<Duration> {
    cpu_time_at(&format!("/proc/{pid}/stat"))
}

fn cpu_time_at(path: &str) -> io::Result<Duration> {
    let stat = std::fs::read_to_string(path)?;
    parse_cpu_time(&stat).ok_or_else(|| invalid("a stat file without utime and stime"))
}

fn parse_cpu_time(stat: &str) -> Option<Duration> {
    // The command name (field 2) is in parentheses and may hold spaces;
    // fields count from the state (field 3) after the last `)`.
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11); // utime is field 14
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 1000 / USER_HZ))
}

/// The resident memory of this process in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss_bytes() -> io::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status_kib(&status, "VmRSS:")
        .map(|kib| kib * 1024)
        .ok_or_else(|| invalid("/proc/self/status has no VmRSS"))
}

fn status_kib(status: &str, key: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

/// The soft limit on open files of this process (`Max open files` of
/// `/proc/self/limits`); `None` when unlimited.
pub fn open_files_limit() -> io::Result<Option<u64>> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .ok_or_else(|| invalid("/proc/self/limits has no `Max open files`"))?;
    let soft = line["Max open files".len()..]
        .split_whitespace()
        .next()
        .ok_or_else(|| invalid("`Max open files` has no soft limit"))?;
    Ok(soft.parse().ok())
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_utime_plus_stime_even_with_spaces_in_the_name() {
        let stat = "42 (my (odd) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 3 0";
        assert_eq!(parse_cpu_time(stat), Some(Duration::from_millis(3_200)));
    }

    #[test]
    fn status_values_are_read_in_kib() {
        let status = "Name:\tx\nVmPeak:\t  9000 kB\nVmRSS:\t  1234 kB\n";
        assert_eq!(status_kib(status, "VmRSS:"), Some(1234));
    }

    #[test]
    fn this_process_has_figures() {
        assert!(rss_bytes().unwrap() > 0);
        cpu_time().unwrap();
        open_files_limit().unwrap();
    }
}

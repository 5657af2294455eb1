//! klog's text header, the prefix every Kubernetes binary writes before a log line
//! (`I0525 03:22:43.410133       1 server.go:228] `): severity letter, month and day, time to the
//! microsecond in UTC, the process id right-aligned in seven columns, and the source file and line.
//! Components' container logs and kubectl's warnings print it at virtual time, with process id 1 as a
//! container's main process has, so that a replay prints the same lines.

use k8s_openapi::jiff::Timestamp;
use k8s_openapi::jiff::tz::TimeZone;

/// klog's severities, by the letter that starts a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    fn letter(self) -> char {
        match self {
            Severity::Info => 'I',
            Severity::Warning => 'W',
            Severity::Error => 'E',
        }
    }
}

/// A whole line: the header at `unix_micros`, then `message`.
pub fn line(severity: Severity, unix_micros: i64, source: &str, message: &str) -> String {
    let at = Timestamp::from_microsecond(unix_micros).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(TimeZone::UTC);
    let stamp = at.strftime("%m%d %H:%M:%S%.6f");
    format!("{}{stamp} {:>7} {source}] {message}", severity.letter(), 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_as_klog_writes_it() {
        // 2026-05-25T03:22:43.410133Z, a line of a real kube-proxy log.
        let micros = 1_779_679_363_410_133;
        assert_eq!(
            line(Severity::Info, micros, "server.go:228", "\"Successfully retrieved NodeIPs\""),
            "I0525 03:22:43.410133       1 server.go:228] \"Successfully retrieved NodeIPs\""
        );
        assert!(line(Severity::Error, 0, "x.go:1", "m").starts_with("E0101 00:00:00.000000       1 x.go:1]"));
    }
}

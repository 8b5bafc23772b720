//! Debian's `wrk` against one URL for a bounded time: the Lua scripts that shape
//! the requests, and the numbers read back from its report (`--latency`).

use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, ensure};

/// How hard and how long one `wrk` process loads one URL.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Load {
    pub(crate) connections: u32,
    pub(crate) seconds: u32,
}

/// What one `wrk` run reports.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Report {
    pub(crate) requests: u64,
    pub(crate) requests_per_sec: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    /// Answers outside 2xx/3xx plus socket errors.
    pub(crate) failed: u64,
    /// `429` answers, counted by the attacker's script.
    pub(crate) throttled: u64,
}

/// Starts `wrk -t1 -cN -dS --latency [-s SCRIPT] URL` (output captured).
pub(crate) fn spawn(url: &str, script: Option<&Path>, load: Load) -> Result<Child> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t1", "--latency", "--timeout", "5s"])
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{}s", load.seconds));
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    cmd.arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start wrk")
}

/// Waits for a `wrk` started by [`spawn`] and reads its report.
pub(crate) fn finish(child: Child) -> Result<Report> {
    let out = child.wait_with_output().context("waiting for wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "wrk failed ({}): {text}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    parse(&text).with_context(|| format!("cannot read wrk's report:\n{text}"))
}

/// Reads requests, requests/s, the 50th and 99th latency percentiles, failures and
/// the attacker script's `throttled:` line from `wrk --latency`'s report.
pub(crate) fn parse(text: &str) -> Option<Report> {
    let mut report = Report::default();
    let mut p50 = None;
    let mut p99 = None;
    let mut rps = None;
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(value)) => p50 = millis(value),
            (Some("99%"), Some(value)) => p99 = millis(value),
            (Some("Requests/sec:"), Some(value)) => rps = value.parse().ok(),
            (Some("throttled:"), Some(value)) => report.throttled = value.parse().ok()?,
            (Some(count), Some("requests")) => report.requests = count.parse().ok()?,
            _ => {}
        }
        if let Some(count) = line.strip_prefix("Non-2xx or 3xx responses:") {
            report.failed += count.trim().parse::<u64>().ok()?;
        }
        if let Some(errors) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in errors.split(',') {
                report.failed += part.split_whitespace().nth(1)?.parse::<u64>().ok()?;
            }
        }
    }
    report.p50_ms = p50?;
    report.p99_ms = p99?;
    report.requests_per_sec = rps?;
    Some(report)
}

/// `812.00us`, `1.20ms`, `2.01s`, `1.00m` in milliseconds.
fn millis(value: &str) -> Option<f64> {
    let split = value.find(|c: char| c.is_ascii_alphabetic())?;
    let number: f64 = value[..split].parse().ok()?;
    let factor = match &value[split..] {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(number * factor)
}

/// A script sending the same form `body` to `path` with HTTP Basic `id:secret`.
pub(crate) fn post_script(path: &str, id: &str, secret: &str, body: &str) -> String {
    format!(
        "wrk.method = \"POST\"\n\
         wrk.path = \"{path}\"\n\
         wrk.body = \"{body}\"\n\
         wrk.headers[\"Authorization\"] = \"Basic {auth}\"\n\
         wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n",
        auth = super::mint::base64(format!("{id}:{secret}").as_bytes(), false),
    )
}

/// Refreshes with HTTP Basic `id:secret`, each refresh token once: the script
/// starts from the tokens in `tokens` (one a line) and sends the next request
/// with a token taken from the pool, which each answer refills with the new
/// refresh token it carries; as many tokens as connections keep the pool full.
pub(crate) fn refresh_script(tokens: &Path, id: &str, secret: &str) -> String {
    format!(
        "local pool = {{}}\n\
         local auth = \"Basic {auth}\"\n\
         function init(args)\n\
         \x20 for line in io.lines(\"{file}\") do pool[#pool + 1] = line end\n\
         end\n\
         function request()\n\
         \x20 local token = table.remove(pool) or \"exhausted\"\n\
         \x20 return wrk.format(\"POST\", \"/token\", {{[\"Authorization\"] = auth,\n\
         \x20   [\"Content-Type\"] = \"application/x-www-form-urlencoded\"}},\n\
         \x20   \"grant_type=refresh_token&refresh_token=\" .. token)\n\
         end\n\
         function response(status, headers, body)\n\
         \x20 local token = body:match('\"refresh_token\"%s*:%s*\"([^\"]+)\"')\n\
         \x20 if token then pool[#pool + 1] = token end\n\
         end\n",
        auth = super::mint::base64(format!("{id}:{secret}").as_bytes(), false),
        file = tokens.display(),
    )
}

/// Who burns wrong client secrets on `/token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attacker {
    /// One address, one existing client id, wrong secrets: the throttle's case.
    OneAddress,
    /// A new address (`X-Forwarded-For`, believed from a trusted proxy) and a new
    /// client id on every request: each one costs a secret hash.
    Spread,
}

impl Attacker {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Attacker::OneAddress => "wrong secrets, one address",
            Attacker::Spread => "wrong secrets, spread",
        }
    }
}

/// The attacker's script: `client_credentials` with a wrong secret for `id`
/// (or, [`Attacker::Spread`], for random ids from random addresses); prints
/// `throttled: N` (its `429` answers) at the end.
pub(crate) fn attack_script(attacker: Attacker, id: &str) -> String {
    let request = match attacker {
        Attacker::OneAddress => format!(
            "  return wrk.format(\"POST\", \"/token\", {{[\"Authorization\"] = \"Basic {auth}\",\n\
             \x20   [\"Content-Type\"] = \"application/x-www-form-urlencoded\"}},\n\
             \x20   \"grant_type=client_credentials\")\n",
            auth = super::mint::base64(format!("{id}:wrong-secret").as_bytes(), false),
        ),
        Attacker::Spread => "  local ip = \"10.\" .. math.random(0, 255) .. \".\" .. math.random(0, 255) .. \".\" .. math.random(1, 254)\n\
             \x20 local id = \"intruder-\" .. math.random(1, 1000000000)\n\
             \x20 return wrk.format(\"POST\", \"/token\", {[\"X-Forwarded-For\"] = ip,\n\
             \x20   [\"Content-Type\"] = \"application/x-www-form-urlencoded\"},\n\
             \x20   \"grant_type=client_credentials&client_id=\" .. id .. \"&client_secret=wrong-secret\")\n"
            .to_owned(),
    };
    format!(
        "local threads = {{}}\n\
         function setup(thread) table.insert(threads, thread) end\n\
         function init(args) throttled = 0; math.randomseed(os.time()) end\n\
         function request()\n{request}end\n\
         function response(status, headers, body)\n\
         \x20 if status == 429 then throttled = throttled + 1 end\n\
         end\n\
         function done(summary, latency, requests)\n\
         \x20 local n = 0\n\
         \x20 for _, t in ipairs(threads) do n = n + (t:get(\"throttled\") or 0) end\n\
         \x20 io.write(string.format(\"throttled: %d\\n\", n))\n\
         end\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "Running 8s test @ http://127.0.0.1:41234/token
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.12ms  402.11us   9.80ms   80.00%
    Req/Sec    14.50k   500.00    15.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    1.70ms
     99%    2.40ms
  115680 requests in 8.00s, 60.10MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  14460.00
Transfer/sec:      7.51MB
throttled: 7
";

    #[test]
    fn reads_rate_percentiles_and_failures() {
        let report = parse(REPORT).unwrap();
        assert_eq!(report.requests, 115_680);
        assert!((report.requests_per_sec - 14_460.0).abs() < 1e-9);
        assert!((report.p50_ms - 0.812).abs() < 1e-9);
        assert!((report.p99_ms - 2.4).abs() < 1e-9);
        assert_eq!(report.failed, 15);
        assert_eq!(report.throttled, 7);
    }

    #[test]
    fn a_report_without_percentiles_is_refused() {
        assert_eq!(parse("Requests/sec: 10.0\n"), None);
        assert_eq!(millis("2.5s"), Some(2500.0));
        assert_eq!(millis("1.5m"), Some(90_000.0));
        assert_eq!(millis("3.0parsecs"), None);
    }
}

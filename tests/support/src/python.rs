//! The interop tests' door to Python peers (jwcrypto, joserfc, dilithium-py, …),
//! which `cargo xtask deps` installs.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `python3 -c script` with `request` as JSON on its stdin and returns the
/// JSON it prints. Fails the test, with Python's stderr, when the script fails or
/// prints no JSON; `what` names the peer in that message.
///
/// ```
/// use serde_json::json;
/// let script = "import json, sys; r = json.load(sys.stdin); print(json.dumps({'sum': r['a'] + r['b']}))";
/// let answer = jot_test_support::python::python_json(script, &json!({"a": 2, "b": 3}), "python3");
/// assert_eq!(answer["sum"], 5);
/// ```
pub fn python_json(script: &str, request: &Value, what: &str) -> Value {
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let written = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(request.to_string().as_bytes());
    // A script that needs no request may end before reading it.
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing to {what}: {e}"
        );
    }
    let out = child.wait_with_output().expect("python3 finishes");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{what} printed no JSON ({e}): {stdout}"))
}

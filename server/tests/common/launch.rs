//! The server binary as a child process: started with the flags a test
//! chooses, its endpoints read from the first line it prints, killed at will.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A command running the server binary, quiet: standard input and error
/// null, standard output piped (for [`launch`] to read the endpoints line).
/// Flags, environment and other stdio may be added before launching.
pub fn server_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imagekit-local-server"));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

/// A running server binary and the endpoints it printed.
pub struct Process {
    pub child: Child,
    /// The first line the server printed, as JSON.
    pub endpoints: Value,
    pub base: String,
    pub url_endpoint: String,
}

/// Starts `command` (one of [`server_command`]'s, its standard output
/// piped) and waits for the endpoints line.
pub fn launch(command: &mut Command) -> Process {
    let mut child = command.spawn().expect("server starts");
    let endpoints = first_json_line(&mut child);
    Process {
        base: endpoints["apiEndpoint"].as_str().unwrap().to_string(),
        url_endpoint: endpoints["urlEndpoint"].as_str().unwrap().to_string(),
        endpoints,
        child,
    }
}

/// The first line of `child`'s standard output, parsed as JSON (the rest of
/// the output is left unread).
pub fn first_json_line(child: &mut Child) -> Value {
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("standard output piped"))
        .read_line(&mut first)
        .unwrap();
    serde_json::from_str(&first).unwrap_or_else(|e| panic!("no endpoints line ({e}): {first:?}"))
}

impl Process {
    /// Kills the server (SIGKILL) and reaps it; the outcome is ignored, as
    /// the process may have exited already.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

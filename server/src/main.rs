//! Command-line entry point: parse flags, start the server, print its
//! endpoints (first line: one JSON object), run until a signal or, with
//! `--exit-on-stdin-close`, until standard input closes.

use std::io::Write;
use std::process::ExitCode;

use imagekit_local_server::{start, Config};
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> ExitCode {
    // `--help`, `--version` and usage errors print themselves and exit (0 or 2).
    let config = Config::try_from_args(std::env::args().skip(1)).unwrap_or_else(|e| e.exit());
    let exit_on_stdin_close = config.exit_on_stdin_close;
    let handle = match start(config).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("imagekit-local-server: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let endpoints = handle.endpoints();
    let app = handle.app.clone();
    let mut out = std::io::stdout().lock();
    // The first line is machine-readable; test harnesses parse it.
    let _ = writeln!(out, "{endpoints}");
    let _ = writeln!(out, "ImageKit local server listening on {}", app.origin);
    let _ = writeln!(out, "  upload endpoint: {}/api/v1/files/upload", app.origin);
    let _ = writeln!(out, "  media API:       {}/v1", app.origin);
    let _ = writeln!(out, "  URL endpoint:    {}", app.url_endpoint);
    let _ = writeln!(
        out,
        "  admin page:      {}/__admin/ (loopback only)",
        app.origin
    );
    let _ = writeln!(out, "  public key:      {}", app.config.public_key);
    let _ = writeln!(out, "  private key:     {}", app.config.private_key);
    let _ = writeln!(out, "  webhook secret:  {}", app.webhooks.secret());
    for endpoint in app.webhooks.endpoints() {
        let _ = writeln!(
            out,
            "  webhook:         {} ({})",
            endpoint.url,
            endpoint.events.join(", ")
        );
    }
    let storage = match &app.config.data_dir {
        Some(dir) => format!("on disk in {}", dir.display()),
        None => "in memory".to_string(),
    };
    let _ = writeln!(out, "  storage:         {storage}");
    let _ = out.flush();
    drop(out);

    wait_for_shutdown(exit_on_stdin_close).await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_shutdown(exit_on_stdin_close: bool) {
    let stdin_closed = async {
        if !exit_on_stdin_close {
            return std::future::pending::<()>().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buf = [0u8; 1024];
        while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
    };
    // SIGTERM is Unix's; on Windows, Ctrl-C and the closed stdin end the server.
    let terminate = async {
        #[cfg(unix)]
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
        _ = stdin_closed => {}
    }
}

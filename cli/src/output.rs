//! What the command prints. On a terminal: one progress bar on stderr (bytes, rate, ETA,
//! files done of total, failures so far), redrawn at most 10 times a second, with each
//! failure printed above it. Otherwise: one line per finished file on stdout. With `--json`:
//! one JSON object per file on stdout (`"type": "file"`), then the summary (`"type":
//! "summary"`). The human forms end on one summary line.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use imagekit::folder_upload::{FileReport, Status, Summary, Totals};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};

enum Mode {
    Json,
    Lines,
    Bar(ProgressBar),
}

pub struct Output {
    mode: Mode,
    /// Whether the bar has been given its totals (the walk is over).
    started: AtomicBool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        let mode = if json {
            Mode::Json
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            let style = ProgressStyle::with_template(
                "{spinner} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_message("looking for files…");
            Mode::Bar(bar)
        } else {
            Mode::Lines
        };
        Self {
            mode,
            started: AtomicBool::new(false),
        }
    }

    /// The totals now (the bar's; nothing otherwise).
    pub fn progress(&self, totals: &Totals) {
        let Mode::Bar(bar) = &self.mode else {
            return;
        };
        if totals.files_total == 0 && !self.started.load(Ordering::Relaxed) {
            bar.tick();
            return;
        }
        if !self.started.swap(true, Ordering::Relaxed) {
            bar.set_length(totals.bytes_total);
            bar.enable_steady_tick(Duration::from_millis(100));
        }
        bar.set_position(totals.bytes_done.min(totals.bytes_total));
        let failed = if totals.failed > 0 {
            format!(", {} failed", totals.failed)
        } else {
            String::new()
        };
        bar.set_message(format!(
            "{}/{} files{failed}",
            totals.files_done, totals.files_total
        ));
    }

    /// A file's outcome.
    pub fn file(&self, report: &FileReport) {
        match &self.mode {
            Mode::Json => print_line(&typed("file", report)),
            Mode::Lines => print_line(&describe(report)),
            Mode::Bar(bar) => {
                if report.status == Status::Failed {
                    bar.println(describe(report));
                }
            }
        }
    }

    /// A message for the person at the terminal (stderr).
    pub fn note(&self, message: &str) {
        match &self.mode {
            Mode::Bar(bar) => bar.println(message),
            _ => eprintln!("imagekit-native: {message}"),
        }
    }

    /// Removes the bar.
    pub fn clear(&self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }

    /// The summary, last.
    pub fn finish(&self, summary: &Summary) {
        match &self.mode {
            Mode::Json => print_line(&typed("summary", summary)),
            Mode::Lines => print_line(&summary_line(summary)),
            Mode::Bar(bar) => {
                bar.finish_and_clear();
                print_line(&summary_line(summary));
            }
        }
    }
}

/// `value`'s JSON object with `"type": kind` first.
fn typed(kind: &str, value: &impl serde::Serialize) -> String {
    let mut line = json!({ "type": kind });
    if let (Value::Object(line), Ok(Value::Object(fields))) =
        (&mut line, serde_json::to_value(value))
    {
        line.extend(fields);
    }
    line.to_string()
}

fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (a pipe whose reader left) ends nothing: the run goes on.
    let _ = writeln!(out, "{line}");
}

/// `uploaded  a/b c.jpg -> /site/a/b_c.jpg`, with the error of a failed file.
fn describe(report: &FileReport) -> String {
    let status = match report.status {
        Status::Uploaded => "uploaded",
        Status::Skipped => "skipped",
        Status::Failed => "failed",
        Status::Planned => "planned",
    };
    let mut line = format!("{status:<9}{} -> {}", report.path, report.remote_path);
    if let Some(error) = &report.error {
        line.push_str(&format!(": {} ({})", error.message, error.code));
    }
    line
}

/// `done: 10 uploaded, 2 skipped, 1 failed of 13 files (1.2 MiB) in 3.4 s`.
fn summary_line(summary: &Summary) -> String {
    let totals = &summary.totals;
    let how = if summary.aborted {
        "stopped"
    } else if summary.dry_run {
        "dry run"
    } else {
        "done"
    };
    let mut parts = Vec::new();
    if summary.dry_run {
        parts.push(format!("{} to upload", totals.planned));
    } else {
        parts.push(format!("{} uploaded", totals.uploaded));
    }
    parts.push(format!("{} skipped", totals.skipped));
    parts.push(format!("{} failed", totals.failed));
    let mut line = format!(
        "{how}: {} of {} files ({}) in {:.1} s",
        parts.join(", "),
        totals.files_total,
        HumanBytes(totals.bytes_total),
        summary.elapsed_ms as f64 / 1000.0
    );
    if summary.aborted {
        let left = totals.files_total.saturating_sub(totals.files_done);
        line.push_str(&format!("; {left} not started (run again to resume)"));
    }
    line
}

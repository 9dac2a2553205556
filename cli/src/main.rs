//! `imagekit-native`: the command line of imagekit-native, on the Rust core (no Node).
//!
//! `imagekit-native upload DIR --folder /remote` puts a local folder into the media library
//! with the core's folder upload (`imagekit::folder_upload`): the tree kept, N files at
//! once, each streamed from disk; what is already there with the same size is skipped, so
//! a re-run resumes and nothing is stored twice. The private key comes from
//! `IMAGEKIT_PRIVATE_KEY` (never a flag, which the process list would show).
//!
//! Exit status: 0 when every file is in place, 1 when any failed, 2 on a usage error, 130
//! when interrupted (Ctrl-C: no new file, those under way aborted, the summary printed; a
//! second Ctrl-C ends it at once).

mod output;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use imagekit::folder_upload::{self, FileReport, FolderUpload, Tally};
use imagekit::{ImageKit, Options};
use tokio_util::sync::CancellationToken;

use output::Output;

const USAGE_ERROR: u8 = 2;
const INTERRUPTED: u8 = 130;

#[derive(Parser)]
#[command(name = "imagekit-native", version, about = "ImageKit.io from the command line", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Upload a local folder into the media library, its tree kept; a re-run resumes.
    #[command(after_help = UPLOAD_HELP)]
    Upload(Upload),
}

const UPLOAD_HELP: &str = "\
Environment:
  IMAGEKIT_PRIVATE_KEY  the account's private key (required)

Files already in the library with the same size are skipped; a file of another size there
fails unless --overwrite. Names are stored as ImageKit stores them: a space or any character
other than a letter, mark, digit, '.', '_' or '-' becomes '_' (in folder names '.' too).

Exit status: 0 every file is in place, 1 some failed, 2 usage error, 130 interrupted.";

#[derive(Args)]
struct Upload {
    /// The local folder to upload.
    dir: PathBuf,
    /// The remote folder the tree goes under.
    #[arg(long, default_value = "/", value_name = "PATH")]
    folder: String,
    /// Uploads at once (1 to 64).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// Only files whose relative path matches (repeatable; `*` crosses `/`).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Leave out files whose relative path matches (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Replace files already in the library with another size.
    #[arg(long)]
    overwrite: bool,
    /// Decide and report without uploading.
    #[arg(long)]
    dry_run: bool,
    /// One JSON object per file on stdout, then the summary.
    #[arg(long)]
    json: bool,
    /// Tags every file gets.
    #[arg(long, value_delimiter = ',', value_name = "TAG,...")]
    tags: Vec<String>,
    /// The media API (default: https://api.imagekit.io).
    #[arg(long, value_name = "URL", env = "IMAGEKIT_API_ENDPOINT")]
    api_endpoint: Option<String>,
    /// The upload API (default: https://upload.imagekit.io/api/v1/files/upload).
    #[arg(long, value_name = "URL", env = "IMAGEKIT_UPLOAD_ENDPOINT")]
    upload_endpoint: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("imagekit-native: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Upload(upload) => runtime.block_on(run_upload(upload)),
    }
}

async fn run_upload(args: Upload) -> ExitCode {
    let private_key = std::env::var("IMAGEKIT_PRIVATE_KEY").unwrap_or_default();
    if private_key.trim().is_empty() {
        eprintln!("imagekit-native: IMAGEKIT_PRIVATE_KEY is not set: export the account's private key first");
        return ExitCode::from(USAGE_ERROR);
    }
    // The upload and media APIs need the private key alone; the other two are for URLs.
    let mut options = Options::new("-", private_key.trim(), "https://ik.imagekit.io/-");
    options.api_endpoint = args.api_endpoint;
    options.upload_endpoint = args.upload_endpoint;
    let client = match ImageKit::new(options) {
        Ok(client) => Arc::new(client),
        Err(error) => {
            eprintln!("imagekit-native: {error}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let mut job = FolderUpload::new(args.dir, args.folder);
    job.concurrency = usize::from(args.concurrency);
    job.include = args.include;
    job.exclude = args.exclude;
    job.overwrite = args.overwrite;
    job.dry_run = args.dry_run;
    if !args.tags.is_empty() {
        job.options.tags = Some(args.tags);
    }

    let output = Arc::new(Output::new(args.json));
    let tally = Arc::new(Tally::new());
    let cancel = CancellationToken::new();
    tokio::spawn(interrupt(cancel.clone(), Arc::clone(&output)));
    let ticker = tokio::spawn({
        let (output, tally) = (Arc::clone(&output), Arc::clone(&tally));
        async move {
            loop {
                output.progress(&tally.totals());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    let on_file: folder_upload::OnFile = {
        let output = Arc::clone(&output);
        Arc::new(move |report: &FileReport| output.file(report))
    };
    let outcome = folder_upload::run(client, job, tally, on_file, cancel.clone()).await;
    ticker.abort();
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => {
            output.clear();
            eprintln!("imagekit-native: {error}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    output.finish(&summary);
    if cancel.is_cancelled() {
        ExitCode::from(INTERRUPTED)
    } else if summary.totals.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Ctrl-C: the first stops the run (its summary is printed), a later one ends the process.
/// One arriving within half a second of the first is the same keystroke twice (the terminal
/// signals the whole process group, and `npx`'s bin passes it on too).
async fn interrupt(cancel: CancellationToken, output: Arc<Output>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    let first = std::time::Instant::now();
    output.note(
        "stopping: no new files; the uploads under way are aborted (Ctrl-C again to quit now)",
    );
    cancel.cancel();
    while tokio::signal::ctrl_c().await.is_ok() {
        if first.elapsed() >= Duration::from_millis(500) {
            output.clear();
            std::process::exit(i32::from(INTERRUPTED));
        }
    }
}

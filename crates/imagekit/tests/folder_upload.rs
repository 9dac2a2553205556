//! A local folder into the library, against the local ImageKit server started in-process:
//! the tree and the names kept, globs, skip by size, overwrite, a dry run, a failing file
//! among good ones, retries after a 5xx, a 429 and a lost answer (without storing twice),
//! and cancelling.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use imagekit::folder_upload::{self, FileReport, FolderUpload, Status, Summary, Tally};
use imagekit::{ImageKit, ListFiles, Options, UploadOptions};
use imagekit_local_server::{start, Config, ServerHandle};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

struct Setup {
    server: ServerHandle,
    client: Arc<ImageKit>,
    dir: PathBuf,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn setup(files: &[(&str, &[u8])]) -> Setup {
    let server = start(Config::default()).await.expect("the server starts");
    let endpoints = server.endpoints();
    let text = |name: &str| endpoints[name].as_str().unwrap().to_owned();
    let mut options = Options::new(text("publicKey"), text("privateKey"), text("urlEndpoint"));
    options.api_endpoint = Some(text("apiEndpoint"));
    options.upload_endpoint = Some(text("uploadEndpoint"));
    options.limits.timeout = Some(Duration::from_secs(30));
    let dir = std::env::temp_dir().join(format!("ik-folder-{}", uuid::Uuid::new_v4()));
    for (path, bytes) in files {
        write(&dir, path, bytes);
    }
    Setup {
        server,
        client: Arc::new(ImageKit::new(options).expect("a client")),
        dir,
    }
}

fn write(dir: &Path, path: &str, bytes: &[u8]) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

impl Setup {
    fn job(&self, folder: &str) -> FolderUpload {
        FolderUpload::new(&self.dir, folder)
    }

    async fn run(&self, job: FolderUpload) -> (Summary, Vec<FileReport>) {
        self.run_with(job, CancellationToken::new()).await
    }

    async fn run_with(
        &self,
        job: FolderUpload,
        cancel: CancellationToken,
    ) -> (Summary, Vec<FileReport>) {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&reports);
        let on_file =
            Arc::new(move |report: &FileReport| seen.lock().unwrap().push(report.clone()));
        let summary = folder_upload::run(
            Arc::clone(&self.client),
            job,
            Arc::new(Tally::new()),
            on_file,
            cancel,
        )
        .await
        .expect("the run completes");
        let mut reports = reports.lock().unwrap().clone();
        reports.sort_by(|a, b| a.path.cmp(&b.path));
        (summary, reports)
    }

    /// Every file in the library: path -> (size, bytes served).
    async fn library(&self) -> BTreeMap<String, Vec<u8>> {
        let files = self
            .client
            .list_files(&ListFiles {
                kind: Some("file".into()),
                limit: Some(1000),
                ..Default::default()
            })
            .await
            .expect("listed");
        let mut library = BTreeMap::new();
        for file in files {
            let url = file.url.expect("a URL");
            let bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
            assert_eq!(file.size, Some(bytes.len() as u64));
            let previous = library.insert(file.file_path.expect("a path"), bytes.to_vec());
            assert!(previous.is_none(), "stored twice");
        }
        library
    }

    async fn faults(&self, rules: Value) {
        let origin = self.server.endpoints()["apiEndpoint"]
            .as_str()
            .unwrap()
            .to_owned();
        let answer = reqwest::Client::new()
            .post(format!("{origin}/__admin/faults"))
            .header("content-type", "application/json")
            .body(rules.to_string())
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success());
    }

    /// The fault rules not yet retired.
    async fn faults_left(&self) -> Value {
        let origin = self.server.endpoints()["apiEndpoint"]
            .as_str()
            .unwrap()
            .to_owned();
        let answer = reqwest::get(format!("{origin}/__admin/faults"))
            .await
            .unwrap();
        serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap()
    }
}

fn statuses(reports: &[FileReport]) -> Vec<(&str, Status)> {
    reports
        .iter()
        .map(|r| (r.path.as_str(), r.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tree_and_names_are_kept_and_a_second_run_uploads_nothing() {
    let setup = setup(&[
        ("a.txt", b"alpha"),
        ("my photos/b c.txt", b"bravo!"),
        ("my photos/caf\u{65}\u{301}.txt", b"cafe"),
        ("v1.2/日本.txt", b"nihon"),
        ("deep/er/est/d.txt", b"delta"),
    ])
    .await;
    let mut job = setup.job("/remote up");
    job.options = UploadOptions {
        tags: Some(vec!["bulk".into()]),
        ..Default::default()
    };
    let (summary, reports) = setup.run(job.clone()).await;
    assert_eq!(
        (
            summary.totals.files_total,
            summary.totals.uploaded,
            summary.totals.failed
        ),
        (5, 5, 0),
        "{summary:?}"
    );
    assert_eq!(summary.totals.bytes_total, 25);
    assert_eq!(summary.totals.bytes_done, 25);
    assert!(!summary.aborted);
    let library = setup.library().await;
    let expected: BTreeMap<String, Vec<u8>> = [
        ("/remote_up/a.txt", &b"alpha"[..]),
        ("/remote_up/deep/er/est/d.txt", b"delta"),
        ("/remote_up/my_photos/b_c.txt", b"bravo!"),
        ("/remote_up/my_photos/caf\u{e9}.txt", b"cafe"),
        ("/remote_up/v1_2/日本.txt", b"nihon"),
    ]
    .into_iter()
    .map(|(path, bytes)| (path.to_owned(), bytes.to_vec()))
    .collect();
    assert_eq!(library, expected);
    let report = reports
        .iter()
        .find(|r| r.path == "my photos/b c.txt")
        .unwrap();
    assert_eq!(report.remote_path, "/remote_up/my_photos/b_c.txt");
    let details = setup
        .client
        .get_file_details(report.file_id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(details.tags, Some(vec!["bulk".to_owned()]));

    let (again, reports) = setup.run(job).await;
    assert_eq!((again.totals.skipped, again.totals.uploaded), (5, 0));
    assert!(reports.iter().all(|r| r.file_id.is_some()));
    assert_eq!(setup.library().await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn globs_choose_the_files() {
    let setup = setup(&[
        ("a.jpg", b"1"),
        ("b.png", b"2"),
        ("x/c.jpg", b"3"),
        ("x/tmp-d.jpg", b"4"),
    ])
    .await;
    let mut job = setup.job("/g");
    job.include = vec!["*.jpg".into()];
    job.exclude = vec!["**/tmp-*".into()];
    let (summary, reports) = setup.run(job).await;
    assert_eq!(summary.totals.files_total, 2);
    assert_eq!(
        statuses(&reports),
        [("a.jpg", Status::Uploaded), ("x/c.jpg", Status::Uploaded)]
    );
    let library: Vec<String> = setup.library().await.into_keys().collect();
    assert_eq!(library, ["/g/a.jpg", "/g/x/c.jpg"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_of_another_size_fails_unless_overwrite_replaces_it() {
    let setup = setup(&[("same.txt", b"same"), ("grown.txt", b"small")]).await;
    setup.run(setup.job("/o")).await;
    write(&setup.dir, "grown.txt", b"much larger now");

    let (summary, reports) = setup.run(setup.job("/o")).await;
    assert_eq!(
        statuses(&reports),
        [("grown.txt", Status::Failed), ("same.txt", Status::Skipped)]
    );
    let error = reports[0].error.as_ref().unwrap();
    assert_eq!(error.code, "ERR_SIZE_MISMATCH");
    assert!(error.message.contains("/o/grown.txt"), "{}", error.message);
    assert_eq!(summary.failures.len(), 1);
    assert_eq!(setup.library().await["/o/grown.txt"], b"small");

    let mut job = setup.job("/o");
    job.overwrite = true;
    let (_, reports) = setup.run(job).await;
    assert_eq!(
        statuses(&reports),
        [
            ("grown.txt", Status::Uploaded),
            ("same.txt", Status::Skipped)
        ]
    );
    assert_eq!(setup.library().await["/o/grown.txt"], b"much larger now");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_without_uploading() {
    let setup = setup(&[("a.txt", b"a"), ("b.txt", b"b")]).await;
    let mut first = setup.job("/d");
    first.include = vec!["a.txt".into()];
    setup.run(first).await;
    let mut job = setup.job("/d");
    job.dry_run = true;
    let (summary, reports) = setup.run(job).await;
    assert!(summary.dry_run);
    assert_eq!(
        statuses(&reports),
        [("a.txt", Status::Skipped), ("b.txt", Status::Planned)]
    );
    assert_eq!(setup.library().await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refused_file_is_reported_and_the_others_are_uploaded() {
    let setup = setup(&[("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")]).await;
    setup
        .faults(json!([{ "method": "POST", "path": "/api/v1/files/upload", "status": 400, "times": 1 }]))
        .await;
    let mut job = setup.job("/f");
    job.concurrency = 1;
    let (summary, reports) = setup.run(job).await;
    assert_eq!((summary.totals.uploaded, summary.totals.failed), (2, 1));
    let failed = &summary.failures[0];
    assert_eq!(failed.status, Status::Failed);
    let error = failed.error.as_ref().unwrap();
    assert_eq!(
        (error.code.as_str(), error.status),
        ("ERR_IMAGEKIT_API", Some(400))
    );
    assert_eq!(reports.len(), 3);
    assert_eq!(setup.library().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_and_a_429_are_retried() {
    let setup = setup(&[("a.txt", b"a"), ("b.txt", b"bb")]).await;
    setup
        .faults(json!([
            { "method": "POST", "path": "/api/v1/files/upload", "status": 503, "times": 2 },
            { "method": "POST", "path": "/api/v1/files/upload", "status": 429, "times": 1,
              "headers": { "X-RateLimit-Limit": "10", "X-RateLimit-Reset": "300", "X-RateLimit-Interval": "1000" } },
            { "method": "GET", "path": "/v1/files*", "status": 500, "times": 1 }
        ]))
        .await;
    let started = std::time::Instant::now();
    let (summary, _) = setup.run(setup.job("/r")).await;
    assert_eq!(summary.totals.uploaded, 2, "{summary:?}");
    // The 429 was waited out (its reset is 300 ms); every fault was met.
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(setup.faults_left().await, json!({ "rules": [] }));
    assert_eq!(setup.library().await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_stored_but_unanswered_is_retried_without_a_second_copy() {
    let setup = setup(&[("lost.txt", b"the answer was lost")]).await;
    setup
        .faults(json!([{ "method": "POST", "path": "/api/v1/files/upload",
                         "dropConnection": true, "afterHandler": true, "times": 1 }]))
        .await;
    let (summary, reports) = setup.run(setup.job("/l")).await;
    assert_eq!(statuses(&reports), [("lost.txt", Status::Uploaded)]);
    assert_eq!(setup.faults_left().await, json!({ "rules": [] }));
    assert!(reports[0].file_id.is_some());
    assert_eq!(summary.totals.failed, 0);
    let library = setup.library().await;
    assert_eq!(library.len(), 1, "{library:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_new_files_and_aborts_those_under_way() {
    let files: Vec<(String, Vec<u8>)> = (0..20)
        .map(|i| (format!("f{i:02}.txt"), vec![b'x'; 100]))
        .collect();
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let setup = setup(&borrowed).await;
    // Every upload takes 300 ms to be answered.
    setup
        .faults(json!([{ "method": "POST", "path": "/api/v1/files/upload", "delayMs": 300 }]))
        .await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(450)).await;
        trigger.cancel();
    });
    let mut job = setup.job("/c");
    job.concurrency = 2;
    let (summary, reports) = setup.run_with(job, cancel).await;
    assert!(summary.aborted);
    assert!(summary.totals.files_done < 20, "{summary:?}");
    let aborted: Vec<_> = reports
        .iter()
        .filter(|r| r.error.as_ref().is_some_and(|e| e.code == "ABORT_ERR"))
        .collect();
    assert_eq!(aborted.len(), 2, "{reports:?}");
    assert_eq!(reports.len() as u64, summary.totals.files_done);
}

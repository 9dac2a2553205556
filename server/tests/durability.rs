//! With `--data-dir`: a 2xx answer means the change survives a crash, a
//! failed save fails the request, the directory has one owner, jobs report
//! failures and resume after a restart, and a SIGKILL at any moment leaves a
//! consistent library.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::launch::{launch, server_command, Process};
use common::{
    assert_consistent, assert_error, bytes_of, on_disk, png, spawn_with, start_job, temp_dir,
    wait_for_job, wait_for_job_status,
};
use imagekit_local_server::{start, Config};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

/// A directory of this suite's.
fn temp_dir_of(tag: &str) -> PathBuf {
    temp_dir(&format!("durability-{tag}"))
}

#[tokio::test]
async fn a_failed_save_fails_the_request() {
    let dir = temp_dir_of("save");
    let server = spawn_with(on_disk(&dir)).await;
    let store = &server.handle.app.store;

    store.fail_next_save(std::io::ErrorKind::StorageFull);
    let (status, body) = server.upload_bytes("full.txt", b"x".to_vec(), &[]).await;
    assert_error(status, &body, 507);
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("could not be saved"));

    let (status, body) = server.upload_bytes("kept.txt", b"y".to_vec(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["fileId"].as_str().unwrap().to_string();
    store.fail_next_save(std::io::ErrorKind::PermissionDenied);
    let (status, body) = server
        .call(Method::DELETE, &format!("/v1/files/{id}"), None)
        .await;
    assert_error(status, &body, 500);
    store.fail_next_save(std::io::ErrorKind::PermissionDenied);
    let (status, body) = server
        .call(
            Method::POST,
            "/v1/folder",
            Some(json!({"folderName": "f", "parentFolderPath": "/"})),
        )
        .await;
    assert_error(status, &body, 500);
    server.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn one_server_per_data_directory() {
    let dir = temp_dir_of("lock");
    let first = spawn_with(on_disk(&dir)).await;
    let err = start(on_disk(&dir)).await.err().expect("second refused");
    let message = err.to_string();
    assert!(
        message.contains(&dir.display().to_string()) && message.contains(".lock"),
        "{message}"
    );
    let (status, body) = first
        .upload_bytes(
            "mine.txt",
            b"mine".to_vec(),
            &[("useUniqueFileName", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    first.handle.shutdown().await;
    // Released at shutdown: the next server takes over and sees the upload.
    let second = spawn_with(on_disk(&dir)).await;
    let (_, files) = second.get("/v1/files").await;
    assert_eq!(files[0]["name"], "mine.txt");
    second.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_failed_bulk_job_says_so_with_its_reason() {
    let dir = temp_dir_of("job-fail");
    let server = spawn_with(on_disk(&dir)).await;
    let (status, body) = server
        .upload_bytes("a.png", png(4, 4, false), &[("folder", "/src")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The blob vanishes behind the server's back (a disk fault).
    for entry in std::fs::read_dir(dir.join("blobs")).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let job_id = start_job(
        &server,
        "copyFolder",
        json!({"sourceFolderPath": "/src", "destinationPath": "/dst"}),
    )
    .await;
    let job = wait_for_job_status(&server, &job_id, "Failed").await;
    assert_eq!(job["type"], "COPY_FOLDER");
    assert!(
        job["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{job}"
    );
    server.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_job_pending_at_shutdown_resumes_after_a_restart() {
    let dir = temp_dir_of("job-resume");
    let server = spawn_with(on_disk(&dir)).await;
    let (status, _) = server
        .upload_bytes(
            "a.txt",
            b"moved".to_vec(),
            &[("folder", "/old"), ("useUniqueFileName", "false")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    server.handle.shutdown().await;
    // A server whose jobs wait a minute: the job is still pending when it stops.
    let slow = spawn_with(Config {
        job_delay: Duration::from_secs(60),
        ..on_disk(&dir)
    })
    .await;
    let job_id = start_job(
        &slow,
        "moveFolder",
        json!({"sourceFolderPath": "/old", "destinationPath": "/new"}),
    )
    .await;
    slow.handle.shutdown().await;

    let resumed = spawn_with(on_disk(&dir)).await;
    let job = wait_for_job(&resumed, &job_id).await;
    assert_eq!(job["type"], "MOVE_FOLDER");
    let (_, files) = resumed.get("/v1/files").await;
    assert_eq!(files[0]["filePath"], "/new/old/a.txt");
    resumed.handle.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------- kill test

/// The bytes of a file uploaded as `name` (so any listed file can be checked),
/// made once per name.
fn content(name: &str) -> Arc<Vec<u8>> {
    static MADE: OnceLock<Mutex<HashMap<String, Arc<Vec<u8>>>>> = OnceLock::new();
    let mut made = MADE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    made.entry(name.to_string())
        .or_insert_with(|| {
            let seed = name
                .bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            let mut rng = fastrand::Rng::with_seed(seed);
            let len = rng.usize(1..200_000);
            let mut bytes = vec![0u8; len];
            rng.fill(&mut bytes);
            Arc::new(bytes)
        })
        .clone()
}

/// Starts the server binary on `dir`; with `compact_after`, it compacts its
/// journal whenever the journal outgrows that many bytes (and the snapshot).
fn launch_on(dir: &Path, compact_after: Option<u64>) -> Process {
    let mut command = server_command();
    if let Some(bytes) = compact_after {
        command.env("IMAGEKIT_LOCAL_SERVER_COMPACT_AFTER", bytes.to_string());
    }
    launch(
        command
            .arg("--data-dir")
            .arg(dir)
            .args(["--job-delay-ms", "0"]),
    )
}

const KEY: &str = "private_local_test_key";

/// What a worker did before the server died.
#[derive(Default)]
struct Done {
    /// Files whose upload got a 200 and that no delete was sent for.
    acknowledged: Vec<String>,
    /// Earlier files a delete was sent for (they may or may not survive).
    deleted: Vec<String>,
}

/// Uploads, tag updates, folder creation and deletes (of its new files and
/// of `ids`, earlier ones) until the server dies.
async fn workload(
    client: Client,
    base: String,
    worker: usize,
    cycle: usize,
    mut ids: Vec<(String, String)>,
) -> Done {
    let mut done = Done::default();
    for op in 0.. {
        let pick = fastrand::u8(..10);
        let result = if pick < 6 || ids.is_empty() {
            let name = format!("c{cycle}-w{worker}-{op}.bin");
            let folder = ["/", "/a", "/a/b", "/c"][fastrand::usize(..4)];
            let form = Form::new()
                .part(
                    "file",
                    Part::bytes(content(&name).to_vec()).file_name(name.clone()),
                )
                .text("fileName", name.clone())
                .text("folder", folder)
                .text("useUniqueFileName", "false");
            match client
                .post(format!("{base}/api/v1/files/upload"))
                .basic_auth(KEY, Some(""))
                .multipart(form)
                .send()
                .await
            {
                Ok(r) if r.status() == StatusCode::OK => match r.json::<Value>().await {
                    Ok(body) => {
                        let id = body["fileId"].as_str().unwrap_or_default().to_string();
                        ids.push((id, name.clone()));
                        done.acknowledged.push(name);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                Ok(r) => panic!("upload answered {}", r.status()),
                Err(e) => Err(e),
            }
        } else if pick < 8 {
            let (id, _) = &ids[fastrand::usize(..ids.len())];
            client
                .patch(format!("{base}/v1/files/{id}/details"))
                .basic_auth(KEY, Some(""))
                .json(&json!({"tags": [format!("t{op}")]}))
                .send()
                .await
                .map(|_| ())
        } else if pick < 9 {
            client
                .post(format!("{base}/v1/folder"))
                .basic_auth(KEY, Some(""))
                .json(&json!({"folderName": format!("f{worker}"), "parentFolderPath": "/a"}))
                .send()
                .await
                .map(|_| ())
        } else {
            let (id, name) = ids.swap_remove(fastrand::usize(..ids.len()));
            // Once a delete is sent, the file may or may not survive.
            if done.acknowledged.contains(&name) {
                done.acknowledged.retain(|n| *n != name);
            } else {
                done.deleted.push(name);
            }
            client
                .delete(format!("{base}/v1/files/{id}"))
                .basic_auth(KEY, Some(""))
                .send()
                .await
                .map(|_| ())
        };
        if result.is_err() {
            break; // the server was killed
        }
    }
    done
}

/// Checks the library after a restart; returns the listed files (id, name).
async fn verify(client: &Client, process: &Process, expected: &[String]) -> Vec<(String, String)> {
    assert_consistent(client, &process.base).await;
    // Every file, page by page (a fast server stores more than one page).
    let mut files: Vec<Value> = Vec::new();
    loop {
        let page: Vec<Value> = client
            .get(format!(
                "{}/v1/files?limit=1000&skip={}",
                process.base,
                files.len()
            ))
            .basic_auth(KEY, Some(""))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let full = page.len() == 1000;
        files.extend(page);
        if !full {
            break;
        }
    }
    let listed: std::collections::HashSet<&str> =
        files.iter().filter_map(|f| f["name"].as_str()).collect();
    for name in expected {
        assert!(
            listed.contains(name.as_str()),
            "{name} got a 200 but is gone"
        );
    }
    for file in &files {
        let name = file["name"].as_str().unwrap();
        let path = file["filePath"].as_str().unwrap();
        let bytes = bytes_of(client, &format!("{}{path}", process.url_endpoint)).await;
        assert!(
            bytes.as_ref() == content(name).as_slice(),
            "{path} is not byte-exact"
        );
        assert_eq!(file["size"].as_u64(), Some(bytes.len() as u64));
    }
    files
        .iter()
        .map(|f| {
            let field = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (field("fileId"), field("name"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    kill_cycles("kill", None, 50).await;
}

/// The same, with the journal compacted every 32 KiB: kills land in the
/// middle of snapshots being written and journals being restarted too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_compactions_loses_nothing_acknowledged() {
    kill_cycles("kill-compact", Some(32 * 1024), 20).await;
}

async fn kill_cycles(tag: &str, compact_after: Option<u64>, default_cycles: usize) {
    let cycles: usize = std::env::var("KILL_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default_cycles);
    let seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("kill test: {cycles} cycles, KILL_SEED={seed}");
    let started = std::time::Instant::now();
    fastrand::seed(seed);
    let dir = temp_dir_of(tag);
    let client = Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut expected: Vec<String> = Vec::new();
    for cycle in 0..cycles {
        let mut process = launch_on(&dir, compact_after);
        let listed = verify(&client, &process, &expected).await;
        // Each worker may also update and delete a share of the earlier files.
        let workers: Vec<_> = (0..3)
            .map(|w| {
                let share = listed.iter().skip(w).step_by(3).cloned().collect();
                tokio::spawn(workload(
                    client.clone(),
                    process.base.clone(),
                    w,
                    cycle,
                    share,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(fastrand::u64(50..400))).await;
        process.child.kill().unwrap(); // SIGKILL
        process.child.wait().unwrap();
        for worker in workers {
            let done = worker.await.unwrap();
            expected.retain(|name| !done.deleted.contains(name));
            expected.extend(done.acknowledged);
        }
    }
    let process = launch_on(&dir, compact_after);
    verify(&client, &process, &expected).await;
    eprintln!(
        "kill test: {} files acknowledged and intact after {cycles} kills, {:.1} s",
        expected.len(),
        started.elapsed().as_secs_f64()
    );
    process.kill();
    let _ = std::fs::remove_dir_all(&dir);
}

//! Writing to the data directory so that it survives a crash: files replaced
//! atomically and durably, directory entries synced, blocking file work run
//! off the async threads, and the directory's lock that keeps a second server
//! out.

use std::io;
use std::path::Path;

use tokio::io::AsyncWriteExt;

/// Replaces `dir/name` atomically and durably: a temporary file written and
/// synced, renamed into place, and the directory synced so the rename holds.
pub(super) async fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!("{name}.tmp"));
    let mut file = tokio::fs::File::create(&tmp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&tmp, dir.join(name)).await?;
    sync_dir(dir).await
}

/// Syncs a directory's entries (a rename, link or delete in it) to disk.
pub(super) async fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        tokio::fs::File::open(dir).await?.sync_all().await
    }
    // Windows cannot open a directory as a file; NTFS journals renames.
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// `sync_dir`, blocking.
pub(super) fn sync_dir_now(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Runs blocking file work off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?
}

/// Takes the data directory's advisory lock (`<dir>/.lock`), so a second
/// server on the same directory refuses to start. The OS releases it when the
/// process ends, however it ends.
pub(super) fn lock_data_dir(dir: &Path) -> io::Result<std::fs::File> {
    let path = dir.join(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!(
                "another imagekit-local-server uses this directory (it holds {})",
                path.display()
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

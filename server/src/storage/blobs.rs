//! The bytes behind every file version: blobs, immutable once written, kept
//! in memory or as files under `<data-dir>/blobs` (named by their key), read
//! whole, by their first bytes or as a stream, and written chunk by chunk
//! through a `BlobWriter`; the `Store` methods that create, find, copy and
//! remove them.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

use super::disk::sync_dir;
use super::Store;
use crate::ids::new_id;

/// Where blobs live.
pub(super) enum Blobs {
    Memory(Mutex<HashMap<String, Arc<Vec<Bytes>>>>),
    Disk(PathBuf),
}

/// A readable blob.
pub enum Blob {
    Memory(Arc<Vec<Bytes>>),
    Disk(PathBuf, u64),
}

impl Blob {
    pub fn size(&self) -> u64 {
        match self {
            Blob::Memory(segments) => segments.iter().map(|s| s.len() as u64).sum(),
            Blob::Disk(_, len) => *len,
        }
    }

    /// The whole blob as one buffer, for decoding. Callers bound the size first.
    pub async fn read_all(&self) -> io::Result<Bytes> {
        match self {
            Blob::Memory(segments) => Ok(match segments.as_slice() {
                [] => Bytes::new(),
                [one] => one.clone(),
                many => {
                    let mut all = BytesMut::with_capacity(many.iter().map(|s| s.len()).sum());
                    for s in many {
                        all.extend_from_slice(s);
                    }
                    all.freeze()
                }
            }),
            Blob::Disk(path, _) => tokio::fs::read(path).await.map(Bytes::from),
        }
    }

    /// The first bytes (for content sniffing) without reading the whole blob.
    pub async fn head(&self, n: usize) -> io::Result<Vec<u8>> {
        match self {
            Blob::Memory(segments) => Ok(segments
                .iter()
                .flat_map(|s| s.iter().copied())
                .take(n)
                .collect()),
            Blob::Disk(path, _) => {
                let mut file = tokio::fs::File::open(path).await?;
                let mut buf = vec![0; n];
                let mut filled = 0;
                while filled < n {
                    let read = file.read(&mut buf[filled..]).await?;
                    if read == 0 {
                        break;
                    }
                    filled += read;
                }
                buf.truncate(filled);
                Ok(buf)
            }
        }
    }

    /// The bytes as a stream of chunks, so large files are never buffered whole.
    pub async fn into_stream(
        self,
    ) -> io::Result<futures_util::stream::BoxStream<'static, io::Result<Bytes>>> {
        use futures_util::StreamExt;
        Ok(match self {
            Blob::Memory(segments) => {
                let chunks: Vec<Result<Bytes, io::Error>> =
                    segments.iter().cloned().map(Ok).collect();
                futures_util::stream::iter(chunks).boxed()
            }
            Blob::Disk(path, _) => file_chunks(tokio::fs::File::open(path).await?).boxed(),
        })
    }
}

fn file_chunks(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = io::Result<Bytes>> + Send {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buf = BytesMut::zeroed(256 * 1024);
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf.freeze()), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Size of the segments memory blobs are assembled from: big enough that a
/// 1 GiB upload is a few hundred allocations, small enough that no segment is
/// ever reallocated (each upload byte is copied exactly once).
const SEGMENT: usize = 4 << 20;

enum Sink {
    Memory {
        done: Vec<Bytes>,
        current: BytesMut,
    },
    Disk {
        file: BufWriter<tokio::fs::File>,
        tmp: PathBuf,
        dest: PathBuf,
    },
}

/// Receives an upload chunk by chunk and stores it under a fresh key.
pub struct BlobWriter {
    key: String,
    sink: Sink,
    len: u64,
}

impl BlobWriter {
    pub fn written(&self) -> u64 {
        self.len
    }

    pub async fn write(&mut self, mut chunk: &[u8]) -> io::Result<()> {
        self.len += chunk.len() as u64;
        match &mut self.sink {
            Sink::Memory { done, current } => {
                while !chunk.is_empty() {
                    if current.capacity() == current.len() {
                        if !current.is_empty() {
                            done.push(std::mem::take(current).freeze());
                        }
                        // Geometric growth keeps small files small and big ones
                        // in SEGMENT-sized pieces.
                        let stored: usize = done.iter().map(|s| s.len()).sum();
                        *current = BytesMut::with_capacity(stored.clamp(64 * 1024, SEGMENT));
                    }
                    let room = current.capacity() - current.len();
                    let (now, rest) = chunk.split_at(room.min(chunk.len()));
                    current.extend_from_slice(now);
                    chunk = rest;
                }
                Ok(())
            }
            Sink::Disk { file, .. } => file.write_all(chunk).await,
        }
    }

    /// Makes the blob readable under its key.
    async fn finish(self, blobs: &Blobs) -> io::Result<String> {
        match (self.sink, blobs) {
            (Sink::Memory { mut done, current }, Blobs::Memory(map)) => {
                if !current.is_empty() {
                    done.push(current.freeze());
                }
                map.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(self.key.clone(), Arc::new(done));
                Ok(self.key)
            }
            (
                Sink::Disk {
                    mut file,
                    tmp,
                    dest,
                },
                Blobs::Disk(_),
            ) => {
                file.flush().await?;
                file.into_inner().sync_all().await?;
                tokio::fs::rename(&tmp, &dest).await?;
                // Durable before any state that names it is saved.
                if let Some(dir) = dest.parent() {
                    sync_dir(dir).await?;
                }
                Ok(self.key)
            }
            _ => Err(io::Error::other("blob writer used with the wrong store")),
        }
    }

    async fn abort(self) {
        if let Sink::Disk { file, tmp, .. } = self.sink {
            drop(file);
            let _ = tokio::fs::remove_file(tmp).await;
        }
    }
}

/// The store's blobs: written through a `BlobWriter`, then found, copied
/// and removed by key.
impl Store {
    pub async fn writer(&self) -> io::Result<BlobWriter> {
        let key = new_id();
        let sink = match &self.blobs {
            Blobs::Memory(_) => Sink::Memory {
                done: Vec::new(),
                current: BytesMut::new(),
            },
            Blobs::Disk(dir) => {
                let tmp = self
                    .data_dir
                    .as_ref()
                    .map(|d| d.join("tmp").join(&key))
                    .unwrap_or_else(|| dir.join(format!("{key}.part")));
                let file = tokio::fs::File::create(&tmp).await?;
                Sink::Disk {
                    file: BufWriter::with_capacity(1 << 20, file),
                    tmp,
                    dest: dir.join(&key),
                }
            }
        };
        Ok(BlobWriter { key, sink, len: 0 })
    }

    pub async fn commit(&self, writer: BlobWriter) -> io::Result<String> {
        writer.finish(&self.blobs).await
    }

    pub async fn discard(&self, writer: BlobWriter) {
        writer.abort().await
    }

    /// Stores a complete buffer (used for transformed uploads).
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let mut writer = self.writer().await?;
        writer.write(bytes).await?;
        self.commit(writer).await
    }

    pub async fn blob(&self, key: &str) -> Option<Blob> {
        match &self.blobs {
            Blobs::Memory(map) => map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(key)
                .cloned()
                .map(Blob::Memory),
            Blobs::Disk(dir) => {
                let path = dir.join(key);
                let meta = tokio::fs::metadata(&path).await.ok()?;
                Some(Blob::Disk(path, meta.len()))
            }
        }
    }

    /// A second key for the same bytes (copying a file version). Blobs are
    /// immutable, so sharing memory or hard-linking on disk is safe.
    pub async fn duplicate(&self, key: &str) -> io::Result<String> {
        let new_key = new_id();
        match &self.blobs {
            Blobs::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                let blob = map
                    .get(key)
                    .cloned()
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "blob missing"))?;
                map.insert(new_key.clone(), blob);
            }
            Blobs::Disk(dir) => {
                let (from, to) = (dir.join(key), dir.join(&new_key));
                if tokio::fs::hard_link(&from, &to).await.is_err() {
                    tokio::fs::copy(&from, &to).await?;
                    tokio::fs::File::open(&to).await?.sync_all().await?;
                }
                sync_dir(dir).await?;
            }
        }
        Ok(new_key)
    }

    pub async fn remove_blobs(&self, keys: Vec<String>) {
        match &self.blobs {
            Blobs::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
                for key in keys {
                    map.remove(&key);
                }
            }
            Blobs::Disk(dir) => {
                for key in keys {
                    let _ = tokio::fs::remove_file(dir.join(key)).await;
                }
            }
        }
    }

    /// Every blob key the store holds (committed blobs only).
    pub(super) async fn blob_keys(&self) -> io::Result<Vec<String>> {
        match &self.blobs {
            Blobs::Memory(map) => Ok(map
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .keys()
                .cloned()
                .collect()),
            Blobs::Disk(dir) => {
                let mut keys = Vec::new();
                let mut entries = tokio::fs::read_dir(dir).await?;
                while let Some(entry) = entries.next_entry().await? {
                    keys.push(entry.file_name().to_string_lossy().into_owned());
                }
                Ok(keys)
            }
        }
    }
}

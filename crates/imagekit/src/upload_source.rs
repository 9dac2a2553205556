//! The body of an upload read from a stream: chunks pushed as the source produces them,
//! and how the source ended. Only an explicit [`SourceWriter::end`] completes the body. A
//! failure, or a writer dropped without either (its JavaScript sink garbage-collected),
//! makes the body fail at once, whatever is still buffered: the request is aborted and
//! the server never receives a complete body, so a truncated file is never stored.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::{mpsc, Notify};

const OPEN: u8 = 0;
const ENDED: u8 = 1;
const FAILED: u8 = 2;
const DROPPED: u8 = 3;

/// Why a streamed body ended without completing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceError {
    /// The source reported an error (the caller holds its details).
    Failed,
    /// The writer went away before the source ended.
    Dropped,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SourceError::Failed => "the upload's source stream failed before it ended",
            SourceError::Dropped => "the upload's source stream was released before it ended",
        })
    }
}

impl std::error::Error for SourceError {}

struct Shared {
    state: AtomicU8,
    /// Wakes the body when the source fails while the body waits for a chunk.
    failed: Notify,
}

impl Shared {
    /// The first outcome wins: a source that ended cannot fail later, and the reverse.
    fn finish(&self, state: u8) -> bool {
        let finished = self
            .state
            .compare_exchange(OPEN, state, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if finished && state != ENDED {
            self.failed.notify_one();
        }
        finished
    }

    fn error(&self) -> Option<SourceError> {
        match self.state.load(Ordering::Acquire) {
            FAILED => Some(SourceError::Failed),
            DROPPED => Some(SourceError::Dropped),
            _ => None,
        }
    }
}

/// A streamed body holding at most `capacity` chunks in flight.
pub fn channel(capacity: usize) -> (SourceWriter, SourceBody) {
    let (sender, receiver) = mpsc::channel(capacity.max(1));
    let shared = Arc::new(Shared {
        state: AtomicU8::new(OPEN),
        failed: Notify::new(),
    });
    (
        SourceWriter {
            sender: Some(sender),
            shared: Arc::clone(&shared),
        },
        SourceBody {
            receiver,
            shared,
            done: false,
        },
    )
}

/// The source's end of the body.
pub struct SourceWriter {
    sender: Option<mpsc::Sender<Bytes>>,
    shared: Arc<Shared>,
}

/// Where one chunk is queued; a clone, so waiting for room needs no lock on the writer.
#[derive(Clone)]
pub struct ChunkSender(mpsc::Sender<Bytes>);

impl ChunkSender {
    /// Waits for room and queues the chunk; false when the body is no longer read (the
    /// request has ended), so the source can stop.
    pub async fn send(&self, chunk: Bytes) -> bool {
        self.0.send(chunk).await.is_ok()
    }
}

impl SourceWriter {
    /// Where to queue the next chunk, while the source is open.
    pub fn chunks(&self) -> Option<ChunkSender> {
        if self.shared.state.load(Ordering::Acquire) != OPEN {
            return None;
        }
        self.sender.clone().map(ChunkSender)
    }

    /// The source ended: the body completes once the queued chunks are sent.
    pub fn end(&mut self) {
        self.shared.finish(ENDED);
        self.sender = None;
    }

    /// The source failed: the body fails now, and queued chunks are discarded.
    pub fn fail(&mut self) {
        self.shared.finish(FAILED);
        self.sender = None;
    }
}

impl Drop for SourceWriter {
    fn drop(&mut self) {
        self.shared.finish(DROPPED);
    }
}

/// The request's end of the body.
pub struct SourceBody {
    receiver: mpsc::Receiver<Bytes>,
    shared: Arc<Shared>,
    done: bool,
}

impl SourceBody {
    /// The next chunk; `None` only after the source ended, an error if it did not.
    pub async fn next(&mut self) -> Option<Result<Bytes, SourceError>> {
        if self.done {
            return None;
        }
        loop {
            if let Some(error) = self.shared.error() {
                return self.fail(error);
            }
            tokio::select! {
                biased;
                // A permit left by `notify_one` is taken here, so no failure is missed.
                () = self.shared.failed.notified() => continue,
                chunk = self.receiver.recv() => match chunk {
                    Some(chunk) => return Some(Ok(chunk)),
                    // Every sender is gone: only a source that ended completes the body.
                    None if self.shared.state.load(Ordering::Acquire) == ENDED => {
                        self.done = true;
                        return None;
                    }
                    None => {
                        let error = self.shared.error().unwrap_or(SourceError::Dropped);
                        return self.fail(error);
                    }
                },
            }
        }
    }

    fn fail(&mut self, error: SourceError) -> Option<Result<Bytes, SourceError>> {
        self.done = true;
        self.receiver.close();
        Some(Err(error))
    }

    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, SourceError>> + Send {
        futures_util::stream::unfold(self, |mut body| async move {
            body.next().await.map(|chunk| (chunk, body))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    async fn drain(body: SourceBody) -> (Vec<Bytes>, Option<SourceError>) {
        let mut chunks = Vec::new();
        let mut stream = Box::pin(body.into_stream());
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => chunks.push(chunk),
                Err(error) => {
                    assert!(stream.next().await.is_none(), "nothing after the error");
                    return (chunks, Some(error));
                }
            }
        }
        (chunks, None)
    }

    #[test]
    fn a_source_that_ends_completes_the_body_with_every_chunk() {
        block_on(async {
            let (mut writer, body) = channel(4);
            let chunks = writer.chunks().expect("open");
            for i in 0..4u8 {
                assert!(chunks.send(Bytes::from(vec![i])).await);
            }
            writer.end();
            drop(chunks);
            let (received, error) = drain(body).await;
            assert_eq!(received.len(), 4);
            assert_eq!(error, None);
        });
    }

    #[test]
    fn a_failure_with_the_channel_full_fails_the_body_and_never_ends_it() {
        // The lost-upload case: every slot is taken when the source fails, so a failure
        // sent through the channel would have nowhere to go.
        block_on(async {
            let (mut writer, body) = channel(2);
            let chunks = writer.chunks().expect("open");
            assert!(chunks.send(Bytes::from_static(b"a")).await);
            assert!(chunks.send(Bytes::from_static(b"b")).await);
            assert!(chunks.0.try_send(Bytes::from_static(b"c")).is_err(), "full");
            writer.fail();
            let (received, error) = drain(body).await;
            assert!(received.is_empty(), "buffered chunks are discarded");
            assert_eq!(error, Some(SourceError::Failed));
        });
    }

    #[test]
    fn a_failure_while_a_sender_clone_is_alive_still_fails_the_body() {
        block_on(async {
            let (mut writer, mut body) = channel(2);
            let chunks = writer.chunks().expect("open");
            assert!(chunks.send(Bytes::from_static(b"a")).await);
            assert_eq!(body.next().await, Some(Ok(Bytes::from_static(b"a"))));
            // The body now waits on an empty channel that `chunks` keeps open.
            let waiting = tokio::spawn(async move { body.next().await });
            tokio::task::yield_now().await;
            writer.fail();
            assert_eq!(
                waiting.await.expect("joined"),
                Some(Err(SourceError::Failed))
            );
            assert!(
                !chunks.send(Bytes::from_static(b"late")).await,
                "stops the source"
            );
        });
    }

    #[test]
    fn a_writer_dropped_without_end_fails_the_body() {
        block_on(async {
            let (writer, body) = channel(2);
            let chunks = writer.chunks().expect("open");
            assert!(chunks.send(Bytes::from_static(b"a")).await);
            assert!(chunks.send(Bytes::from_static(b"b")).await);
            drop(chunks);
            drop(writer);
            let (received, error) = drain(body).await;
            assert!(received.is_empty());
            assert_eq!(error, Some(SourceError::Dropped));
        });
    }

    #[test]
    fn the_first_outcome_wins() {
        block_on(async {
            let (mut writer, body) = channel(2);
            writer.end();
            writer.fail();
            assert!(writer.chunks().is_none());
            drop(writer);
            assert_eq!(drain(body).await, (Vec::new(), None));

            let (mut writer, body) = channel(2);
            writer.fail();
            writer.end();
            drop(writer);
            assert_eq!(drain(body).await.1, Some(SourceError::Failed));
        });
    }

    #[test]
    fn a_body_no_longer_read_stops_the_source() {
        block_on(async {
            let (writer, body) = channel(1);
            let chunks = writer.chunks().expect("open");
            drop(body);
            assert!(!chunks.send(Bytes::from_static(b"a")).await);
        });
    }
}

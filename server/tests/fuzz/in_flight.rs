//! The in-flight file: the request each worker sent last, for finding the
//! culprit after a crash of the whole process.

use std::path::PathBuf;

/// One slot per worker holding the request it sent last, so that the
/// culprit of a process abort can be found afterwards.
pub struct InFlight {
    file: Option<std::fs::File>,
    pub path: PathBuf,
}

const SLOT: usize = 512;

impl InFlight {
    pub fn new(workers: usize) -> InFlight {
        let path = std::env::temp_dir().join(format!(
            "imagekit-fuzz-in-flight-{}.txt",
            std::process::id()
        ));
        let file = std::fs::File::create(&path).ok();
        if let Some(file) = &file {
            let _ = file.set_len((workers * SLOT) as u64);
        }
        InFlight { file, path }
    }

    pub fn note(&self, worker: usize, line: &str) {
        #[cfg(unix)]
        if let Some(file) = &self.file {
            use std::os::unix::fs::FileExt;
            let mut bytes = line.as_bytes()[..line.len().min(SLOT - 1)].to_vec();
            bytes.resize(SLOT - 1, b' ');
            bytes.push(b'\n');
            let _ = file.write_at(&bytes, (worker * SLOT) as u64);
        }
        #[cfg(not(unix))]
        let _ = (worker, line);
    }

    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

//! Folders and bulk jobs on them.

use serde_json::json;

use super::Gen;
use crate::learned::Pool;
use crate::plan::{req, Req};

impl Gen<'_> {
    pub(super) fn folder_routes(&mut self) -> Req {
        if self.p(0.6) {
            let mut r = req("folder", "POST", "/v1/folder".into());
            let name = json!(if self.p(0.8) {
                self.word()
            } else {
                self.junk()
            });
            let parent = json!(self.folder());
            let body = self.object(
                vec![("folderName", name), ("parentFolderPath", parent)],
                0.9,
            );
            self.json_body(&mut r, body);
            r
        } else {
            let mut r = req("folder", "DELETE", "/v1/folder".into());
            let path = json!(self.folder());
            let body = self.object(vec![("folderPath", path)], 0.95);
            self.json_body(&mut r, body);
            r
        }
    }

    pub(super) fn bulk_jobs(&mut self) -> Req {
        // Sources are mostly folders that do not exist, so that copies do
        // not grow the library exponentially.
        let source = |g: &mut Self| {
            if g.p(0.3) {
                json!(g.folder())
            } else {
                json!(format!("/{}", g.alnum(6)))
            }
        };
        match self.rng.u32(0..4) {
            0 | 1 => {
                let copy = self.p(0.5);
                let path = if copy {
                    "/v1/bulkJobs/copyFolder"
                } else {
                    "/v1/bulkJobs/moveFolder"
                };
                let mut r = req("bulk-job", "POST", path.into());
                let src = source(self);
                let dest = json!(self.folder());
                let v1 = json!(self.p(0.5));
                let v2 = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("sourceFolderPath", src),
                        ("destinationPath", dest),
                        ("includeVersions", v1),
                        ("includeFileVersions", v2),
                    ],
                    0.8,
                );
                self.json_body(&mut r, body);
                r
            }
            2 => {
                let mut r = req("bulk-job", "POST", "/v1/bulkJobs/renameFolder".into());
                let src = source(self);
                let name = json!(self.text());
                let purge = json!(self.p(0.5));
                let body = self.object(
                    vec![
                        ("folderPath", src),
                        ("newFolderName", name),
                        ("purgeCache", purge),
                    ],
                    0.85,
                );
                self.json_body(&mut r, body);
                r
            }
            _ => {
                let id = self.learned_or_random(Pool::JobId, 0.7);
                let id = self.id_seg(&id);
                req("bulk-job", "GET", format!("/v1/bulkJobs/{id}"))
            }
        }
    }
}

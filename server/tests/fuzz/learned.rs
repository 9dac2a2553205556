//! What the generators share: the server's coordinates and the ids, paths
//! and names learned from earlier answers.

use std::sync::Mutex;

use fastrand::Rng;
use serde_json::Value;

/// The kinds of learned values, one pool each.
#[derive(Clone, Copy)]
pub enum Pool {
    FileId,
    FilePath,
    Id,
    JobId,
    PurgeId,
    UrlPrefix,
    NamedName,
    FieldName,
}
const POOLS: usize = 8;
const POOL_SIZE: usize = 96;

#[derive(Default)]
pub struct Learned {
    pools: [Vec<String>; POOLS],
    versions: Vec<(String, String)>,
}

fn remember<T>(pool: &mut Vec<T>, value: T, rng: &mut Rng) {
    if pool.len() < POOL_SIZE {
        pool.push(value);
    } else {
        let at = rng.usize(..pool.len());
        pool[at] = value;
    }
}

/// What every generator needs: the server's coordinates and what was learned.
pub struct Ctx {
    pub seed: u64,
    pub port: u16,
    pub closed_port: u16,
    pub private_key: String,
    pub auth: String,
    pub images: Vec<Vec<u8>>,
    pub broken_images: Vec<Vec<u8>>,
    pub learned: Mutex<Learned>,
    pub skip: Vec<String>,
}

impl Ctx {
    pub fn learned_pick(&self, rng: &mut Rng, pool: Pool) -> Option<String> {
        let learned = self.learned.lock().unwrap();
        let v = &learned.pools[pool as usize];
        (!v.is_empty()).then(|| v[rng.usize(..v.len())].clone())
    }

    pub fn version_pick(&self, rng: &mut Rng) -> Option<(String, String)> {
        let learned = self.learned.lock().unwrap();
        let v = &learned.versions;
        (!v.is_empty()).then(|| v[rng.usize(..v.len())].clone())
    }

    pub fn learn(&self, rng: &mut Rng, value: &Value) {
        match value {
            Value::Array(items) => {
                for _ in 0..3.min(items.len()) {
                    let at = rng.usize(..items.len());
                    self.learn_one(rng, &items[at]);
                }
            }
            Value::Object(_) => self.learn_one(rng, value),
            _ => {}
        }
    }

    fn learn_one(&self, rng: &mut Rng, value: &Value) {
        let Some(o) = value.as_object() else { return };
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let mut l = self.learned.lock().unwrap();
        if let Some(id) = s("fileId") {
            if let Some(v) = o
                .get("versionInfo")
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str)
            {
                remember(&mut l.versions, (id.clone(), v.to_string()), rng);
            }
            remember(&mut l.pools[Pool::FileId as usize], id, rng);
        }
        if let Some(p) = s("filePath") {
            remember(&mut l.pools[Pool::FilePath as usize], p, rng);
        }
        if let Some(id) = s("id") {
            remember(&mut l.pools[Pool::Id as usize], id, rng);
        }
        if let Some(id) = s("jobId") {
            remember(&mut l.pools[Pool::JobId as usize], id, rng);
        }
        for key in ["requestId", "purgeRequestId"] {
            if let Some(id) = s(key) {
                remember(&mut l.pools[Pool::PurgeId as usize], id, rng);
            }
        }
        if let Some(p) = s("urlPrefix").filter(|p| !p.is_empty()) {
            remember(&mut l.pools[Pool::UrlPrefix as usize], p, rng);
        }
        if let Some(name) = s("name") {
            if o.contains_key("schema") {
                remember(&mut l.pools[Pool::FieldName as usize], name, rng);
            } else if o.get("transformation").is_some_and(Value::is_string) {
                remember(&mut l.pools[Pool::NamedName as usize], name, rng);
            }
        }
    }
}

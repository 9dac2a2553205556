//! The request generator: request `i` is drawn by its own [`Gen`], seeded
//! with (seed, i), from one family of routes, then given a method, headers
//! and framing and rendered to bytes. Each family has its module; the draws
//! in every function are in a fixed order, so that a seed and an index
//! name the same request on every run.

mod account;
mod delivery;
mod encode;
mod files;
mod folders;
mod headers;
mod json;
mod malformed;
mod pools;
mod render;
mod search;
mod transform;
mod upload;
mod values;

use fastrand::Rng;

use crate::learned::Ctx;
use crate::plan::Planned;
use crate::settings::request_seed;
use pools::{JUNK_PIECES, WORDS};

/// A group of routes; each has its generator function.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Family {
    List,
    File,
    Tags,
    CopyMove,
    Purge,
    Folder,
    BulkJob,
    CustomMeta,
    SavedExt,
    NamedTr,
    Origins,
    UrlEndpoints,
    Usage,
    RemoteMeta,
    Upload,
    Delivery,
    Admin,
    Junk,
    Garbage,
}

const FAMILIES: &[(Family, u32)] = &[
    (Family::List, 110),
    (Family::File, 140),
    (Family::Tags, 60),
    (Family::CopyMove, 50),
    (Family::Purge, 20),
    (Family::Folder, 40),
    (Family::BulkJob, 30),
    (Family::CustomMeta, 45),
    (Family::SavedExt, 30),
    (Family::NamedTr, 35),
    (Family::Origins, 30),
    (Family::UrlEndpoints, 30),
    (Family::Usage, 15),
    (Family::RemoteMeta, 15),
    (Family::Upload, 140),
    (Family::Delivery, 150),
    (Family::Admin, 10),
    (Family::Junk, 40),
    (Family::Garbage, 15),
];

/// One request's generator: its own random numbers and the shared context.
struct Gen<'a> {
    rng: Rng,
    ctx: &'a Ctx,
}

impl Gen<'_> {
    fn p(&mut self, p: f64) -> bool {
        self.rng.f64() < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.usize(..items.len())]
    }

    fn n(&mut self, range: impl std::ops::RangeBounds<usize>) -> usize {
        self.rng.usize(range)
    }

    /// 1..=max, log-uniformly.
    fn log(&mut self, max: usize) -> usize {
        let max = max.max(1);
        ((max as f64).powf(self.rng.f64()) as usize).clamp(1, max)
    }

    fn skipping(&self, class: &str) -> bool {
        self.ctx.skip.iter().any(|s| s == class)
    }

    fn alnum_in(&mut self, len: std::ops::Range<usize>) -> String {
        let len = self.n(len);
        self.alnum(len)
    }

    fn alnum(&mut self, len: usize) -> String {
        (0..len).map(|_| self.rng.alphanumeric()).collect()
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.u32(0..16), 16).unwrap())
            .collect()
    }

    fn word(&mut self) -> String {
        if self.p(0.7) {
            self.pick(WORDS).to_string()
        } else {
            let n = self.n(1..16);
            self.alnum(n)
        }
    }

    fn junk(&mut self) -> String {
        let mut s = String::new();
        for _ in 0..self.n(1..6) {
            match self.rng.u32(0..4) {
                0 | 1 => {
                    let piece = self.pick(JUNK_PIECES);
                    s.push_str(piece);
                }
                2 => {
                    let n = self.n(1..12);
                    s.push_str(&self.alnum(n));
                }
                _ => s.push(self.rng.char(..)),
            }
        }
        if self.p(0.02) {
            let n = self.log(2000);
            s = s.repeat(n);
        }
        s
    }

    /// A plausible value most of the time, junk otherwise.
    fn text(&mut self) -> String {
        if self.p(0.8) {
            self.word()
        } else {
            self.junk()
        }
    }

    fn bool_text(&mut self) -> String {
        match self.rng.u32(0..10) {
            0..=3 => "true".into(),
            4..=7 => "false".into(),
            8 => self
                .pick(&["TRUE", "False", "", "1", "yes", " true "])
                .into(),
            _ => self.junk(),
        }
    }

    fn family(&mut self) -> Family {
        let total: u32 = FAMILIES.iter().map(|(_, w)| w).sum();
        let mut x = self.rng.u32(0..total);
        for (f, w) in FAMILIES {
            if x < *w {
                return *f;
            }
            x -= w;
        }
        unreachable!()
    }
}

pub fn generate(ctx: &Ctx, index: u64) -> Planned {
    let mut g = Gen {
        rng: Rng::with_seed(request_seed(ctx.seed, index)),
        ctx,
    };
    let mut r = match g.family() {
        Family::List => g.list(),
        Family::File => g.file_routes(),
        Family::Tags => g.tag_routes(),
        Family::CopyMove => g.copy_move(),
        Family::Purge => g.purge(),
        Family::Folder => g.folder_routes(),
        Family::BulkJob => g.bulk_jobs(),
        Family::CustomMeta => g.custom_meta(),
        Family::SavedExt => g.saved_ext(),
        Family::NamedTr => g.named_tr(),
        Family::Origins => g.origins(),
        Family::UrlEndpoints => g.url_endpoints(),
        Family::Usage => g.usage(),
        Family::RemoteMeta => g.remote_meta(),
        Family::Upload => g.upload(),
        Family::Delivery => g.delivery(),
        Family::Admin => g.admin(),
        Family::Junk => g.junk_route(),
        Family::Garbage => return g.garbage(index),
    };
    g.method(&mut r);
    if r.method != "POST" {
        // Not an upload (a CORS preflight, say): nothing to refuse.
        r.must_refuse = None;
    }
    g.std_headers(&mut r);
    g.render(r, index)
}

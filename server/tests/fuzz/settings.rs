//! The settings from the environment (see the crate's documentation), and
//! the seeds derived from them.

use std::time::{SystemTime, UNIX_EPOCH};

pub struct Settings {
    pub seed: u64,
    pub requests: u64,
    pub seconds: u64,
    pub workers: usize,
    pub check_every: u64,
    pub only: Vec<u64>,
    pub skip: Vec<String>,
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number")),
        _ => default,
    }
}

fn env_list(name: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl Settings {
    pub fn from_env() -> Settings {
        let clock = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Settings {
            seed: env_num(
                "FUZZ_SEED",
                mix(clock ^ (u64::from(std::process::id()) << 32)),
            ),
            requests: env_num("FUZZ_REQUESTS", 100_000),
            seconds: env_num("FUZZ_SECONDS", 240),
            workers: env_num("FUZZ_WORKERS", 16).max(1) as usize,
            check_every: env_num("FUZZ_CHECK_EVERY", 0),
            only: env_list("FUZZ_ONLY")
                .iter()
                .flat_map(|s| {
                    let bad = || panic!("FUZZ_ONLY takes request indices (i or i-j): {s:?}");
                    let (a, b) = s.split_once('-').unwrap_or((s, s));
                    let (a, b): (u64, u64) = (
                        a.parse().unwrap_or_else(|_| bad()),
                        b.parse().unwrap_or_else(|_| bad()),
                    );
                    a..=b
                })
                .collect(),
            skip: env_list("FUZZ_SKIP"),
        }
    }
}

/// splitmix64's finaliser.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn request_seed(seed: u64, index: u64) -> u64 {
    mix(seed ^ mix(index.wrapping_add(1)))
}

//! Binary results waiting for the page that asked for them.
//!
//! A sidecar answers with raw bytes by writing `{"result": {"$bytes": N}}`
//! and then exactly N bytes. The page's call travels `postMessage` (the
//! fastest way for the many small answers), which carries JSON only, so the
//! bytes are held here under a random token; the page is answered with the
//! token and takes the bytes through the fetch channel, in parts
//! (`sidecar.take`), as `fs.readBinaryFile` reads a large file.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::ipc::Output;

/// Largest binary result, in bytes.
pub const MAX_BYTES_RESULT: u64 = 256 * 1024 * 1024;

/// Most bytes held for all pages at once; a result beyond it is refused.
const MAX_HELD_BYTES: usize = 1024 * 1024 * 1024;

/// How long a result waits for its page.
const HELD_FOR: Duration = Duration::from_secs(60);

/// Results not yet taken, by token.
#[derive(Debug, Default)]
pub struct Held {
    results: Mutex<HashMap<String, Waiting>>,
}

#[derive(Debug)]
struct Waiting {
    /// The window whose call it answers: only it may take it.
    label: String,
    bytes: Vec<u8>,
    /// Bytes handed out so far; the result goes once all were.
    served: u64,
    until: Instant,
}

impl Held {
    /// Holds `bytes` for window `label`; the token to take them by.
    pub fn hold(&self, label: &str, bytes: Vec<u8>) -> Result<String, String> {
        let mut results = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        results.retain(|_, r| r.until > now);
        let held: usize = results.values().map(|r| r.bytes.len()).sum();
        if held.saturating_add(bytes.len()) > MAX_HELD_BYTES {
            return Err(format!(
                "{} MiB of binary results are waiting for their pages already; this one was dropped",
                held >> 20
            ));
        }
        let token = crate::ipc::InvokeKey::generate()
            .map_err(|e| format!("no token for a binary result: {e}"))?
            .as_str()
            .to_owned();
        results.insert(
            token.clone(),
            Waiting {
                label: label.to_owned(),
                bytes,
                served: 0,
                until: now + HELD_FOR,
            },
        );
        Ok(token)
    }

    /// Up to `length` bytes from `offset` of the result `token` holds for
    /// window `label`, with its size; the result is forgotten once every
    /// byte was taken.
    pub fn take(&self, token: &str, label: &str, offset: u64, length: u64) -> Result<Output, String> {
        let mut results = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        results.retain(|_, r| r.until > now);
        let Some(result) = results.get_mut(token).filter(|r| r.label == label) else {
            return Err(
                "no binary result has that token for this window (it was taken already, \
                 or it waited more than 60 s)"
                    .to_owned(),
            );
        };
        let total = result.bytes.len() as u64;
        if offset > total {
            return Err(format!("offset {offset} is past the result's {total} bytes"));
        }
        let end = offset.saturating_add(length).min(total);
        let bytes = result.bytes[offset as usize..end as usize].to_vec();
        result.served += end - offset;
        if result.served >= total {
            results.remove(token);
        }
        Ok(Output::Part {
            bytes,
            total,
            version: "1".to_owned(),
        })
    }

    /// Window `label` closed or changed page: what it did not take goes.
    pub fn forget_window(&self, label: &str) {
        let mut results = self.results.lock().unwrap_or_else(PoisonError::into_inner);
        results.retain(|_, r| r.label != label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(output: Output) -> (Vec<u8>, u64) {
        match output {
            Output::Part { bytes, total, .. } => (bytes, total),
            other => panic!("not a part: {other:?}"),
        }
    }

    #[test]
    fn a_held_result_is_taken_in_parts_by_its_window_only_and_then_forgotten() {
        let held = Held::default();
        let token = held.hold("main", (0..10u8).collect()).unwrap();
        assert!(held.take(&token, "other", 0, 4).is_err());
        assert_eq!(part(held.take(&token, "main", 0, 4).unwrap()), (vec![0, 1, 2, 3], 10));
        assert_eq!(part(held.take(&token, "main", 8, 4).unwrap()), (vec![8, 9], 10));
        assert!(held.take(&token, "main", 11, 4).unwrap_err().contains("past"));
        assert_eq!(part(held.take(&token, "main", 4, 4).unwrap()), (vec![4, 5, 6, 7], 10));
        let gone = held.take(&token, "main", 0, 4).unwrap_err();
        assert!(gone.contains("taken already"), "{gone}");
    }

    #[test]
    fn an_empty_result_is_taken_once() {
        let held = Held::default();
        let token = held.hold("main", Vec::new()).unwrap();
        assert_eq!(part(held.take(&token, "main", 0, 4).unwrap()), (vec![], 0));
        assert!(held.take(&token, "main", 0, 4).is_err());
    }

    #[test]
    fn what_a_closed_window_did_not_take_is_dropped() {
        let held = Held::default();
        let token = held.hold("main", vec![1]).unwrap();
        held.forget_window("main");
        assert!(held.take(&token, "main", 0, 1).is_err());
    }

    #[test]
    fn results_beyond_the_cap_are_refused() {
        let held = Held::default();
        let _big = held.hold("main", vec![0; MAX_HELD_BYTES - 1]).unwrap();
        let refused = held.hold("main", vec![0; 2]).unwrap_err();
        assert!(refused.contains("waiting for their pages already"), "{refused}");
    }
}

//! Content hashes and the two ids: the source id (input paths and contents) and the build id
//! (source id plus the build configuration). No time, path or random value goes in, so the
//! same inputs give the same ids in any target directory.

use std::fs::Metadata;
use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use xxhash_rust::xxh3::{xxh3_128, Xxh3Default};

use crate::inputs::InputFile;
use crate::record::RecordedInput;

/// xxh3-128 of a file's content as 32 hex digits, read in chunks so large files cost no memory.
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Xxh3Default::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:032x}", hasher.digest128()))
}

/// Modification time in nanoseconds since the epoch (0 if the platform cannot tell).
pub fn mtime_ns(meta: &Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// Hashes every input, keeping the size and time discovery saw (taken before the hash, so a
/// write during the build shows as a change later). A file that cannot be read is left out,
/// with a sentence in `skipped`.
pub fn record_inputs(files: &[InputFile], skipped: &mut Vec<String>) -> Vec<RecordedInput> {
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        match hash_file(&file.path) {
            Ok(hash) => out.push(RecordedInput {
                rel: file.rel.clone(),
                size: file.size,
                mtime_ns: file.mtime_ns,
                hash,
            }),
            Err(e) => skipped.push(format!("skipped {}: {e}", file.path.display())),
        }
    }
    out
}

/// The source id: a hash over every input's path and content hash.
pub fn source_id(inputs: &[RecordedInput]) -> String {
    let mut text = String::new();
    for input in inputs {
        text.push_str(&input.rel);
        text.push('\0');
        text.push_str(&input.hash);
        text.push('\n');
    }
    short_hex(xxh3_128(text.as_bytes()))
}

/// The build id: the source id plus every configuration line that changes the binary.
pub fn build_id(source_id: &str, config: &[(&str, &str)]) -> String {
    let mut text = format!("source {source_id}\n");
    for (key, value) in config {
        text.push_str(&format!("{key} {value}\n"));
    }
    short_hex(xxh3_128(text.as_bytes()))
}

/// 16 hex digits: short enough to read aloud, long enough never to collide by chance.
fn short_hex(hash: u128) -> String {
    format!("{:016x}", (hash >> 64) as u64)
}

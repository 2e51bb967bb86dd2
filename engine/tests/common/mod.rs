//! Helpers shared by the integration tests (`mod common;` in a test file). Not a test
//! target of its own: Cargo builds only the files directly in `tests/`.
// Each test crate uses only some of the helpers.
#![allow(dead_code)]

pub mod replay6;

/// A paste's command blocks, each from its `$ ` line to the next (what comes before the first
/// is a block of its own), concatenating back to the paste.
pub fn command_blocks(paste: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    for line in paste.split_inclusive('\n') {
        match blocks.last_mut() {
            Some(b) if !line.starts_with("$ ") => b.push_str(line),
            _ => blocks.push(line.to_string()),
        }
    }
    blocks
}

/// The paste without its block `k` (of [`command_blocks`]), and that block's command line.
pub fn without_block(blocks: &[String], k: usize) -> (String, String) {
    let paste = blocks.iter().enumerate().filter(|(i, _)| *i != k).map(|(_, b)| b.as_str()).collect();
    (paste, blocks[k].lines().next().unwrap_or_default().to_string())
}

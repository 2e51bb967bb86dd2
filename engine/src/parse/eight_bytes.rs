//! Searching text eight bytes at a time, in a `u64` ("SWAR"): the scans that run over every
//! line of a million-route paste (line ends, words, JSON strings) without a call per byte, and
//! without a vector search whose call costs more than a short line does.
//!
//! Each `*_bytes` function marks, with the high bit of each of its bytes, the bytes of a word
//! that have some property. A mark can be wrong only above (at a higher address than) a byte
//! marked rightly: subtracting borrows only upwards. So the lowest mark of any union of marks is
//! exact, which is all [`position`] uses.

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// `byte` in each of the eight bytes.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The bytes of `w` equal to `byte`.
#[inline(always)]
pub(crate) fn equal_bytes(w: u64, byte: u8) -> u64 {
    let x = w ^ splat(byte);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The bytes of `w` below `byte` (at most 0x80); a byte of 0x80 or more is never marked.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
pub(crate) fn below_bytes(w: u64, byte: u8) -> u64 {
    w.wrapping_sub(splat(byte)) & !w & HIGHS
}

/// The bytes of `w` that are not ASCII.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
pub(crate) fn non_ascii_bytes(w: u64) -> u64 {
    w & HIGHS
}

/// Where the first byte of `b` is that `marks` marks in its word of eight, or, in the last
/// bytes that make no whole word, that `stop` holds for; `marks` and `stop` say the same of a
/// byte.
#[inline(always)]
pub(crate) fn position(b: &[u8], marks: impl Fn(u64) -> u64, stop: impl Fn(u8) -> bool) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = b.get(at..at + 8) {
        let found = marks(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    b[at..].iter().position(|&c| stop(c)).map(|p| at + p)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    /// Each mark finds what a byte test finds, at every length and place.
    #[test]
    fn marks_are_the_byte_tests() {
        let alphabet = ["a", "1", "\n", " ", "!", "\t", "\u{b}", "\u{1}", "\0", "@", "\"", "\\", "\u{7f}", "é", "~"];
        for line in crate::parse::line::generated_lines(&alphabet, 24, 50_000) {
            let b = line.as_bytes();
            for byte in [b'\n', b'@', b'"', 0x0B, 0] {
                assert_eq!(super::position(b, |w| super::equal_bytes(w, byte), |c| c == byte), b.iter().position(|&c| c == byte), "{line:?} {byte}");
            }
            for byte in [b'!', 0x20, 0x80, 1] {
                assert_eq!(super::position(b, |w| super::below_bytes(w, byte), |c| c < byte), b.iter().position(|&c| c < byte), "{line:?} {byte}");
            }
            let odd = |c: u8| !c.is_ascii() || c == b'@' || c < b'!';
            let marks = |w| super::non_ascii_bytes(w) | super::equal_bytes(w, b'@') | super::below_bytes(w, b'!');
            assert_eq!(super::position(b, marks, odd), b.iter().position(|&c| odd(c)), "{line:?}");
        }
    }
}

//! A small DEFLATE encoder (RFC 1951) for permalinks: LZ77 over a 32 KiB window, one block of
//! the fixed Huffman codes. Any inflater reads it (the engine inflates with miniz_oxide).
//!
//! Why not miniz_oxide's compressor, as everywhere else: it is a large part of the npm engine's
//! gzip budget (measured: docs/size.md), for links that a scenario's repetitive text keeps
//! short anyway. This one is a few hundred bytes; on the seed its links are within a few
//! percent of miniz's level 9 (tested below).

/// How many earlier positions with the same 3-byte hash are tried for a match.
const MAX_CHAIN: usize = 64;
const WINDOW: usize = 1 << 15;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 15;

/// `data` as one final fixed-Huffman DEFLATE block.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut out = Bits { bytes: Vec::with_capacity(data.len() / 2 + 16), acc: 0, n: 0 };
    // BFINAL = 1, BTYPE = 01 (fixed Huffman codes).
    out.put(0b011, 3);
    // head[h]: the latest position whose 3 bytes hash to h; prev[p % WINDOW]: the one before p.
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev = vec![u32::MAX; WINDOW];
    let hash = |i: usize| ((u32::from(data[i]) << 10 ^ u32::from(data[i + 1]) << 5 ^ u32::from(data[i + 2])) & ((1 << HASH_BITS) - 1)) as usize;
    let insert = |i: usize, head: &mut [u32], prev: &mut [u32]| {
        if i + MIN_MATCH <= data.len() {
            let h = hash(i);
            prev[i % WINDOW] = head[h];
            head[h] = i as u32;
        }
    };
    let mut i = 0;
    while i < data.len() {
        let (mut len, mut dist) = (0, 0);
        if i + MIN_MATCH <= data.len() {
            let max = (data.len() - i).min(MAX_MATCH);
            let mut cand = head[hash(i)];
            for _ in 0..MAX_CHAIN {
                let c = cand as usize;
                if cand == u32::MAX || i - c > WINDOW {
                    break;
                }
                let l = data[c..].iter().zip(&data[i..i + max]).take_while(|(a, b)| a == b).count();
                if l > len {
                    (len, dist) = (l, i - c);
                    if l == max {
                        break;
                    }
                }
                cand = prev[c % WINDOW];
            }
        }
        if len >= MIN_MATCH {
            let (code, extra, bits) = bucket(&LENGTH_BASE, &LENGTH_EXTRA, len);
            out.symbol(257 + code);
            out.put(extra, bits);
            let (code, extra, bits) = bucket(&DISTANCE_BASE, &DISTANCE_EXTRA, dist);
            out.huffman(code as u32, 5);
            out.put(extra, bits);
            for j in i..i + len {
                insert(j, &mut head, &mut prev);
            }
            i += len;
        } else {
            out.symbol(usize::from(data[i]));
            insert(i, &mut head, &mut prev);
            i += 1;
        }
    }
    out.symbol(256);
    out.finish()
}

const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE: [u16; 30] =
    [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/// The code whose range holds `v`, with the extra bits' value and count.
fn bucket(base: &[u16], extra: &[u8], v: usize) -> (usize, u32, u32) {
    let code = base.partition_point(|&b| usize::from(b) <= v) - 1;
    (code, (v - usize::from(base[code])) as u32, u32::from(extra[code]))
}

/// A bit stream, least significant bit first (RFC 1951 3.1.1).
struct Bits {
    bytes: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, v: u32, bits: u32) {
        self.acc |= u64::from(v) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE packs most significant bit first.
    fn huffman(&mut self, code: u32, bits: u32) {
        self.put(code.reverse_bits() >> (32 - bits), bits);
    }

    /// A literal/length symbol in the fixed code (RFC 1951 3.2.6).
    fn symbol(&mut self, s: usize) {
        let s = s as u32;
        match s {
            0..=143 => self.huffman(0x30 + s, 8),
            144..=255 => self.huffman(0x190 + s - 144, 9),
            256..=279 => self.huffman(s - 256, 7),
            _ => self.huffman(0xc0 + s - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::deflate;

    fn inflate(b: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec(b).expect("a valid DEFLATE stream")
    }

    #[test]
    fn round_trips_through_miniz() {
        let seed = include_str!("../../tests/fixtures/seed/supervisor-before.txt").as_bytes();
        let mut x: u32 = 0x1234_5678;
        let mut noise = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let random: Vec<u8> = (0..70_000).map(|_| noise() as u8).collect();
        let runs: Vec<u8> = (0..100_000).map(|i| if i % 1000 < 700 { b'a' } else { (i % 7) as u8 }).collect();
        let long: Vec<u8> = seed.iter().copied().cycle().take(300_000).collect();
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcabcabcabc", seed, &random, &runs, &long] {
            assert_eq!(inflate(&deflate(data)), data, "{} bytes", data.len());
        }
    }

    /// Not much longer than miniz's best on what permalinks hold.
    #[test]
    fn compresses_a_paste_about_as_well_as_miniz() {
        let seed = include_str!("../../tests/fixtures/seed/supervisor-before.txt").as_bytes();
        let ours = deflate(seed).len();
        let miniz = miniz_oxide::deflate::compress_to_vec(seed, 9).len();
        println!("seed: ours {ours} bytes, miniz level 9 {miniz}, raw {}", seed.len());
        assert!(ours * 100 <= miniz * 125, "ours {ours} bytes, miniz level 9 {miniz}");
        assert!(ours * 2 < seed.len(), "{ours} of {}", seed.len());
    }
}

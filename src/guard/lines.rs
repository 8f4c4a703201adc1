//! A cap on line length for line-oriented input (Wikidata dumps, N-Triples,
//! tables): a stream without line ends, such as a decompression bomb of
//! zeros, fails at the cap instead of growing a line buffer without end.

use std::io::{self, Read};

/// Longest line read from an import source by default: 64 MiB (the largest
/// Wikidata entity document is a few MiB).
pub const DEFAULT_MAX_LINE: usize = 64 << 20;

/// Reads `inner`, failing once a line passes `max` bytes.
pub struct LineCap<R> {
    inner: R,
    max: usize,
    /// Bytes since the last line end.
    run: usize,
    /// Bytes read in all, for the error's offset.
    offset: u64,
}

impl<R: Read> LineCap<R> {
    /// Caps the lines of `inner` at `max` bytes.
    pub fn new(inner: R, max: usize) -> Self {
        LineCap {
            inner,
            max,
            run: 0,
            offset: 0,
        }
    }
}

impl<R: Read> Read for LineCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &c) in buf[..n].iter().enumerate() {
            if c == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.max {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "a line passes {} bytes at byte offset {} (a truncated or hostile file?)",
                            self.max,
                            self.offset + i as u64
                        ),
                    ));
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fails_at_a_long_line_and_passes_short_ones() {
        let mut out = Vec::new();
        LineCap::new(&b"ab\ncd\nef"[..], 2)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"ab\ncd\nef");
        let e = LineCap::new(&b"ab\ncde\n"[..], 2)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(e.to_string().contains("byte offset 5"), "{e}");
        // an endless line of zeros stops at the cap
        let e = LineCap::new(io::repeat(0), 1000)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }
}

//! `zip: DEF` (RFC 7516 §4.1.3): raw DEFLATE (RFC 1951) on `miniz_oxide`, with a
//! hard cap on the decompressed size.

use crate::Error;

/// Compresses `data` with raw DEFLATE.
pub(crate) fn compress(data: &[u8]) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "zip")]
    {
        Ok(miniz_oxide::deflate::compress_to_vec(data, 6))
    }
    #[cfg(not(feature = "zip"))]
    {
        let _ = data;
        Err(Error::Disabled {
            what: "zip: DEF",
            feature: "zip",
        })
    }
}

/// Decompresses raw DEFLATE, refusing output larger than `max` bytes.
pub(crate) fn decompress(data: &[u8], max: usize) -> Result<Vec<u8>, Error> {
    #[cfg(feature = "zip")]
    {
        use miniz_oxide::inflate::TINFLStatus;
        miniz_oxide::inflate::decompress_to_vec_with_limit(data, max).map_err(|e| {
            if e.status == TINFLStatus::HasMoreOutput {
                Error::DecompressedTooLarge { max }
            } else {
                Error::Decompression
            }
        })
    }
    #[cfg(not(feature = "zip"))]
    {
        let _ = (data, max);
        Err(Error::Disabled {
            what: "zip: DEF",
            feature: "zip",
        })
    }
}

#[cfg(all(test, feature = "zip"))]
mod tests {
    use super::*;

    #[test]
    fn the_cap_holds() {
        let bomb = compress(&vec![b'a'; 1_000_000]).unwrap();
        assert!(bomb.len() < 10_000);
        assert!(matches!(
            decompress(&bomb, 250_000),
            Err(Error::DecompressedTooLarge { max: 250_000 })
        ));
        assert_eq!(decompress(&bomb, 1_000_000).unwrap().len(), 1_000_000);
        assert!(matches!(
            decompress(b"\xff\xff", 100),
            Err(Error::Decompression)
        ));
    }
}

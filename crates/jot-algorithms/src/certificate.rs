//! The one thing jot reads from an X.509 certificate (RFC 5280): its
//! `subjectPublicKeyInfo`, found with a minimal DER walk.

use crate::KeyError;

/// Finds the `subjectPublicKeyInfo` of an X.509 certificate (RFC 5280 §4.1) with a
/// minimal DER walk: `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
/// OPTIONAL, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, .. } .. }`.
/// The certificate's signature, validity and extensions are not checked: jot takes
/// only the public key, as from a PEM file.
pub(crate) fn certificate_spki(der: &[u8]) -> Result<&[u8], KeyError> {
    const BAD: KeyError = KeyError::InvalidDer {
        reason: "malformed X.509 certificate",
    };
    let (cert, rest) = tlv(der, 0x30).ok_or(BAD)?;
    if !rest.is_empty() {
        return Err(BAD);
    }
    let (tbs, _) = tlv(cert.content, 0x30).ok_or(BAD)?;
    let mut body = tbs.content;
    if body.first() == Some(&0xa0) {
        body = tlv(body, 0xa0).ok_or(BAD)?.1;
    }
    for tag in [0x02, 0x30, 0x30, 0x30, 0x30] {
        body = tlv(body, tag).ok_or(BAD)?.1;
    }
    let (spki, _) = tlv(body, 0x30).ok_or(BAD)?;
    Ok(spki.whole)
}

struct Tlv<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// Reads one definite-length DER element with the expected tag; returns it and the rest.
fn tlv(input: &[u8], tag: u8) -> Option<(Tlv<'_>, &[u8])> {
    let (&t, rest) = input.split_first()?;
    if t != tag {
        return None;
    }
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return None;
    }
    let header_len = input.len() - rest.len();
    let (content, after) = rest.split_at(len);
    Some((
        Tlv {
            whole: &input[..header_len + len],
            content,
        },
        after,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlv_reads_short_and_long_lengths() {
        let short = [0x30, 0x02, 0x05, 0x00, 0xff];
        let (t, rest) = tlv(&short, 0x30).unwrap();
        assert_eq!(t.content, &[0x05, 0x00]);
        assert_eq!(rest, &[0xff]);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let (t, rest) = tlv(&long, 0x04).unwrap();
        assert_eq!(t.content.len(), 0x80);
        assert!(rest.is_empty());
        assert!(tlv(&[0x30, 0x05, 0x00], 0x30).is_none());
        assert!(tlv(&[0x31, 0x00], 0x30).is_none());
    }
}

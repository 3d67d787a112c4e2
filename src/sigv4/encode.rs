//! Percent-encoding as SigV4 defines it (RFC 3986 unreserved set, uppercase hex) and its inverse.
//!
//! `aws_uri_encode` keeps `A-Z a-z 0-9 - _ . ~` and encodes every other byte as `%XX`; `/` is kept in
//! paths and encoded in query names and values. Decoding is lenient (an invalid escape stays literal)
//! because it reads whatever arrived on the wire.

/// Whether `b` is in RFC 3986's unreserved set, the only bytes SigV4 never encodes.
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `%XX` (uppercase) for `b`.
pub fn push_escape(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
}

/// SigV4's `UriEncode`: every byte outside the unreserved set becomes `%XX`; `/` is kept when
/// `encode_slash` is false (paths) and encoded when it is true (query names and values).
pub fn aws_uri_encode(bytes: &[u8], encode_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 2);
    for &b in bytes {
        if is_unreserved(b) || (b == b'/' && !encode_slash) {
            out.push(char::from(b));
        } else {
            push_escape(&mut out, b);
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Reads the escape `%XX` at `bytes[i..]`, if there is a valid one.
pub fn escape_at(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let hi = hex_value(*bytes.get(i + 1)?)?;
    let lo = hex_value(*bytes.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

/// Decodes `%XX` escapes; an invalid escape is kept literally. With `plus_as_space`, a raw `+`
/// reads as a space (the pinned choice for query strings, see DESIGN.md §3).
pub fn percent_decode(bytes: &[u8], plus_as_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(b) = escape_at(bytes, i) {
            out.push(b);
            i += 3;
        } else {
            let b = bytes[i];
            out.push(if plus_as_space && b == b'+' { b' ' } else { b });
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unreserved_bytes_are_kept() {
        let all = b"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assert_eq!(aws_uri_encode(all, true), std::str::from_utf8(all).unwrap());
    }

    #[test]
    fn reserved_bytes_are_uppercase_escapes() {
        assert_eq!(aws_uri_encode(b"a b", true), "a%20b");
        assert_eq!(aws_uri_encode(b"*", true), "%2A");
        assert_eq!(aws_uri_encode(b"+", true), "%2B");
        assert_eq!(aws_uri_encode(b"=&", true), "%3D%26");
        assert_eq!(aws_uri_encode("ሴ".as_bytes(), true), "%E1%88%B4");
        assert_eq!(aws_uri_encode(&[0x00, 0xff], true), "%00%FF");
    }

    #[test]
    fn slash_is_kept_only_in_paths() {
        assert_eq!(aws_uri_encode(b"/a/b", false), "/a/b");
        assert_eq!(aws_uri_encode(b"/a/b", true), "%2Fa%2Fb");
    }

    #[test]
    fn decode_handles_invalid_escapes_and_plus() {
        assert_eq!(percent_decode(b"%41%zz%4", false), b"A%zz%4");
        assert_eq!(percent_decode(b"a+b%2B", true), b"a b+");
        assert_eq!(percent_decode(b"a+b", false), b"a+b");
        assert_eq!(percent_decode(b"%e1%88%b4", false), "ሴ".as_bytes());
    }

    proptest! {
        #[test]
        fn encoded_output_is_unreserved_or_uppercase_escapes(bytes in proptest::collection::vec(any::<u8>(), 0..64), slash in any::<bool>()) {
            let encoded = aws_uri_encode(&bytes, slash);
            let e = encoded.as_bytes();
            let mut i = 0;
            while i < e.len() {
                if e[i] == b'%' {
                    prop_assert!(i + 2 < e.len());
                    prop_assert!(e[i + 1].is_ascii_digit() || (b'A'..=b'F').contains(&e[i + 1]));
                    prop_assert!(e[i + 2].is_ascii_digit() || (b'A'..=b'F').contains(&e[i + 2]));
                    i += 3;
                } else {
                    prop_assert!(is_unreserved(e[i]) || (!slash && e[i] == b'/'), "byte {:?}", e[i]);
                    i += 1;
                }
            }
        }

        #[test]
        fn decode_inverts_encode(bytes in proptest::collection::vec(any::<u8>(), 0..64), slash in any::<bool>(), plus in any::<bool>()) {
            prop_assert_eq!(percent_decode(aws_uri_encode(&bytes, slash).as_bytes(), plus), bytes);
        }
    }
}

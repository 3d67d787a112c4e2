//! SigV4a (`AWS4-ECDSA-P256-SHA256`): the P-256 key derived from the credentials, signing and
//! verification.
//!
//! The key comes from the AWS KDF in counter mode with HMAC-SHA256 (NIST SP 800-108): key
//! `"AWS4A" + secret`, fixed input `1u32 ‖ "AWS4-ECDSA-P256-SHA256" ‖ 0x00 ‖ access key id ‖ counter ‖
//! 256u32`; the first output `c ≤ n − 2` gives the private scalar `c + 1`. Signatures are DER ECDSA
//! over SHA-256(string to sign) with a nonce, so they are verified, never compared byte for byte.

use super::crypto::hmac_sha256;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};

const LABEL: &[u8] = b"AWS4-ECDSA-P256-SHA256";
/// The order of P-256 minus 2, big-endian.
const ORDER_MINUS_TWO: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
];

/// Derives the SigV4a private key of an access key pair.
pub fn derive_signing_key(
    access_key_id: &str,
    secret_access_key: &str,
) -> Result<SigningKey, String> {
    let input_key = format!("AWS4A{secret_access_key}");
    for counter in 1u8..=254 {
        let mut fixed = Vec::with_capacity(4 + LABEL.len() + 1 + access_key_id.len() + 1 + 4);
        fixed.extend_from_slice(&1u32.to_be_bytes());
        fixed.extend_from_slice(LABEL);
        fixed.push(0);
        fixed.extend_from_slice(access_key_id.as_bytes());
        fixed.push(counter);
        fixed.extend_from_slice(&256u32.to_be_bytes());
        let candidate = hmac_sha256(input_key.as_bytes(), &fixed);
        // Same-length big-endian byte strings compare like the integers they encode.
        if candidate > ORDER_MINUS_TWO {
            continue;
        }
        let mut scalar = candidate;
        for byte in scalar.iter_mut().rev() {
            let (sum, overflow) = byte.overflowing_add(1);
            *byte = sum;
            if !overflow {
                break;
            }
        }
        return SigningKey::from_bytes(&scalar.into())
            .map_err(|e| format!("derived key rejected: {e}"));
    }
    Err("no SigV4a key found within 254 counter values".to_owned())
}

/// The public key's affine coordinates as lowercase hex (the `public-key.json` format).
pub fn public_key_hex(key: &VerifyingKey) -> (String, String) {
    let point = key.to_encoded_point(false);
    let x = point.x().map(hex::encode).unwrap_or_default();
    let y = point.y().map(hex::encode).unwrap_or_default();
    (x, y)
}

/// Builds a verifying key from hex coordinates.
pub fn verifying_key_from_hex(x: &str, y: &str) -> Result<VerifyingKey, String> {
    let x = hex::decode(x).map_err(|e| format!("X is not hex: {e}"))?;
    let y = hex::decode(y).map_err(|e| format!("Y is not hex: {e}"))?;
    if x.len() != 32 || y.len() != 32 {
        return Err("coordinates must be 32 bytes".to_owned());
    }
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    VerifyingKey::from_sec1_bytes(&sec1).map_err(|e| format!("not a P-256 point: {e}"))
}

/// Signs a string to sign: hex DER ECDSA over SHA-256 (RFC 6979 nonce, so repeatable here; other
/// signers use random nonces).
pub fn sign(key: &SigningKey, string_to_sign: &str) -> String {
    let signature: Signature = key.sign(string_to_sign.as_bytes());
    hex::encode(signature.to_der().as_bytes())
}

/// Verifies a hex DER (or hex raw r‖s) signature over SHA-256(string to sign).
pub fn verify(key: &VerifyingKey, string_to_sign: &str, signature_hex: &str) -> bool {
    let Ok(bytes) = hex::decode(signature_hex.trim()) else {
        return false;
    };
    let signature = Signature::from_der(&bytes).or_else(|_| Signature::from_slice(&bytes));
    match signature {
        Ok(signature) => key.verify(string_to_sign.as_bytes(), &signature).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_suite_public_key() {
        let key =
            derive_signing_key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
        let (x, y) = public_key_hex(key.verifying_key());
        assert_eq!(
            x,
            "b6618f6a65740a99e650b33b6b4b5bd0d43b176d721a3edfea7e7d2d56d936b1"
        );
        assert_eq!(
            y,
            "865ed22a7eadc9c5cb9d2cbaca1b3699139fedc5043dc6661864218330c8e518"
        );
    }

    #[test]
    fn signs_and_verifies() {
        let key = derive_signing_key("AK", "secret").unwrap();
        let sig = sign(&key, "hello");
        assert!(verify(key.verifying_key(), "hello", &sig));
        assert!(!verify(key.verifying_key(), "hellO", &sig));
        assert!(!verify(key.verifying_key(), "hello", "zz"));
    }
}

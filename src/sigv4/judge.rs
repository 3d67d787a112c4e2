//! A case as a harness that declared a pinned choice otherwise must sign it: under the `wire` S3
//! path rule ([`S3PathRule`]) an S3 case whose canonical request differs between the rules is
//! judged by the reference's wire-rule output.

use super::pinned::S3PathRule;
use super::vectors::{Expected, SignCase};

/// `case` as a harness following `rule` must sign it: under the `wire` rule an S3 case whose
/// canonical request differs between the rules gets the reference's wire-rule expectation (and
/// its own signed request instead of the vector's); anything else is unchanged.
pub fn judged_by(case: SignCase, rule: S3PathRule) -> SignCase {
    if rule.is_decoded() || case.settings.double_uri_encode {
        return case;
    }
    let mut judged = case.clone();
    judged.settings.s3_path_rule = rule;
    let (Ok(decoded), Ok(by_rule)) = (
        super::sign::sign(&case.request, &case.params()),
        super::sign::sign(&judged.request, &judged.params()),
    ) else {
        return case;
    };
    if decoded.canonical_request != by_rule.canonical_request {
        judged.expected = Expected {
            canonical_request: Some(by_rule.canonical_request),
            string_to_sign: Some(by_rule.string_to_sign),
            signature: Some(by_rule.signature),
            ..Expected::default()
        };
        judged.signed_request = None;
    }
    judged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wire_rule_harness_is_judged_by_the_wire_rule() {
        let cases = crate::sigv4::edge::edge_cases();
        let changed: Vec<String> = cases
            .into_iter()
            .map(|c| {
                (
                    c.expected.canonical_request.clone(),
                    judged_by(c, S3PathRule::Wire),
                )
            })
            .filter(|(before, after)| *before != after.expected.canonical_request)
            .map(|(_, after)| after.id)
            .collect();
        assert!(!changed.is_empty());
        assert!(changed.iter().all(|id| id.contains("s3")), "{changed:?}");
    }
}

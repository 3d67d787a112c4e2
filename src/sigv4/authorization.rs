//! Reading what a signed request claims: the `Authorization` header, parsed strictly (one space
//! after the algorithm, parameters separated by `,` and at most one space, each once), or a
//! presigned URL's `X-Amz-*` query parameters (each at most once), with the credential scope split
//! into its parts. The one parser of SigV4 signing parameters: the verifier and the tampered-request
//! corpus both read requests through it.

use super::request::HttpRequest;
use super::sign::Algorithm;

/// The query parameters a presigned URL may carry once only.
pub const SIGNING_QUERY_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// The parts of an `Authorization` header or of a presigned URL's `X-Amz-*` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    pub algorithm: Algorithm,
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

fn parse_credential(
    algorithm: Algorithm,
    credential: &str,
) -> Result<(String, String, String, String), String> {
    let parts: Vec<&str> = credential.split('/').collect();
    let terminator = parts.last().copied().unwrap_or_default();
    if parts.len() >= 4 && terminator != "aws4_request" {
        return Err(format!(
            "credential scope ends with `{terminator}`, not `aws4_request`"
        ));
    }
    match (algorithm, parts.as_slice()) {
        (Algorithm::HmacSha256, [ak, date, region, service, _]) => Ok((
            (*ak).to_owned(),
            (*date).to_owned(),
            (*region).to_owned(),
            (*service).to_owned(),
        )),
        (Algorithm::EcdsaP256Sha256, [ak, date, service, _]) => Ok((
            (*ak).to_owned(),
            (*date).to_owned(),
            String::new(),
            (*service).to_owned(),
        )),
        _ => Err(format!("malformed credential scope `{credential}`")),
    }
}

/// Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` strictly: one space after
/// the algorithm, parameters separated by `,` and at most one space, no space around `=` or inside
/// a value, each parameter once.
pub fn parse_authorization(value: &str) -> Result<ParsedAuth, String> {
    let (name, rest) = value
        .split_once(' ')
        .ok_or("authorization header has no parameters")?;
    let algorithm =
        Algorithm::from_name(name).ok_or_else(|| format!("unsupported algorithm `{name}`"))?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for (i, part) in rest.split(',').enumerate() {
        let part = if i == 0 {
            part
        } else {
            part.strip_prefix(' ').unwrap_or(part)
        };
        if part.is_empty() || part.contains([' ', '\t']) {
            return Err(format!(
                "extra spaces in the Authorization header (near `{}`)",
                part.trim()
            ));
        }
        let (key, val) = part
            .split_once('=')
            .ok_or_else(|| format!("malformed authorization part `{part}`"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(format!("unknown authorization part `{other}`")),
        };
        if slot.replace(val.to_owned()).is_some() {
            return Err(format!("repeated authorization part `{key}`"));
        }
    }
    let credential = credential.ok_or("authorization header has no Credential")?;
    let signed: String = signed.ok_or("authorization header has no SignedHeaders")?;
    let signature = signature.ok_or("authorization header has no Signature")?;
    let (access_key_id, date, region, service) = parse_credential(algorithm, &credential)?;
    Ok(ParsedAuth {
        algorithm,
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature,
    })
}

/// The authorization parameters of a request, with the time it claims and whether it is presigned.
pub struct Claimed {
    pub auth: ParsedAuth,
    pub amz_date: Option<String>,
    pub presigned: bool,
    pub expires: Option<String>,
    pub region_set: Option<String>,
}

pub fn claimed(request: &HttpRequest) -> Result<Claimed, String> {
    let query_pairs = super::canonical::parse_query(request.query().unwrap_or_default());
    let query_values = |name: &str| -> Vec<String> {
        query_pairs
            .iter()
            .filter(|(n, _)| n.as_slice() == name.as_bytes())
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    };
    for name in SIGNING_QUERY_PARAMS {
        let count = query_values(name).len();
        if count > 1 {
            return Err(format!("{name} appears {count} times in the query"));
        }
    }
    let query_value = |name: &str| query_values(name).into_iter().next();
    for name in ["authorization", "x-amz-date", "x-amz-content-sha256"] {
        let count = request.header_values(name).count();
        if count > 1 {
            return Err(format!("{count} `{name}` headers"));
        }
    }
    let header = request.header("authorization");
    let query_signature = query_value("X-Amz-Signature");
    if header.is_some() && query_signature.is_some() {
        return Err("both an Authorization header and X-Amz-Signature".to_owned());
    }
    if let Some(header) = header {
        return Ok(Claimed {
            auth: parse_authorization(header)?,
            amz_date: request.header("x-amz-date").map(str::to_owned),
            presigned: false,
            expires: None,
            region_set: request.header("x-amz-region-set").map(str::to_owned),
        });
    }
    let Some(signature) = query_signature else {
        return Err("no Authorization header and no X-Amz-Signature".to_owned());
    };
    let algorithm = query_value("X-Amz-Algorithm")
        .as_deref()
        .and_then(Algorithm::from_name)
        .ok_or("missing or unsupported X-Amz-Algorithm")?;
    let credential = query_value("X-Amz-Credential").unwrap_or_default();
    let (access_key_id, date, region, service) = parse_credential(algorithm, &credential)?;
    Ok(Claimed {
        auth: ParsedAuth {
            algorithm,
            access_key_id,
            date,
            region,
            service,
            signed_headers: query_value("X-Amz-SignedHeaders")
                .unwrap_or_default()
                .split(';')
                .map(str::to_owned)
                .collect(),
            signature,
        },
        amz_date: query_value("X-Amz-Date"),
        presigned: true,
        expires: query_value("X-Amz-Expires"),
        region_set: query_value("X-Amz-Region-Set"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_parsing() {
        let auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(auth.region, "us-east-1");
        assert_eq!(auth.signed_headers, ["host", "x-amz-date"]);
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=AK/x").is_err());
        assert!(parse_authorization("Basic abc").is_err());
        let spaced = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/service/aws4_request,  SignedHeaders=host, Signature=abc",
        );
        assert!(spaced.unwrap_err().contains("extra spaces"));
        let compact = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/service/aws4_request,SignedHeaders=host,Signature=abc",
        );
        assert!(compact.is_ok());
    }
}

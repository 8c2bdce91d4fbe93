//! API keys: parsed from configuration, kept only as SHA-256 hashes, compared in constant
//! time; the [`Caller`] extractor turns `Authorization: Bearer <key>` into a key's name and
//! scopes.
//!
//! A key is written `name:secret:scope+scope`, several separated by commas or new lines.
//! `secret` is the key itself, or `sha256:<64 hex digits>` (the hash of the key) so that a
//! keys file need not hold the key.

use std::fmt;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use super::AppState;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Read its own jobs, validate problems, check rosters.
    Read,
    /// Submit and cancel jobs, ask for recommendations.
    Submit,
    /// See every key's jobs.
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Submit => "submit",
            Scope::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Option<Scope> {
        match text {
            "read" => Some(Scope::Read),
            "submit" => Some(Scope::Submit),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }
}

/// One configured key: its name (the owner of its jobs), the hash of its secret, its scopes.
#[derive(Clone)]
struct ApiKey {
    name: String,
    hash: [u8; 32],
    scopes: Vec<Scope>,
}

/// The configured keys. Debug output never shows a hash.
#[derive(Clone, Default)]
pub struct Keyring {
    keys: Vec<ApiKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|k| &k.name))
            .finish()
    }
}

/// Why a key specification was refused. Never repeats the secret.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KeySpecError {
    #[error("API key entry {entry} is not `name:secret:scope+scope`")]
    Shape { entry: usize },
    #[error("API key `{name}`: unknown scope `{scope}` (use read, submit, admin)")]
    Scope { name: String, scope: String },
    #[error("API key `{name}`: `sha256:` must be followed by 64 hex digits")]
    Hash { name: String },
    #[error("API key name `{name}` is used twice")]
    Duplicate { name: String },
    /// Two names with one secret: the caller's name (and so its jobs and scopes) would
    /// depend on the order of the entries.
    #[error("API keys `{first}` and `{second}` have the same secret; give each name its own key")]
    DuplicateSecret { first: String, second: String },
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl Keyring {
    /// Parses `name:secret:scopes` entries separated by commas or new lines; blank entries
    /// and lines starting with `#` are skipped.
    pub fn parse(spec: &str) -> Result<Keyring, KeySpecError> {
        let mut ring = Keyring::default();
        let entries = spec
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.starts_with('#'));
        for (i, entry) in entries.enumerate() {
            let mut parts = entry.splitn(3, ':');
            let (name, rest) = match (parts.next(), parts.next(), parts.next()) {
                (Some(n), Some(a), Some(b)) if !n.is_empty() => (n, (a, b)),
                _ => return Err(KeySpecError::Shape { entry: i + 1 }),
            };
            // `sha256:<hex>:scopes` splits as ("sha256", "<hex>:scopes").
            let (hash, scopes) = if rest.0 == "sha256" {
                let (hex, scopes) = rest
                    .1
                    .split_once(':')
                    .ok_or(KeySpecError::Shape { entry: i + 1 })?;
                let hash = parse_hex32(hex).ok_or_else(|| KeySpecError::Hash {
                    name: name.to_string(),
                })?;
                (hash, scopes)
            } else {
                if rest.0.is_empty() {
                    return Err(KeySpecError::Shape { entry: i + 1 });
                }
                (sha256(rest.0.as_bytes()), rest.1)
            };
            let scopes = scopes
                .split('+')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    Scope::parse(s).ok_or_else(|| KeySpecError::Scope {
                        name: name.to_string(),
                        scope: s.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            ring.add_hashed(name, hash, scopes)?;
        }
        Ok(ring)
    }

    /// Adds a key given in clear; only its hash is kept.
    pub fn add(&mut self, name: &str, secret: &str, scopes: &[Scope]) -> Result<(), KeySpecError> {
        self.add_hashed(name, sha256(secret.as_bytes()), scopes.to_vec())
    }

    fn add_hashed(
        &mut self,
        name: &str,
        hash: [u8; 32],
        scopes: Vec<Scope>,
    ) -> Result<(), KeySpecError> {
        if self.keys.iter().any(|k| k.name == name) {
            return Err(KeySpecError::Duplicate {
                name: name.to_string(),
            });
        }
        if let Some(same) = self.keys.iter().find(|k| k.hash == hash) {
            return Err(KeySpecError::DuplicateSecret {
                first: same.name.clone(),
                second: name.to_string(),
            });
        }
        self.keys.push(ApiKey {
            name: name.to_string(),
            hash,
            scopes,
        });
        Ok(())
    }

    /// Merges another keyring into this one.
    pub fn extend(&mut self, other: Keyring) -> Result<(), KeySpecError> {
        for key in other.keys {
            self.add_hashed(&key.name, key.hash, key.scopes)?;
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The key whose secret is `presented`. Every key is compared, in constant time, so the
    /// answer's timing does not tell which key (or how much of one) matched.
    fn find(&self, presented: &str) -> Option<&ApiKey> {
        let hash = sha256(presented.as_bytes());
        let mut found = None;
        for key in &self.keys {
            if bool::from(key.hash.ct_eq(&hash)) {
                found = Some(key);
            }
        }
        found
    }
}

/// The authenticated caller of a `/v1` route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    scopes: Vec<Scope>,
}

impl Caller {
    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// 403 unless the key has `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.has(scope) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                scope: scope.as_str(),
            })
        }
    }

    /// Whether this caller may see a job owned by `owner`.
    pub fn may_see(&self, owner: &str) -> bool {
        self.name == owner || self.has(Scope::Admin)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthenticated("no Authorization header"))?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("the Authorization header is not text"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated(
                "the Authorization header is not `Bearer <key>`",
            ))?;
        let key = state
            .config
            .keys
            .find(token)
            .ok_or(ApiError::Unauthenticated("unknown API key"))?;
        state
            .limiter
            .take(&key.name, std::time::Instant::now())
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(Caller {
            name: key.name.clone(),
            scopes: key.scopes.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_found_by_its_secret_and_keeps_its_scopes() {
        let ring = Keyring::parse("ops:s3cret:read+submit, audit:other:read").unwrap();
        let key = ring.find("s3cret").unwrap();
        assert_eq!(key.name, "ops");
        assert_eq!(key.scopes, vec![Scope::Read, Scope::Submit]);
        assert!(ring.find("s3cre").is_none());
    }

    #[test]
    fn a_key_may_be_given_as_its_hash() {
        let hex: String = sha256(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        let ring = Keyring::parse(&format!("cms:sha256:{hex}:read")).unwrap();
        assert_eq!(ring.find("abc").map(|k| k.name.as_str()), Some("cms"));
    }

    #[test]
    fn a_bad_scope_names_the_key_but_not_the_secret() {
        let err = Keyring::parse("cms:topsecret:write").unwrap_err();
        assert_eq!(
            err,
            KeySpecError::Scope {
                name: "cms".into(),
                scope: "write".into()
            }
        );
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn an_entry_without_scopes_part_is_refused() {
        assert_eq!(
            Keyring::parse("cms:secret").unwrap_err(),
            KeySpecError::Shape { entry: 1 }
        );
    }

    #[test]
    fn debug_output_shows_names_only() {
        let ring = Keyring::parse("cms:topsecret:read").unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains("cms") && !shown.contains("topsecret"));
    }

    #[test]
    fn one_secret_under_two_names_is_refused_without_showing_it() {
        let err = Keyring::parse("a:dup-secret:read,b:dup-secret:read+submit").unwrap_err();
        assert_eq!(
            err,
            KeySpecError::DuplicateSecret {
                first: "a".into(),
                second: "b".into()
            }
        );
        assert!(!err.to_string().contains("dup-secret"));
        // Given once in clear and once as its hash, it is the same secret.
        let hex: String = sha256(b"dup-secret")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let err = Keyring::parse(&format!("a:dup-secret:read,b:sha256:{hex}:read")).unwrap_err();
        assert!(matches!(err, KeySpecError::DuplicateSecret { .. }));
    }
}

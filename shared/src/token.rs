//! Secrets and ids. Tokens carry 256 bits from the OS RNG, travel URL-safe, and are stored only as
//! SHA-256 hashes; a presented token is compared by hash in constant time.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::domain::{RegistrationId, TokenKeys};

const TOKEN_BYTES: usize = 32;

/// The shortest bearer an organiser may present: 43 URL-safe base64 characters, the 32 random
/// bytes (256 bits) of every token this code issues and of `openssl rand -base64 32`. Organiser
/// tokens are stored as unsalted SHA-256, which is safe only for long random secrets; 22
/// characters would be 132 bits only if random, and nothing here can tell a random one.
pub const ORGANISER_TOKEN_MIN_CHARS: usize = 43;

/// A bearer secret as the registrant or organiser holds it. Never logged: `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Accepts what a client presents: URL-safe base64 of at least 128 bits, nothing else.
    pub fn parse(raw: &str) -> Result<Self, TokenError> {
        let raw = raw.trim();
        if raw.len() < 22 || raw.len() > 128 {
            return Err(TokenError::Malformed);
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(TokenError::Malformed);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not well formed")]
    Malformed,
}

/// What is stored in place of a token: lowercase hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        Self(hex(&digest))
    }

    /// A stored hash read back (for example from configuration): 64 hex digits.
    pub fn parse(hex_digits: &str) -> Option<Self> {
        let h = hex_digits.trim().to_ascii_lowercase();
        (h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self(h))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time check that `presented` hashes to this value.
    pub fn matches(&self, presented: &Token) -> bool {
        presented
            .hash()
            .0
            .as_bytes()
            .ct_eq(self.0.as_bytes())
            .into()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Where new secrets and ids come from; injected so tests can be deterministic.
pub trait TokenSource: Send + Sync {
    fn new_token(&self) -> Token;
    /// A new sortable unique id for records whose order matters.
    fn new_ulid(&self, now_ms: u64) -> ulid::Ulid;

    /// A new id as ULID text (outbox notices, announcements, local mailbox files).
    fn new_id(&self, now_ms: u64) -> String {
        self.new_ulid(now_ms).to_string()
    }

    /// A new id as ULID text, made at `now` (an instant before 1970 counts as 1970).
    fn new_id_at(&self, now: jiff::Timestamp) -> String {
        self.new_id(now.as_millisecond().max(0) as u64)
    }

    /// A new registration's id.
    fn new_registration_id(&self, now_ms: u64) -> RegistrationId {
        RegistrationId::from(self.new_ulid(now_ms))
    }
}

/// The operating system's RNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsTokenSource;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS RNG failing is not something a request can recover from.
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

impl TokenSource for OsTokenSource {
    fn new_token(&self) -> Token {
        Token(URL_SAFE_NO_PAD.encode(random_bytes::<TOKEN_BYTES>()))
    }

    fn new_ulid(&self, now_ms: u64) -> ulid::Ulid {
        let random = u128::from_le_bytes(random_bytes::<16>());
        ulid::Ulid::from_parts(now_ms, random)
    }
}

/// Deterministic tokens and ids for tests: a counter, still well formed.
#[derive(Debug, Default)]
pub struct SequentialTokenSource {
    next: std::sync::atomic::AtomicU64,
}

impl TokenSource for SequentialTokenSource {
    fn new_token(&self) -> Token {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Token(format!("test-token-{n:0>32}"))
    }

    fn new_ulid(&self, now_ms: u64) -> ulid::Ulid {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ulid::Ulid::from_parts(now_ms, u128::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_carries_at_least_128_bits_and_is_url_safe() {
        let t = OsTokenSource.new_token();
        assert!(t.expose().len() >= 43);
        assert!(Token::parse(t.expose()).is_ok());
        assert_ne!(t, OsTokenSource.new_token());
    }

    #[test]
    fn a_token_matches_its_own_hash_and_no_other() {
        let a = OsTokenSource.new_token();
        let b = OsTokenSource.new_token();
        assert!(a.hash().matches(&a));
        assert!(!a.hash().matches(&b));
    }

    #[test]
    fn a_token_is_never_shown_by_debug() {
        let t = OsTokenSource.new_token();
        assert!(!format!("{t:?}").contains(t.expose()));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "short",
            "has spaces in it but is long enough",
            "ünïcödé-ünïcödé-ünïcödé",
        ] {
            assert!(Token::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn ids_sort_by_time() {
        let a = OsTokenSource.new_id(1_000);
        let b = OsTokenSource.new_id(2_000);
        assert!(a < b);
        let a = OsTokenSource.new_registration_id(1_000);
        let b = OsTokenSource.new_registration_id(2_000);
        assert!(a < b);
    }

    #[test]
    fn a_new_token_is_long_enough_for_an_organiser() {
        assert!(OsTokenSource.new_token().expose().len() >= ORGANISER_TOKEN_MIN_CHARS);
    }

    #[test]
    fn a_stored_hash_parses_only_from_64_hex_digits() {
        let h = TokenHash::of("secret");
        assert_eq!(TokenHash::parse(h.as_str()), Some(h));
        assert_eq!(TokenHash::parse("abc"), None);
    }
}

/// Derives personal join tokens: HMAC-SHA256 under a secret key of (registration, generation).
/// The join link must be shown again on every visit to the registrant's page, yet tokens are
/// stored only as hashes; deriving it from a server secret gives both. Revoking bumps the
/// generation, which gives a new token and lets the old hash be deleted.
///
/// Each purpose (join link, calendar URL, unsubscribe link) has its own key, HMAC-SHA256 of the
/// configured secret under the purpose's label (HKDF-Expand's one-block case), so a token of one
/// purpose says nothing of another's and a key could be rotated alone. Registrations made before
/// that keep the one shared key ([`TokenKeys::Shared`]): see there why.
#[derive(Clone)]
pub struct JoinKey {
    /// The configured secret (hashed to 32 bytes): the shared key of older registrations.
    shared: [u8; 32],
    join: [u8; 32],
    calendar: [u8; 32],
    unsubscribe: [u8; 32],
}

const JOIN: &[u8] = b"plenary-join";
const CALENDAR: &[u8] = b"plenary-calendar";
const UNSUBSCRIBE: &[u8] = b"plenary-unsubscribe";

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl JoinKey {
    /// From configuration: at least 32 bytes, as URL-safe base64 or hex.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&raw[2 * i..2 * i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()?
        } else {
            URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).ok()?
        };
        (bytes.len() >= 32).then(|| Self::from_secret(Sha256::digest(&bytes).into()))
    }

    /// A fresh random key (the local stack's default).
    pub fn random() -> Self {
        Self::from_secret(random_bytes::<32>())
    }

    fn from_secret(shared: [u8; 32]) -> Self {
        let key = |label: &[u8]| hmac(&shared, &[b"plenary-key\0", label, b"\x01"]);
        Self {
            join: key(JOIN),
            calendar: key(CALENDAR),
            unsubscribe: key(UNSUBSCRIBE),
            shared,
        }
    }

    pub fn token_for(
        &self,
        keys: TokenKeys,
        registration_id: &RegistrationId,
        generation: u32,
    ) -> Token {
        self.derive(keys, JOIN, &self.join, registration_id, generation)
    }

    /// The token of the registration's subscribable calendar URL: a new one each generation, so
    /// closing the URL (a new generation) ends the old one for good.
    pub fn calendar_token(
        &self,
        keys: TokenKeys,
        registration_id: &RegistrationId,
        generation: u32,
    ) -> Token {
        self.derive(keys, CALENDAR, &self.calendar, registration_id, generation)
    }

    /// The registration's one-click unsubscribe token (RFC 8058): stable, so every optional
    /// email carries the same one, and useless for anything else.
    pub fn unsubscribe_token(&self, keys: TokenKeys, registration_id: &RegistrationId) -> Token {
        self.derive(keys, UNSUBSCRIBE, &self.unsubscribe, registration_id, 0)
    }

    fn derive(
        &self,
        keys: TokenKeys,
        label: &[u8],
        own_key: &[u8; 32],
        registration_id: &RegistrationId,
        generation: u32,
    ) -> Token {
        let (id, generation) = (
            registration_id.as_str().as_bytes(),
            generation.to_be_bytes(),
        );
        let mac = match keys {
            // Exactly as before per-purpose keys, so the tokens already sent still match.
            TokenKeys::Shared => hmac(&self.shared, &[label, b"\0", id, b"\0", &generation]),
            TokenKeys::PerPurpose => hmac(own_key, &[id, b"\0", &generation]),
        };
        Token(URL_SAFE_NO_PAD.encode(mac))
    }
}

impl fmt::Debug for JoinKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JoinKey(<redacted>)")
    }
}

#[cfg(test)]
mod join_key_tests {
    use super::*;

    #[test]
    fn a_join_token_is_stable_per_generation_and_changes_when_revoked() {
        let key = JoinKey::random();
        let r1 = SequentialTokenSource::default().new_registration_id(0);
        let r2 = SequentialTokenSource::default().new_registration_id(1);
        for keys in [TokenKeys::Shared, TokenKeys::PerPurpose] {
            let a = key.token_for(keys, &r1, 0);
            assert_eq!(a, key.token_for(keys, &r1, 0));
            assert_ne!(a, key.token_for(keys, &r1, 1));
            assert_ne!(a, key.token_for(keys, &r2, 0));
            assert_ne!(a, JoinKey::random().token_for(keys, &r1, 0));
            assert!(Token::parse(a.expose()).is_ok());
        }
    }

    #[test]
    fn older_registrations_keep_the_tokens_they_were_sent() {
        // The derivation before per-purpose keys, written out: HMAC of the shared key over
        // label, id and generation.
        let secret = [7u8; 32];
        let key = JoinKey::parse(&URL_SAFE_NO_PAD.encode(secret)).unwrap();
        let id = SequentialTokenSource::default().new_registration_id(0);
        let old = |label: &[u8], generation: u32| {
            let shared: [u8; 32] = Sha256::digest(secret).into();
            let mac = hmac(
                &shared,
                &[
                    label,
                    b"\0",
                    id.as_str().as_bytes(),
                    b"\0",
                    &generation.to_be_bytes(),
                ],
            );
            URL_SAFE_NO_PAD.encode(mac)
        };
        let shared = TokenKeys::Shared;
        assert_eq!(
            key.token_for(shared, &id, 3).expose(),
            old(b"plenary-join", 3)
        );
        assert_eq!(
            key.calendar_token(shared, &id, 2).expose(),
            old(b"plenary-calendar", 2)
        );
        assert_eq!(
            key.unsubscribe_token(shared, &id).expose(),
            old(b"plenary-unsubscribe", 0)
        );
    }

    #[test]
    fn new_registrations_get_their_tokens_from_a_key_per_purpose() {
        let key = JoinKey::random();
        let id = SequentialTokenSource::default().new_registration_id(0);
        let (shared, own) = (TokenKeys::Shared, TokenKeys::PerPurpose);
        assert_ne!(key.token_for(own, &id, 0), key.token_for(shared, &id, 0));
        assert_ne!(
            key.calendar_token(own, &id, 0),
            key.calendar_token(shared, &id, 0)
        );
        assert_ne!(
            key.unsubscribe_token(own, &id),
            key.unsubscribe_token(shared, &id)
        );
        // Three keys, none the shared one: knowing one purpose's key gives no other's tokens.
        let keys = [key.join, key.calendar, key.unsubscribe, key.shared];
        for (i, a) in keys.iter().enumerate() {
            for b in &keys[i + 1..] {
                assert_ne!(a, b);
            }
        }
        let join_with = |k: &[u8; 32]| {
            URL_SAFE_NO_PAD.encode(hmac(
                k,
                &[id.as_str().as_bytes(), b"\0", &0u32.to_be_bytes()],
            ))
        };
        assert_eq!(key.token_for(own, &id, 0).expose(), join_with(&key.join));
        assert_eq!(
            key.unsubscribe_token(own, &id).expose(),
            join_with(&key.unsubscribe)
        );
    }

    #[test]
    fn a_join_key_parses_from_hex_or_base64_of_32_bytes_only() {
        assert!(JoinKey::parse(&"ab".repeat(32)).is_some());
        assert!(JoinKey::parse(&URL_SAFE_NO_PAD.encode([7u8; 32])).is_some());
        assert!(JoinKey::parse("short").is_none());
    }
}

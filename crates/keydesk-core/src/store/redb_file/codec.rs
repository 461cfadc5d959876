//! Record encoding: one version byte, then postcard. The version byte lets a
//! later schema add fields while still reading old records, and lets this build
//! refuse (rather than misread) a record from the future.
//!
//! - [`RECORD_V1`] (schemas 1 and 2): name, hash, masked hint, created, last used.
//! - [`RECORD_V2`] (schemas 3 to 5): V1's fields, then expiry, disabled-since
//!   and the previous secret of a rotation.
//! - [`RECORD_V3`] (schema 6): V2's fields, then the key's policy in its one
//!   text form (`Policy`'s `Display`, read back with `Policy::parse`; empty:
//!   no rules). Text rather than a binary layout of the rules, so a rule added
//!   later needs no new record version, and what is stored is what `keydesk
//!   limit` shows.
//!
//! This build writes V3 only. It still decodes V1 (as an active key that never
//! expires) and V2 (as a key without rules): the schema-3 and schema-6
//! migrations read them to rewrite them as the encoding of their schema, and
//! decoding them stays harmless if one is ever met. The schema-2 migration
//! step keeps writing V1 ([`encode_v1`]) and the schema-3 step V2
//! ([`encode_v2`]), so a file left at an intermediate schema by an
//! interrupted upgrade would be exactly what that schema wrote.
//!
//! A stored policy that does not parse is a decode error naming the record,
//! never an empty policy: a key silently losing its rules would be let
//! through by every gateway.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{KeyHash, KeyId, KeyRecord, Policy, PreviousSecret};
use crate::store::{DecodeError, Malformation, StoredItem};

const RECORD_V1: u8 = 1;
const RECORD_V2: u8 = 2;
const RECORD_V3: u8 = 3;

/// The stored form of a record. The ID is the table key, so it is not repeated.
#[derive(Serialize, Deserialize)]
struct RecordV1 {
    name: String,
    hash: [u8; 32],
    masked: String,
    /// Unix seconds, UTC.
    created_at: i64,
    last_used: Option<i64>,
}

/// V1 plus the key's lifecycle. Times are Unix seconds, UTC.
#[derive(Serialize, Deserialize)]
struct RecordV2 {
    name: String,
    hash: [u8; 32],
    masked: String,
    created_at: i64,
    last_used: Option<i64>,
    expires_at: Option<i64>,
    disabled_at: Option<i64>,
    previous: Option<PreviousV2>,
}

/// V2 plus the policy's text form: postcard writes it as V2's bytes followed
/// by the text.
#[derive(Serialize, Deserialize)]
struct RecordV3 {
    v2: RecordV2,
    policy: String,
}

#[derive(Serialize, Deserialize)]
struct PreviousV2 {
    hash: [u8; 32],
    masked: String,
    grace_until: i64,
    last_used: Option<i64>,
}

fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

pub fn encode(record: &KeyRecord) -> Vec<u8> {
    let stored = RecordV3 {
        v2: record_v2(record),
        policy: record.policy.to_string(),
    };
    with_version(RECORD_V3, &stored)
}

/// The schema-3 to 5 encoding, for the schema-3 migration step only: it
/// drops the policy, which a record of those schemas cannot have.
pub fn encode_v2(record: &KeyRecord) -> Vec<u8> {
    with_version(RECORD_V2, &record_v2(record))
}

fn record_v2(record: &KeyRecord) -> RecordV2 {
    RecordV2 {
        name: record.name.clone(),
        hash: record.hash.0,
        masked: record.masked.clone(),
        created_at: unix(record.created_at),
        last_used: record.last_used.map(unix),
        expires_at: record.expires_at.map(unix),
        disabled_at: record.disabled_at.map(unix),
        previous: record.previous.as_ref().map(|p| PreviousV2 {
            hash: p.hash.0,
            masked: p.masked.clone(),
            grace_until: unix(p.grace_until),
            last_used: p.last_used.map(unix),
        }),
    }
}

/// The schema-1/2 encoding, for the schema-2 migration step only: it drops
/// every lifecycle field, which a schema-2 record cannot have.
pub fn encode_v1(record: &KeyRecord) -> Vec<u8> {
    let stored = RecordV1 {
        name: record.name.clone(),
        hash: record.hash.0,
        masked: record.masked.clone(),
        created_at: unix(record.created_at),
        last_used: record.last_used.map(unix),
    };
    with_version(RECORD_V1, &stored)
}

fn with_version(version: u8, stored: &impl Serialize) -> Vec<u8> {
    let mut bytes = vec![version];
    // Serialising plain strings and integers into a Vec cannot fail.
    bytes.extend(postcard::to_allocvec(stored).expect("record serialisation is infallible"));
    bytes
}

/// Whether stored bytes are in the encoding this build writes.
pub fn is_current(bytes: &[u8]) -> bool {
    bytes.first() == Some(&RECORD_V3)
}

/// Whether stored bytes are in the encoding of schemas 3 to 5 (V2).
pub fn is_v2(bytes: &[u8]) -> bool {
    bytes.first() == Some(&RECORD_V2)
}

pub fn decode(id: &str, bytes: &[u8]) -> Result<KeyRecord, DecodeError> {
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| DecodeError::Empty { id: id.to_owned() })?;
    let malformed = |reason: Malformation| DecodeError::Malformed {
        record: StoredItem::Key(id.to_owned()),
        reason,
    };
    let encoding = |e: postcard::Error| malformed(Malformation::Encoding(e.to_string()));
    let (stored, policy) = match version {
        RECORD_V3 => {
            let v3: RecordV3 = postcard::from_bytes(body).map_err(encoding)?;
            let policy = Policy::parse(&v3.policy).map_err(|e| malformed(Malformation::Policy(e)))?;
            (v3.v2, policy)
        }
        RECORD_V2 => (
            postcard::from_bytes::<RecordV2>(body).map_err(encoding)?,
            Policy::default(),
        ),
        RECORD_V1 => {
            let v1: RecordV1 = postcard::from_bytes(body).map_err(encoding)?;
            let v2 = RecordV2 {
                name: v1.name,
                hash: v1.hash,
                masked: v1.masked,
                created_at: v1.created_at,
                last_used: v1.last_used,
                expires_at: None,
                disabled_at: None,
                previous: None,
            };
            (v2, Policy::default())
        }
        version => {
            return Err(DecodeError::UnknownVersion {
                id: id.to_owned(),
                version,
            });
        }
    };
    let instant = |secs: i64| {
        OffsetDateTime::from_unix_timestamp(secs).map_err(|e| malformed(Malformation::Timestamp(e.to_string())))
    };
    let previous = match stored.previous {
        None => None,
        Some(p) => Some(Box::new(PreviousSecret {
            hash: KeyHash(p.hash),
            masked: p.masked,
            grace_until: instant(p.grace_until)?,
            last_used: p.last_used.map(instant).transpose()?,
        })),
    };
    Ok(KeyRecord {
        policy,
        id: KeyId::from_stored(id),
        name: stored.name,
        hash: KeyHash(stored.hash),
        masked: stored.masked,
        created_at: instant(stored.created_at)?,
        last_used: stored.last_used.map(instant).transpose()?,
        expires_at: stored.expires_at.map(instant).transpose()?,
        disabled_at: stored.disabled_at.map(instant).transpose()?,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> KeyRecord {
        KeyRecord {
            last_used: Some(datetime!(2026-03-02 09:00:00 UTC)),
            ..KeyRecord::new(
                KeyId::generate(),
                "生产-gateway_01".into(),
                KeyHash::of("sk-x"),
                "sk-Ab3x****9fQz".into(),
                datetime!(2026-03-01 08:30:00 UTC),
            )
        }
    }

    fn with_lifecycle() -> KeyRecord {
        KeyRecord {
            expires_at: Some(datetime!(2027-03-01 00:00:00 UTC)),
            disabled_at: Some(datetime!(2026-04-01 10:00:00 UTC)),
            previous: Some(Box::new(PreviousSecret {
                hash: KeyHash::of("sk-old"),
                masked: "sk-Old1****2abc".into(),
                grace_until: datetime!(2026-04-02 10:00:00 UTC),
                last_used: Some(datetime!(2026-04-01 09:59:00 UTC)),
            })),
            ..sample()
        }
    }

    fn with_policy() -> KeyRecord {
        KeyRecord {
            policy: Policy::parse("rpm=60 max-parallel=2 methods=GET,POST paths=/v1/* ips=10.0.0.0/8").unwrap(),
            ..with_lifecycle()
        }
    }

    #[test]
    fn round_trips() {
        for record in [
            sample(),
            with_lifecycle(),
            with_policy(),
            KeyRecord {
                last_used: None,
                ..sample()
            },
        ] {
            assert_eq!(decode(record.id.as_str(), &encode(&record)).unwrap(), record);
        }
    }

    #[test]
    fn a_v1_record_decodes_as_an_active_key_that_never_expires() {
        let record = sample();
        let bytes = encode_v1(&with_lifecycle());
        assert_eq!(bytes[0], RECORD_V1);
        assert!(!is_current(&bytes));
        assert_eq!(
            decode(record.id.as_str(), &bytes).unwrap(),
            KeyRecord {
                id: record.id.clone(),
                ..record
            }
        );
    }

    #[test]
    fn a_v2_record_decodes_as_a_key_without_rules() {
        let record = with_policy();
        let bytes = encode_v2(&record);
        assert_eq!(bytes[0], RECORD_V2);
        assert!(is_v2(&bytes) && !is_current(&bytes));
        let decoded = decode(record.id.as_str(), &bytes).unwrap();
        assert_eq!(
            decoded,
            KeyRecord {
                policy: Policy::default(),
                ..record
            }
        );
    }

    #[test]
    fn a_stored_policy_that_does_not_parse_is_an_error_naming_the_record_never_no_rules() {
        let record = sample();
        let stored = RecordV3 {
            v2: record_v2(&record),
            policy: "rpm=sixty".to_owned(),
        };
        let error = decode("ak-x", &with_version(RECORD_V3, &stored)).unwrap_err();
        assert!(
            matches!(&error, DecodeError::Malformed { record: StoredItem::Key(id), reason: Malformation::Policy(_) } if id == "ak-x"),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "record ak-x cannot be decoded: its policy cannot be read: rpm: \"sixty\" is not a whole number"
        );
    }

    #[test]
    fn encoding_is_compact() {
        // A record is a fraction of a key's share of the file (the size per key
        // in docs/benchmarks.md); this keeps it from growing unnoticed.
        assert!(encode(&sample()).len() < 90, "{}", encode(&sample()).len());
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        for bytes in [
            encode(&sample()),
            encode(&with_policy()),
            encode_v2(&with_lifecycle()),
            encode_v1(&sample()),
        ] {
            assert!(matches!(decode("ak-x", &[]), Err(DecodeError::Empty { .. })));
            assert!(matches!(
                decode("ak-x", &[9, 1, 2]),
                Err(DecodeError::UnknownVersion { version: 9, .. })
            ));
            for cut in 1..bytes.len() {
                assert!(decode("ak-x", &bytes[..cut]).is_err(), "truncated at {cut}");
            }
        }
    }

    #[test]
    fn a_damaged_record_says_which_and_why() {
        let cut = &encode(&sample())[..5];
        assert!(matches!(
            decode("ak-x", cut),
            Err(DecodeError::Malformed { record: StoredItem::Key(ref id), reason: Malformation::Encoding(_) }) if id == "ak-x"
        ));
        assert_eq!(decode("ak-x", &[]).unwrap_err().to_string(), "record ak-x is empty");
    }
}

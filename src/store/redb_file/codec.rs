//! Record encoding: one version byte, then postcard. The version byte lets a
//! later schema add fields while still reading old records, and lets this build
//! refuse (rather than misread) a record from the future.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{KeyHash, KeyId, KeyRecord};

const RECORD_V1: u8 = 1;

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

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("record {id} is empty")]
    Empty { id: String },
    #[error("record {id} has unknown format version {version}")]
    UnknownVersion { id: String, version: u8 },
    #[error("record {id} cannot be decoded: {reason}")]
    Malformed { id: String, reason: String },
}

pub fn encode(record: &KeyRecord) -> Vec<u8> {
    let stored = RecordV1 {
        name: record.name.clone(),
        hash: record.hash.0,
        masked: record.masked.clone(),
        created_at: record.created_at.unix_timestamp(),
        last_used: record.last_used.map(OffsetDateTime::unix_timestamp),
    };
    let mut bytes = vec![RECORD_V1];
    // Serialising plain strings and integers into a Vec cannot fail.
    bytes.extend(postcard::to_allocvec(&stored).expect("record serialisation is infallible"));
    bytes
}

pub fn decode(id: &str, bytes: &[u8]) -> Result<KeyRecord, DecodeError> {
    let (&version, body) = bytes
        .split_first()
        .ok_or_else(|| DecodeError::Empty { id: id.to_owned() })?;
    if version != RECORD_V1 {
        return Err(DecodeError::UnknownVersion {
            id: id.to_owned(),
            version,
        });
    }
    let malformed = |reason: String| DecodeError::Malformed {
        id: id.to_owned(),
        reason,
    };
    let stored: RecordV1 = postcard::from_bytes(body).map_err(|e| malformed(e.to_string()))?;
    let instant =
        |secs: i64| OffsetDateTime::from_unix_timestamp(secs).map_err(|e| malformed(format!("bad timestamp: {e}")));
    Ok(KeyRecord {
        id: KeyId::from_stored(id),
        name: stored.name,
        hash: KeyHash(stored.hash),
        masked: stored.masked,
        created_at: instant(stored.created_at)?,
        last_used: stored.last_used.map(instant).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> KeyRecord {
        KeyRecord {
            id: KeyId::generate(),
            name: "生产-gateway_01".into(),
            hash: KeyHash::of("sk-x"),
            masked: "sk-Ab3x****9fQz".into(),
            created_at: datetime!(2026-03-01 08:30:00 UTC),
            last_used: Some(datetime!(2026-03-02 09:00:00 UTC)),
        }
    }

    #[test]
    fn round_trips() {
        let record = sample();
        assert_eq!(decode(record.id.as_str(), &encode(&record)).unwrap(), record);
        let never_used = KeyRecord {
            last_used: None,
            ..sample()
        };
        assert_eq!(
            decode(never_used.id.as_str(), &encode(&never_used)).unwrap(),
            never_used
        );
    }

    #[test]
    fn encoding_is_compact() {
        // Database size target is ≤ 300 bytes per key, everything included.
        assert!(encode(&sample()).len() < 90, "{}", encode(&sample()).len());
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        let bytes = encode(&sample());
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

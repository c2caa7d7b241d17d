//! How domain values are kept in items. A document (an event, a programme version, a
//! registration, a notice, …) is its serde JSON text in one string attribute, [`DOC`], beside the
//! key; the few attributes a condition, filter or cheap read needs (status, revision,
//! `not_before`, …) are plain attributes next to it, written by the store that owns them.
//! Text that no longer parses is [`StoreError::Corrupt`].

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Item, Key, StoreError};

/// The attribute holding an item's document.
pub(crate) const DOC: &str = "doc";

/// `value` as JSON text, for [`DOC`] or any other attribute holding a serialised value.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Value, StoreError> {
    serde_json::to_string(value)
        .map(Value::String)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The value serialised as `text` by [`encode`].
pub(crate) fn decode<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// An item holding `doc` under `key`.
pub(crate) fn doc_item<T: Serialize>(key: Key, doc: &T) -> Result<Item, StoreError> {
    let mut item = key.item();
    item.insert(DOC.to_owned(), encode(doc)?);
    Ok(item)
}

/// The document of an item written by [`doc_item`].
pub(crate) fn doc_of<T: DeserializeOwned>(item: &Item) -> Result<T, StoreError> {
    let text = item
        .get(DOC)
        .and_then(Value::as_str)
        .ok_or_else(|| StoreError::Corrupt("an item has no document".to_owned()))?;
    decode(text)
}

/// A large document's attribute: its JSON text deflated (RFC 1951) and in base64, instead of
/// [`DOC`]. Items written before it hold [`DOC`] and still read.
pub(crate) const DOC_DEFLATED: &str = "docz";
/// On an item whose deflated document did not fit it: how many part items hold it, in order.
const PARTS: &str = "parts";
/// On the item and on each of its parts: which writing of the document they belong to, so a
/// read that mixes two writings (an eventually consistent one, just after a write) is caught.
const WRITING: &str = "writing";

/// Deflated text up to this many base64 characters stays in the item; more goes to parts of
/// this size. Under DynamoDB's 400 KB an item, with room for the attributes beside it.
pub(crate) const PART_CHARS: usize = 300_000;
/// At most this many parts (2.2 MB deflated): more than the largest programme takes even when
/// it does not compress (`MAX_PROGRAMME_BYTES`, 1.5 MB, is 7 parts at worst). A publication
/// writes two copies (the version and the latest) in one transaction, which DynamoDB caps at
/// 4 MB: prose deflates to about a third, so a real programme's two copies take well under 2 MB
/// (measured in BENCHMARKS.md, "Programme documents"); only a body of random text near the cap
/// would not fit, and no request can carry one (bodies stop at 64 KiB).
pub(crate) const MAX_PARTS: usize = 10;
/// Inflating stops here: a corrupt or hostile item cannot make a reader allocate without end.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;
/// zlib's default level: most of the ratio of the slowest level at a fraction of its time
/// (measured in BENCHMARKS.md, "Programme documents").
const LEVEL: u8 = 6;

/// A document as items: the one under the document's key (with the attributes a caller adds)
/// and, when it is too large for one, its parts.
#[derive(Debug)]
pub(crate) struct DocItems {
    pub main: Item,
    pub parts: Vec<Item>,
}

/// `doc` deflated under `key`, in as many items as it needs (see [`PART_CHARS`]).
pub(crate) fn deflated_doc_items<T: Serialize>(key: Key, doc: &T) -> Result<DocItems, StoreError> {
    use base64::Engine;
    let json = serde_json::to_vec(doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, LEVEL);
    let text = base64::engine::general_purpose::STANDARD.encode(deflated);
    let mut main = key.item();
    if text.len() <= PART_CHARS {
        main.insert(DOC_DEFLATED.to_owned(), Value::String(text));
        return Ok(DocItems {
            main,
            parts: Vec::new(),
        });
    }
    // base64 is ASCII: cutting at any byte is cutting at a character.
    let chunks: Vec<&str> = text
        .as_bytes()
        .chunks(PART_CHARS)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    if chunks.len() > MAX_PARTS {
        return Err(StoreError::Corrupt(format!(
            "a document of {} bytes deflated is over the {} a document may take",
            text.len() / 4 * 3,
            MAX_PARTS * PART_CHARS / 4 * 3
        )));
    }
    let writing = writing_of(&text);
    main.insert(PARTS.to_owned(), Value::from(chunks.len()));
    main.insert(WRITING.to_owned(), Value::String(writing.clone()));
    let parts = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut part = super::keys::document_part(&key, i).item();
            part.insert(DOC_DEFLATED.to_owned(), Value::String((*chunk).to_owned()));
            part.insert(WRITING.to_owned(), Value::String(writing.clone()));
            part
        })
        .collect();
    Ok(DocItems { main, parts })
}

/// Names one writing of a document: its deflated text's digest.
fn writing_of(text: &str) -> String {
    use sha2::{Digest, Sha256};
    crate::token::hex(&Sha256::digest(text.as_bytes())[..8])
}

/// Where an item's document is, as read from the item alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DocText {
    /// JSON text, as written before documents were deflated.
    Plain(String),
    /// Deflated, in base64.
    Deflated(String),
    /// In `count` parts of the writing `writing`, to be read next.
    Parts { count: usize, writing: String },
}

/// Takes the document out of `item` (leaving the attributes beside it).
pub(crate) fn take_doc_text(item: &mut Item) -> Result<DocText, StoreError> {
    if let Some(Value::String(text)) = item.remove(DOC) {
        return Ok(DocText::Plain(text));
    }
    if let Some(Value::String(text)) = item.remove(DOC_DEFLATED) {
        return Ok(DocText::Deflated(text));
    }
    let count = item.get(PARTS).and_then(Value::as_u64);
    let writing = item.get(WRITING).and_then(Value::as_str);
    match (count, writing) {
        (Some(n), Some(w)) if (1..=MAX_PARTS as u64).contains(&n) => Ok(DocText::Parts {
            count: n as usize,
            writing: w.to_owned(),
        }),
        _ => Err(StoreError::Corrupt("an item has no document".to_owned())),
    }
}

/// The deflated text of a document's parts, read in key order; `None` when they are not all of
/// `writing` (a read that overtook the write: read again, consistently).
pub(crate) fn joined_parts(parts: &[Item], count: usize, writing: &str) -> Option<String> {
    if parts.len() != count {
        return None;
    }
    let mut text = String::new();
    for p in parts {
        if p.get(WRITING).and_then(Value::as_str) != Some(writing) {
            return None;
        }
        text.push_str(p.get(DOC_DEFLATED)?.as_str()?);
    }
    Some(text)
}

/// The JSON text of a deflated document.
pub(crate) fn inflate(text: &str) -> Result<String, StoreError> {
    use base64::Engine;
    let corrupt = |what: &str| StoreError::Corrupt(format!("a deflated document {what}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| corrupt("is not base64"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_DOCUMENT_BYTES)
        .map_err(|_| corrupt("does not inflate"))?;
    String::from_utf8(json).map_err(|_| corrupt("is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn big(n: usize) -> Value {
        // Text that deflates like prose, not like one repeated word.
        let mut x: u64 = 7;
        let words: Vec<String> = (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{:x}", x >> 50)
            })
            .collect();
        json!({"text": words.join(" ")})
    }

    #[test]
    fn a_small_document_stays_in_its_item_deflated_and_reads_back() {
        let doc = json!({"sessions": [{"id": "opening", "title": "Opening"}]});
        let items = deflated_doc_items(Key::new("EVENT#e", "DRAFT"), &doc).unwrap();
        assert!(items.parts.is_empty());
        let mut main = items.main;
        let DocText::Deflated(text) = take_doc_text(&mut main).unwrap() else {
            panic!("deflated in the item");
        };
        assert_eq!(decode::<Value>(&inflate(&text).unwrap()).unwrap(), doc);
    }

    #[test]
    fn a_large_document_goes_into_parts_of_one_writing_that_join_back() {
        let doc = big(200_000);
        let items = deflated_doc_items(Key::new("EVENT#e", "DRAFT"), &doc).unwrap();
        assert!(items.parts.len() > 1, "{} parts", items.parts.len());
        let mut main = items.main;
        let DocText::Parts { count, writing } = take_doc_text(&mut main).unwrap() else {
            panic!("in parts");
        };
        let text = joined_parts(&items.parts, count, &writing).unwrap();
        assert_eq!(decode::<Value>(&inflate(&text).unwrap()).unwrap(), doc);
        // A part of another writing, or a missing part, is caught.
        let mut mixed = items.parts.clone();
        mixed[0].insert(WRITING.to_owned(), json!("another"));
        assert!(joined_parts(&mixed, count, &writing).is_none());
        assert!(joined_parts(&items.parts[1..], count, &writing).is_none());
    }

    #[test]
    fn an_item_written_before_deflation_still_reads() {
        let mut item = doc_item(Key::new("EVENT#e", "DRAFT"), &json!({"a": 1})).unwrap();
        assert_eq!(
            take_doc_text(&mut item).unwrap(),
            DocText::Plain(r#"{"a":1}"#.to_owned())
        );
    }
}

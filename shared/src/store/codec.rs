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

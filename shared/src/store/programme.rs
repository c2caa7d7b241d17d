//! The programme: drafts, immutable versions and the latest-version copy that public reads use.

use async_trait::async_trait;
use serde_json::Value;

use sha2::{Digest, Sha256};

use super::codec::{
    DocItems, DocText, decode, deflated_doc_items, doc_of, encode, inflate, joined_parts,
    take_doc_text,
};
use super::{Cond, Item, Key, StoreError, TableError, TableStore, Write, keys};
use crate::domain::{Event, EventId, Programme, Publication};

/// A version as listed by `…/programme/versions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSummary {
    pub version: u32,
    pub published_at: jiff::Timestamp,
    pub summary: String,
}

/// The latest version with the event it belongs to, as one item: a programme GET is one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub event: Event,
    pub publication: Publication,
}

/// The latest version as read, before its document is parsed: the version and the event are at
/// hand, so a reader can answer 304 or serve a rendering it already holds without parsing a
/// document that may be hundreds of kilobytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestDocument {
    pub event: Event,
    pub version: u32,
    /// Changes when the version or anything about the event changes; ETags and caches key on it.
    pub stamp: String,
    document: Document,
}

/// A document as read, not yet parsed (nor inflated: a 304 needs neither).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Document {
    Plain(String),
    Deflated(String),
}

impl Document {
    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, StoreError> {
        match self {
            Self::Plain(text) => decode(text),
            Self::Deflated(text) => decode(&inflate(text)?),
        }
    }
}

impl LatestDocument {
    pub fn parse(&self) -> Result<Publication, StoreError> {
        self.document.parse()
    }

    pub fn into_published(self) -> Result<Published, StoreError> {
        let publication = self.parse()?;
        Ok(Published {
            event: self.event,
            publication,
        })
    }
}

#[async_trait]
pub trait ProgrammeReader: Send + Sync {
    /// The latest published version with its event, its document unparsed, as the public reads
    /// it: one eventually consistent read (half the read units of a consistent one; a second
    /// stale at most, where Cache-Control already allows a minute), and one more for a document
    /// too large for its item.
    async fn latest_document(&self, event: &EventId) -> Result<Option<LatestDocument>, StoreError>;
    /// The latest published version with its event, read consistently (what publishing
    /// follows on from).
    async fn latest(&self, event: &EventId) -> Result<Option<Published>, StoreError>;
    async fn version(&self, event: &EventId, n: u32) -> Result<Option<Publication>, StoreError>;
    async fn versions(&self, event: &EventId) -> Result<Vec<VersionSummary>, StoreError>;
    /// The latest published version's number (None before the first): one item read.
    async fn published_version(&self, event: &EventId) -> Result<Option<u32>, StoreError>;
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PublishError {
    /// Another publication of the same version won the race.
    #[error("version {0} was published by someone else at the same time")]
    Raced(u32),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait ProgrammeWriter: Send + Sync {
    async fn draft(&self, event: &EventId) -> Result<Option<Programme>, StoreError>;
    async fn put_draft(&self, event: &EventId, draft: &Programme) -> Result<(), StoreError>;
    /// Stores `publication` as the next version, atomically with the latest-version copy; fails
    /// with `Raced` when the latest version is no longer `publication.version - 1`.
    async fn publish(&self, event: &Event, publication: &Publication) -> Result<(), PublishError>;
}

const VERSION: &str = "version";
const SUMMARY: &str = "summary";
const PUBLISHED_AT: &str = "published_at";
/// The event as it is now, kept beside the latest version.
const EVENT: &str = "event";

/// Brings the event copy beside the latest version up to date, when there is a latest version.
pub(crate) fn refresh_event_copy(event: &Event) -> Result<Write, StoreError> {
    Ok(Write::update(keys::latest(&event.id))
        .set(EVENT, encode(event)?)
        .when(Cond::Exists))
}

/// A version-list item as listed, read from the attributes kept beside the document.
fn version_summary(item: &Item) -> Result<VersionSummary, StoreError> {
    let version = item.get(VERSION).and_then(Value::as_u64);
    let at = item
        .get(PUBLISHED_AT)
        .and_then(Value::as_i64)
        .and_then(|s| jiff::Timestamp::from_second(s).ok());
    let summary = item.get(SUMMARY).and_then(Value::as_str);
    Ok(match (version, at, summary) {
        (Some(v), Some(at), Some(s)) => VersionSummary {
            version: v as u32,
            published_at: at,
            summary: s.to_owned(),
        },
        // Written before summaries were kept beside the document.
        _ => {
            let p: Publication = doc_of(item)?;
            VersionSummary {
                version: p.version,
                published_at: p.published_at,
                summary: p.summary,
            }
        }
    })
}

#[async_trait]
impl ProgrammeReader for TableStore {
    async fn latest_document(&self, event: &EventId) -> Result<Option<LatestDocument>, StoreError> {
        self.read_latest(event, Consistency::Eventual).await
    }

    async fn latest(&self, event: &EventId) -> Result<Option<Published>, StoreError> {
        self.read_latest(event, Consistency::Strong)
            .await?
            .map(LatestDocument::into_published)
            .transpose()
    }

    async fn version(&self, event: &EventId, n: u32) -> Result<Option<Publication>, StoreError> {
        self.read_document(&keys::version(event, n)).await
    }

    async fn versions(&self, event: &EventId) -> Result<Vec<VersionSummary>, StoreError> {
        let items = self.table.query_all(&keys::versions(event)).await?;
        items.iter().map(version_summary).collect()
    }

    async fn published_version(&self, event: &EventId) -> Result<Option<u32>, StoreError> {
        let mut q = keys::versions(event);
        q.descending = true;
        q.limit = Some(1);
        let page = self.table.query(&q).await?;
        page.items
            .first()
            .map(|item| version_summary(item).map(|v| v.version))
            .transpose()
    }
}

#[async_trait]
impl ProgrammeWriter for TableStore {
    async fn draft(&self, event: &EventId) -> Result<Option<Programme>, StoreError> {
        self.read_document(&keys::draft(event)).await
    }

    async fn put_draft(&self, event: &EventId, draft: &Programme) -> Result<(), StoreError> {
        let items = deflated_doc_items(keys::draft(event), draft)?;
        let mut writes: Vec<Write> = items.parts.into_iter().map(Write::put).collect();
        writes.push(Write::put(items.main));
        if writes.len() == 1 {
            self.table.write(writes.remove(0)).await?;
        } else {
            self.table.transact(writes).await?;
        }
        Ok(())
    }

    async fn publish(&self, event: &Event, publication: &Publication) -> Result<(), PublishError> {
        let n = publication.version;
        let snapshot = encode(event)?;
        let published_event = event;
        let event = &event.id;
        let DocItems {
            main: mut version,
            parts: version_parts,
        } = deflated_doc_items(keys::version(event, n), publication)?;
        version.insert(VERSION.to_owned(), Value::from(n));
        // The version list reads these, not the whole document.
        version.insert(SUMMARY.to_owned(), Value::from(publication.summary.clone()));
        version.insert(
            PUBLISHED_AT.to_owned(),
            Value::from(publication.published_at.as_second()),
        );
        let DocItems {
            main: mut latest,
            parts: latest_parts,
        } = deflated_doc_items(keys::latest(event), publication)?;
        latest.insert(VERSION.to_owned(), Value::from(n));
        latest.insert(EVENT.to_owned(), snapshot);
        let latest_cond = if n == 1 {
            Cond::NotExists
        } else {
            Cond::eq(VERSION, n - 1)
        };
        // Registrants who want change notices get one digest; the job waits until
        // publications settle (see notifications), so this marks the latest one.
        let pending_digest = Write::update(keys::digest(event))
            .set("version", n)
            .set("published_at", publication.published_at.as_second());
        // The conditioned writes first (a refusal's index tells the race); then the parts,
        // unconditioned: a refused transaction writes none of them, and a reader never takes a
        // part of another writing for its own (see `codec`).
        let mut writes = vec![
            Write::put_new(version),
            Write::put(latest).when(latest_cond),
            pending_digest,
        ];
        writes.extend(
            version_parts
                .into_iter()
                .chain(latest_parts)
                .map(Write::put),
        );
        match self.table.transact(writes).await {
            Ok(()) => {}
            Err(TableError::ConditionFailed { .. }) => return Err(PublishError::Raced(n)),
            Err(e) => return Err(PublishError::Store(e.into())),
        }
        // The copy above is the event as read before publishing. An edit in between (turning
        // it into a draft, say) refreshed the previous version's copy, not this one: take the
        // copy again from the event as stored now, or the public would see the older event.
        match super::EventReader::event(self, event).await? {
            Some(now) if &now != published_event => {
                let refresh = refresh_event_copy(&now)?;
                self.table.write(refresh).await.map_err(StoreError::from)?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Consistency {
    Strong,
    Eventual,
}

impl TableStore {
    async fn read_latest(
        &self,
        event: &EventId,
        consistency: Consistency,
    ) -> Result<Option<LatestDocument>, StoreError> {
        let key = keys::latest(event);
        let item = match consistency {
            Consistency::Strong => self.table.get(&key).await?,
            Consistency::Eventual => self.table.get_eventually(&key).await?,
        };
        let Some(mut item) = item else {
            return Ok(None);
        };
        let document = match self.document(&key, &mut item, consistency).await? {
            Some(d) => d,
            // Parts of another writing than the item read: the write is a moment old and the
            // eventual read overtook it. Read both again, consistently.
            None => return Box::pin(self.read_latest(event, Consistency::Strong)).await,
        };
        let corrupt = |what: &str| StoreError::Corrupt(format!("the latest version lacks {what}"));
        let version = item
            .get(VERSION)
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| corrupt("its version"))?;
        let snapshot = item
            .get(EVENT)
            .and_then(Value::as_str)
            .ok_or_else(|| corrupt("its event"))?;
        let event = decode(snapshot)?;
        // The event is edited without a new version; its digest keeps stale renderings out.
        let digest = Sha256::digest(snapshot.as_bytes());
        let stamp = format!("v{version}-e{}", crate::token::hex(&digest[..6]));
        Ok(Some(LatestDocument {
            event,
            version,
            stamp,
            document,
        }))
    }

    /// The document of the item at `key`, read consistently and parsed.
    async fn read_document<T: serde::de::DeserializeOwned>(
        &self,
        key: &Key,
    ) -> Result<Option<T>, StoreError> {
        let Some(mut item) = self.table.get(key).await? else {
            return Ok(None);
        };
        let doc = self.document(key, &mut item, Consistency::Strong).await?;
        doc.map(|d| d.parse()).transpose()
    }

    /// The document of `item` (read at `key`), taken out of it: in the item itself, or in its
    /// parts (one query more). `None` when the parts are of another writing, which only an
    /// eventually consistent read can meet; a consistent one calls that corrupt.
    async fn document(
        &self,
        key: &Key,
        item: &mut Item,
        consistency: Consistency,
    ) -> Result<Option<Document>, StoreError> {
        match take_doc_text(item)? {
            DocText::Plain(text) => Ok(Some(Document::Plain(text))),
            DocText::Deflated(text) => Ok(Some(Document::Deflated(text))),
            DocText::Parts { count, writing } => {
                let mut q = keys::document_parts(key, count);
                q.eventually = consistency == Consistency::Eventual;
                let parts = self.table.query_all(&q).await?;
                match joined_parts(&parts, count, &writing) {
                    Some(text) => Ok(Some(Document::Deflated(text))),
                    None if consistency == Consistency::Eventual => Ok(None),
                    None => Err(StoreError::Corrupt(format!(
                        "the parts of {} {} are missing or of another writing",
                        key.pk, key.sk
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::domain::Visibility;
    use crate::store::{EventWriter, MemoryTable};

    fn event() -> Event {
        Event::parse(
            EventId::parse("ws").unwrap(),
            &json!({"title": "W", "timezone": "Europe/Zurich",
                    "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-08T16:00:00+02:00"}),
        )
        .unwrap()
    }

    fn programme(title: &str) -> Programme {
        let body = json!({"sessions": [{"id": "opening", "title": title, "kind": "opening",
            "starts_at": "2021-09-08T14:00:00+02:00", "ends_at": "2021-09-08T14:30:00+02:00"}]});
        Programme::parse(&event(), &body).unwrap()
    }

    #[tokio::test]
    async fn a_publication_from_an_event_read_before_it_became_a_draft_keeps_the_draft_beside_it() {
        let store = TableStore::new(Arc::new(MemoryTable::new()));
        let now: jiff::Timestamp = "2021-08-23T08:00:00Z".parse().unwrap();
        let public = event();
        store.put_event(&public, now).await.unwrap();
        let v1 = Publication::next(None, programme("Opening"), now).unwrap();
        store.publish(&public, &v1).await.unwrap();
        // The organiser turns the event into a draft while a publication that read the event
        // before is under way.
        let draft = Event {
            visibility: Visibility::Draft,
            ..public.clone()
        };
        store.put_event(&draft, now).await.unwrap();
        let v2 = Publication::next(Some(&v1), programme("Welcome"), now).unwrap();
        store.publish(&public, &v2).await.unwrap();
        let latest = store.latest_document(&public.id).await.unwrap().unwrap();
        assert_eq!(latest.version, 2);
        assert_eq!(latest.event, draft);
    }
}

//! Organisers as people: the directory (organisers and each event's team) and their credentials
//! (sign-in links, sessions, personal tokens). Secrets are kept only as hashes.

use async_trait::async_trait;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::codec::{doc_item, doc_of};
use super::{Cond, Saved, StoreError, TTL, TableError, TableStore, Write, email_hash, keys};
use crate::domain::{Email, EventId, Member, Organiser, Role, Via};
use crate::token::TokenHash;

/// Who may sign in, and who is on which team.
#[async_trait]
pub trait Directory: Send + Sync {
    async fn organiser(&self, email: &Email) -> Result<Option<Organiser>, StoreError>;
    async fn organisers(&self) -> Result<Vec<Organiser>, StoreError>;
    /// Creates or replaces the person (the caller keeps `created_at` and `generation` of an
    /// existing one).
    async fn put_organiser(&self, organiser: &Organiser) -> Result<Saved, StoreError>;
    /// Removes the person, their place on every team and their personal tokens; sessions die
    /// with the person (they name a generation no longer stored). False when unknown.
    async fn remove_organiser(&self, email: &Email) -> Result<bool, StoreError>;

    async fn member(&self, event: &EventId, email: &Email) -> Result<Option<Member>, StoreError>;
    async fn team(&self, event: &EventId) -> Result<Vec<Member>, StoreError>;
    /// The events a person is on the team of, with their role, in event-id order.
    async fn memberships(&self, email: &Email) -> Result<Vec<(EventId, Role)>, StoreError>;
    /// Adds or changes a member; `new_organiser` is written with it when the address was not
    /// yet an organiser.
    async fn put_member(
        &self,
        event: &EventId,
        member: &Member,
        new_organiser: Option<&Organiser>,
    ) -> Result<Saved, StoreError>;
    /// False when they were not a member.
    async fn remove_member(&self, event: &EventId, email: &Email) -> Result<bool, StoreError>;
}

/// What a session or personal token stands for. The role is never part of it: it is read
/// from the team on every request, so a change takes effect at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credential {
    pub via: Via,
    pub owner: Email,
    /// The owner's [`Organiser::generation`] when it was issued.
    pub generation: String,
    pub expires_at: Timestamp,
    pub read_only: bool,
    /// The personal token's id (None for a session).
    pub token_id: Option<String>,
}

/// A personal token as its owner sees it listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub read_only: bool,
    pub last_used_at: Option<Timestamp>,
    /// The hash of the secret, to revoke it; never shown.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub(crate) hash: Option<String>,
}

/// What redeeming a sign-in link found.
#[derive(Debug, Clone, PartialEq)]
pub enum Redeemed {
    /// Good once: the address it was sent to.
    Valid(Email),
    Unknown,
    /// Already used, or older than its lifetime.
    Spent,
}

const LAST_USED: &str = "last_used";
const USED: &str = "used";
const EMAIL: &str = "email";

#[async_trait]
pub trait Credentials: Send + Sync {
    async fn put_sign_in_link(
        &self,
        hash: &TokenHash,
        email: &Email,
        expires_at: Timestamp,
    ) -> Result<(), StoreError>;
    /// Marks the link used, once; a second redemption or a late one is [`Redeemed::Spent`].
    async fn redeem_sign_in_link(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Redeemed, StoreError>;

    /// A live credential (expired ones read as None), with when a token was last used.
    async fn credential(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<(Credential, Option<Timestamp>)>, StoreError>;
    async fn put_session(&self, hash: &TokenHash, session: &Credential) -> Result<(), StoreError>;
    /// Ends a session or revokes a token by its secret's hash.
    async fn delete_credential(&self, hash: &TokenHash) -> Result<(), StoreError>;

    async fn put_token(
        &self,
        hash: &TokenHash,
        token: &Credential,
        name: &str,
        created_at: Timestamp,
    ) -> Result<(), StoreError>;
    async fn tokens(&self, owner: &Email) -> Result<Vec<TokenInfo>, StoreError>;
    /// False when the owner has no token of that id.
    async fn revoke_token(&self, owner: &Email, token_id: &str) -> Result<bool, StoreError>;
    /// Records a use, at most once per `every_secs` (a busy script does not write on every
    /// call): the write is conditional on the last recorded use being older.
    async fn touch(
        &self,
        hash: &TokenHash,
        now: Timestamp,
        every_secs: i64,
    ) -> Result<(), StoreError>;
}

fn member_item(event: &EventId, m: &Member) -> Result<super::Item, StoreError> {
    doc_item(keys::member(event, &email_hash(&m.email)), m)
}

fn membership_item(event: &EventId, m: &Member) -> super::Item {
    let mut item = keys::membership(&email_hash(&m.email), event).item();
    item.insert("event_id".into(), Value::String(event.to_string()));
    item.insert("role".into(), Value::String(m.role.code().to_owned()));
    item
}

fn organiser_item(o: &Organiser) -> Result<super::Item, StoreError> {
    doc_item(keys::organiser(&email_hash(&o.email)), o)
}

fn saved(existed: bool) -> Saved {
    if existed {
        Saved::Replaced
    } else {
        Saved::Created
    }
}

#[async_trait]
impl Directory for TableStore {
    async fn organiser(&self, email: &Email) -> Result<Option<Organiser>, StoreError> {
        match self.table.get(&keys::organiser(&email_hash(email))).await? {
            None => Ok(None),
            Some(item) => doc_of(&item).map(Some),
        }
    }

    async fn organisers(&self) -> Result<Vec<Organiser>, StoreError> {
        let items = self.table.query_all(&keys::organisers()).await?;
        let mut all: Vec<Organiser> = items.iter().map(doc_of).collect::<Result<_, _>>()?;
        all.sort_by_key(|o| o.email.normalised());
        Ok(all)
    }

    async fn put_organiser(&self, organiser: &Organiser) -> Result<Saved, StoreError> {
        let key = keys::organiser(&email_hash(&organiser.email));
        let existed = self.table.get(&key).await?.is_some();
        self.table
            .write(Write::put(organiser_item(organiser)?))
            .await?;
        Ok(saved(existed))
    }

    async fn remove_organiser(&self, email: &Email) -> Result<bool, StoreError> {
        let h = email_hash(email);
        let key = keys::organiser(&h);
        if self.table.get(&key).await?.is_none() {
            return Ok(false);
        }
        // The person goes first: from then on every credential of theirs is refused, whatever
        // is left to tidy below.
        self.table.write(Write::Delete { key, cond: None }).await?;
        for item in self.table.query_all(&keys::memberships(&h)).await? {
            if let Some(event) = item
                .get("event_id")
                .and_then(Value::as_str)
                .and_then(|e| EventId::parse(e).ok())
            {
                self.remove_member(&event, email).await?;
            }
        }
        for info in self.tokens(email).await? {
            self.revoke_token(email, &info.id).await?;
        }
        Ok(true)
    }

    async fn member(&self, event: &EventId, email: &Email) -> Result<Option<Member>, StoreError> {
        match self
            .table
            .get(&keys::member(event, &email_hash(email)))
            .await?
        {
            None => Ok(None),
            Some(item) => doc_of(&item).map(Some),
        }
    }

    async fn team(&self, event: &EventId) -> Result<Vec<Member>, StoreError> {
        let items = self.table.query_all(&keys::team(event)).await?;
        let mut team: Vec<Member> = items.iter().map(doc_of).collect::<Result<_, _>>()?;
        team.sort_by_key(|m| m.added_at);
        Ok(team)
    }

    async fn memberships(&self, email: &Email) -> Result<Vec<(EventId, Role)>, StoreError> {
        let items = self
            .table
            .query_all(&keys::memberships(&email_hash(email)))
            .await?;
        items
            .iter()
            .map(|item| {
                let field = |name: &str| item.get(name).and_then(Value::as_str);
                let event = field("event_id").and_then(|e| EventId::parse(e).ok());
                let role = field("role").and_then(|r| Role::parse(r).ok());
                event
                    .zip(role)
                    .ok_or_else(|| StoreError::Corrupt("a membership item is unreadable".into()))
            })
            .collect()
    }

    async fn put_member(
        &self,
        event: &EventId,
        member: &Member,
        new_organiser: Option<&Organiser>,
    ) -> Result<Saved, StoreError> {
        let existed = self.member(event, &member.email).await?.is_some();
        let mut writes = vec![
            Write::put(member_item(event, member)?),
            Write::put(membership_item(event, member)),
        ];
        if let Some(o) = new_organiser {
            // Someone else may have added the person meanwhile: then theirs stands.
            writes.push(Write::put(organiser_item(o)?).when(Cond::NotExists));
        }
        self.table.transact(writes).await?;
        Ok(saved(existed))
    }

    async fn remove_member(&self, event: &EventId, email: &Email) -> Result<bool, StoreError> {
        let h = email_hash(email);
        let key = keys::member(event, &h);
        let writes = vec![
            Write::Delete {
                key,
                cond: Some(Cond::Exists),
            },
            Write::Delete {
                key: keys::membership(&h, event),
                cond: None,
            },
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

fn credential_item(hash: &TokenHash, c: &Credential) -> Result<super::Item, StoreError> {
    let mut item = doc_item(keys::credential(hash), c)?;
    item.insert(TTL.into(), Value::from(c.expires_at.as_second()));
    Ok(item)
}

#[async_trait]
impl Credentials for TableStore {
    async fn put_sign_in_link(
        &self,
        hash: &TokenHash,
        email: &Email,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut item = keys::sign_in_link(hash).item();
        item.insert(EMAIL.into(), Value::String(email.as_str().to_owned()));
        item.insert(TTL.into(), Value::from(expires_at.as_second()));
        self.table.write(Write::put_new(item)).await?;
        Ok(())
    }

    async fn redeem_sign_in_link(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Redeemed, StoreError> {
        let key = keys::sign_in_link(hash);
        let Some(item) = self.table.get(&key).await? else {
            return Ok(Redeemed::Unknown);
        };
        let expired = item
            .get(TTL)
            .and_then(Value::as_i64)
            .is_none_or(|t| t <= now.as_second());
        if expired || item.contains_key(USED) {
            return Ok(Redeemed::Spent);
        }
        let email = item
            .get(EMAIL)
            .and_then(Value::as_str)
            .and_then(|e| Email::parse(e).ok())
            .ok_or_else(|| StoreError::Corrupt("a sign-in link has no address".into()))?;
        // Once: of two concurrent redemptions, one finds it used.
        let mark = Write::update(key)
            .set(USED, now.as_second())
            .when(Cond::Absent(USED.into()));
        match self.table.write(mark).await {
            Ok(()) => Ok(Redeemed::Valid(email)),
            Err(TableError::ConditionFailed { .. }) => Ok(Redeemed::Spent),
            Err(e) => Err(e.into()),
        }
    }

    async fn credential(
        &self,
        hash: &TokenHash,
        now: Timestamp,
    ) -> Result<Option<(Credential, Option<Timestamp>)>, StoreError> {
        let Some(item) = self.table.get(&keys::credential(hash)).await? else {
            return Ok(None);
        };
        let c: Credential = doc_of(&item)?;
        if c.expires_at <= now {
            return Ok(None);
        }
        let last = item
            .get(LAST_USED)
            .and_then(Value::as_i64)
            .and_then(|s| Timestamp::from_second(s).ok());
        Ok(Some((c, last)))
    }

    async fn put_session(&self, hash: &TokenHash, session: &Credential) -> Result<(), StoreError> {
        self.table
            .write(Write::put_new(credential_item(hash, session)?))
            .await?;
        Ok(())
    }

    async fn delete_credential(&self, hash: &TokenHash) -> Result<(), StoreError> {
        let key = keys::credential(hash);
        // A personal token is listed too: revoke it by its owner and id, so both go together.
        if let Some(item) = self.table.get(&key).await? {
            let c: Credential = doc_of(&item)?;
            if let Some(id) = &c.token_id {
                self.revoke_token(&c.owner, id).await?;
                return Ok(());
            }
        }
        self.table.write(Write::Delete { key, cond: None }).await?;
        Ok(())
    }

    async fn put_token(
        &self,
        hash: &TokenHash,
        token: &Credential,
        name: &str,
        created_at: Timestamp,
    ) -> Result<(), StoreError> {
        let id = token
            .token_id
            .clone()
            .ok_or_else(|| StoreError::Corrupt("a personal token needs an id".into()))?;
        let info = TokenInfo {
            id: id.clone(),
            name: name.to_owned(),
            created_at,
            expires_at: token.expires_at,
            read_only: token.read_only,
            last_used_at: None,
            hash: Some(hash.as_str().to_owned()),
        };
        let mut listing = doc_item(keys::token_listing(&email_hash(&token.owner), &id), &info)?;
        listing.insert(TTL.into(), Value::from(token.expires_at.as_second()));
        self.table
            .transact(vec![
                Write::put_new(credential_item(hash, token)?),
                Write::put_new(listing),
            ])
            .await?;
        Ok(())
    }

    async fn tokens(&self, owner: &Email) -> Result<Vec<TokenInfo>, StoreError> {
        let items = self
            .table
            .query_all(&keys::token_listings(&email_hash(owner)))
            .await?;
        let mut tokens = Vec::with_capacity(items.len());
        for item in &items {
            let mut info: TokenInfo = doc_of(item)?;
            // The last use is recorded on the credential, which every request reads anyway.
            if let Some(h) = info.hash.as_deref().and_then(TokenHash::parse)
                && let Some(c) = self.table.get(&keys::credential(&h)).await?
            {
                info.last_used_at = c
                    .get(LAST_USED)
                    .and_then(Value::as_i64)
                    .and_then(|s| Timestamp::from_second(s).ok());
            }
            tokens.push(info);
        }
        tokens.sort_by_key(|t| std::cmp::Reverse(t.created_at));
        Ok(tokens)
    }

    async fn revoke_token(&self, owner: &Email, token_id: &str) -> Result<bool, StoreError> {
        let key = keys::token_listing(&email_hash(owner), token_id);
        let Some(item) = self.table.get(&key).await? else {
            return Ok(false);
        };
        let info: TokenInfo = doc_of(&item)?;
        let mut writes = vec![Write::Delete { key, cond: None }];
        if let Some(h) = info.hash.as_deref().and_then(TokenHash::parse) {
            writes.push(Write::Delete {
                key: keys::credential(&h),
                cond: None,
            });
        }
        self.table.transact(writes).await?;
        Ok(true)
    }

    async fn touch(
        &self,
        hash: &TokenHash,
        now: Timestamp,
        every_secs: i64,
    ) -> Result<(), StoreError> {
        let w = Write::update(keys::credential(hash))
            .set(LAST_USED, now.as_second())
            .when(Cond::And(vec![
                Cond::Exists,
                Cond::Or(vec![
                    Cond::Absent(LAST_USED.into()),
                    Cond::Lt(LAST_USED.into(), now.as_second() - every_secs + 1),
                ]),
            ]));
        match self.table.write(w).await {
            Ok(()) | Err(TableError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

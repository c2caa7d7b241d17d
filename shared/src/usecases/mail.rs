//! Mail: who receives each message that goes to many, and the tokens its links need. The
//! notifications job composes and sends; these decide.

use jiff::Timestamp;

use crate::domain::Audience;
use crate::domain::{Registration, Status};
use crate::store::{Change, CommitError, RegistrationStore, StoreError};
use crate::token::{JoinKey, Token, TokenSource};

/// The recipients of a message that goes to many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// A reminder due at `at`: confirmed by then, and wanting reminders.
    Reminder { at: Timestamp },
    /// A programme-change digest of the version published at `published_at`: everyone still in
    /// the event who wants change notices and registered before that publication (someone who
    /// registered after it saw the new version itself, so nothing changed for them).
    Digest { published_at: Timestamp },
    /// An announcement to its audience.
    Announcement(Audience),
}

impl Recipients {
    /// Whether `r` gets the message ([`Registration::takes_optional_mail`] too).
    pub fn reach(self, r: &Registration) -> bool {
        if let Self::Announcement(audience) = self {
            return audience.reaches(r);
        }
        let wanted = match self {
            Self::Reminder { at } => {
                r.status == Status::Confirmed
                    && r.notifications.reminders
                    && r.confirmed_at.is_some_and(|c| c <= at)
            }
            Self::Digest { published_at } => {
                matches!(
                    r.status,
                    Status::Confirmed | Status::Waitlisted | Status::PendingApproval
                ) && r.notifications.programme_changes
                    && r.created_at < published_at
            }
            Self::Announcement(_) => false,
        };
        wanted && r.takes_optional_mail()
    }
}

/// The version a digest reaching `r` tells the changes since: the last one they could have seen,
/// the newest of `published` (each version with its publication time, oldest first) out by the
/// time they registered, but never before `digested` (the last digest, which told them the rest).
/// A digest covering several publications thus shows a late registrant only what changed after
/// they registered, never a version whose predecessor they did not see.
pub fn digest_since(r: &Registration, digested: u32, published: &[(u32, Timestamp)]) -> u32 {
    published
        .iter()
        .filter(|(_, at)| *at <= r.created_at)
        .map(|(v, _)| *v)
        .fold(digested, u32::max)
}

/// Grants `r` a new bearer token for the manage link an email carries. Tokens are stored only as
/// hashes, so each email's link needs one of its own, granted before the email goes.
pub async fn grant_manage_token(
    store: &dyn RegistrationStore,
    tokens: &dyn TokenSource,
    r: &Registration,
) -> Result<Token, StoreError> {
    let token = tokens.new_token();
    let mut ch = Change::new();
    ch.grant_token(&token.hash(), r);
    commit_grant(store, ch).await?;
    Ok(token)
}

/// The manage token and the one-click unsubscribe token that optional mail carries, granted
/// together.
pub async fn grant_optional_mail_links(
    store: &dyn RegistrationStore,
    tokens: &dyn TokenSource,
    join_key: &JoinKey,
    r: &Registration,
) -> Result<(Token, Token), StoreError> {
    let manage = tokens.new_token();
    let unsubscribe = join_key.unsubscribe_token(r.token_keys, &r.id);
    let mut ch = Change::new();
    ch.grant_token(&manage.hash(), r)
        .grant_unsubscribe(&unsubscribe.hash(), r);
    commit_grant(store, ch).await?;
    Ok((manage, unsubscribe))
}

/// A grant writes only new items, so a conflict means the table is not as written.
async fn commit_grant(store: &dyn RegistrationStore, ch: Change) -> Result<(), StoreError> {
    store.commit(ch).await.map_err(|e| match e {
        CommitError::Store(s) => s,
        CommitError::Conflict(c) => StoreError::Corrupt(c.to_string()),
    })
}

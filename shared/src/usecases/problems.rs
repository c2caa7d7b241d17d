//! Every use-case error as HTTP, in one place: a handler ends in `?` and the answer is the same
//! whichever function gives it.

use http::{StatusCode, header};

use crate::http::Problem;

use super::clients::ClientLimitError;
use super::organiser::access::AccessError;
use super::organiser::events::{PublishFailure, SaveEventError};
use super::organiser::people::{PeopleError, SessionError};
use super::organiser::signin::SignInError;
use super::organiser::uploads::UploadError;
use super::registrant::{
    AuthError, CalendarFeedError, ConfirmError, FollowError, JoinError, MAIL_BACKLOG_RETRY_AFTER,
    RegisterError, UnsubscribeError,
};
use super::registrar::ChangeError;
use crate::domain::{Participation, PublishRefusal};
use crate::mail::templates::TemplateError;
use crate::store::{PublishError, StoreError};

/// The one mapping of storage faults to HTTP: transient faults are 503 with Retry-After,
/// everything else an opaque 500 (the cause goes to the log only).
impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Table(t) if t.is_transient() => Problem::unavailable(&e),
            _ => Problem::internal(&e),
        }
    }
}

/// A message that cannot be rendered (an announcement's preview) is the templates' fault, never
/// the organiser's: an opaque 500, the cause in the log only.
impl From<TemplateError> for Problem {
    fn from(e: TemplateError) -> Self {
        Problem::internal(&e)
    }
}

/// Contention that outlasted every retry: not the client's fault, and retrying is the remedy.
fn busy() -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "Too many changes at once",
    )
    .detail("concurrent requests kept changing the same data; try again")
    .header(header::RETRY_AFTER, "1")
}

fn event_full() -> Problem {
    Problem::conflict(
        "event-full",
        "The event is full",
        "no seat is free and the event has no waiting list",
    )
}

/// A form that cannot be signed is the deployment's fault (its role has no credentials), not
/// the organiser's: 503, with the cause in the log only.
impl From<UploadError> for Problem {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::Store(s) => s.into(),
            UploadError::Files(f) => Problem::unavailable(&f),
        }
    }
}

impl From<ClientLimitError> for Problem {
    fn from(e: ClientLimitError) -> Self {
        match e {
            ClientLimitError::TooManyRequests {
                per_minute,
                retry_after,
            } => Problem::too_many_requests(retry_after).detail(format!(
                "this route takes at most {per_minute} requests a minute from one address; \
                 try again in {retry_after} seconds"
            )),
            ClientLimitError::TooManyFailedBearers {
                per_hour,
                retry_after,
            } => Problem::too_many_requests(retry_after).detail(format!(
                "{per_hour} refused bearer tokens came from this address this hour; \
                 try again in {retry_after} seconds"
            )),
            ClientLimitError::Store(s) => s.into(),
        }
    }
}

impl From<RegisterError> for Problem {
    fn from(e: RegisterError) -> Self {
        match e {
            RegisterError::NoEvent => Problem::not_found("the event"),
            RegisterError::Closed => Problem::conflict(
                "registration-closed",
                "Registration is closed",
                "this event does not take registrations now",
            ),
            RegisterError::Invalid(f) => Problem::invalid(f),
            RegisterError::NotEligible(why) => Problem::forbidden("not-eligible", &why),
            RegisterError::TooMany {
                per_minute,
                retry_after,
            } => Problem::too_many_requests(retry_after).detail(format!(
                "this event takes at most {per_minute} registrations a minute; \
                 try again in {retry_after} seconds"
            )),
            RegisterError::TooManyFromDomain {
                per_hour,
                retry_after,
            } => Problem::too_many_requests(retry_after).detail(format!(
                "this event takes at most {per_hour} registrations an hour from one email \
                 domain; try again in {retry_after} seconds"
            )),
            RegisterError::MailBacklog { cap } => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "mail-backlog",
                "Too much mail waiting for this event",
            )
            .detail(format!(
                "{cap} emails are waiting to be sent for this event, the most it queues; \
                 try again in {MAIL_BACKLOG_RETRY_AFTER} seconds"
            ))
            .header(header::RETRY_AFTER, &MAIL_BACKLOG_RETRY_AFTER.to_string()),
            RegisterError::Busy => busy(),
            RegisterError::Store(s) => s.into(),
        }
    }
}

impl From<ConfirmError> for Problem {
    fn from(e: ConfirmError) -> Self {
        match e {
            ConfirmError::UnknownToken => Problem::not_found("this confirmation link"),
            ConfirmError::Expired => {
                Problem::new(StatusCode::GONE, "link-expired", "This link has expired")
                    .detail("unconfirmed registrations lapse after 48 hours; please register again")
            }
            ConfirmError::Gone => Problem::new(
                StatusCode::GONE,
                "registration-ended",
                "This registration was cancelled or rejected",
            ),
            ConfirmError::Full => event_full(),
            ConfirmError::Busy => busy(),
            ConfirmError::Store(s) => s.into(),
        }
    }
}

impl From<AuthError> for Problem {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Missing => Problem::unauthorized(
                "send the token from your email as Authorization: Bearer <token>",
            ),
            AuthError::Refused => Problem::unauthorized(
                "this token does not open a registration: it is unknown, its registration was \
                 cancelled, or the address is not confirmed yet",
            ),
            AuthError::Expired => Problem::unauthorized(&format!(
                "this token has expired: it opens a registration until {} days after the event \
                 ends",
                super::registrant::MANAGE_TOKEN_DAYS_AFTER_EVENT
            )),
            AuthError::Store(s) => s.into(),
        }
    }
}

impl From<ChangeError> for Problem {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::NotFound => Problem::not_found("the registration"),
            ChangeError::WrongStatus(s) => Problem::conflict(
                "wrong-status",
                "The registration's status does not allow this",
                &format!("the registration is {}", s.code()),
            ),
            ChangeError::Full => event_full(),
            ChangeError::ModeFull(p) => Problem::conflict(
                match p {
                    Participation::InPerson => "in-person-full",
                    Participation::Remote => "remote-full",
                },
                "No seat is free in that mode",
                &format!("no {p} seat is free; the registration is unchanged"),
            ),
            ChangeError::Invalid(f) => Problem::invalid(f),
            ChangeError::Busy => busy(),
            ChangeError::Store(s) => s.into(),
        }
    }
}

impl From<UnsubscribeError> for Problem {
    fn from(e: UnsubscribeError) -> Self {
        match e {
            UnsubscribeError::UnknownLink => Problem::not_found("this unsubscribe link"),
            UnsubscribeError::Ended => Problem::new(
                StatusCode::GONE,
                "registration-ended",
                "This registration was cancelled or rejected",
            )
            .detail("an ended registration gets no mail, so there is nothing to resume"),
            UnsubscribeError::Busy => busy(),
            UnsubscribeError::Store(s) => s.into(),
        }
    }
}

impl From<CalendarFeedError> for Problem {
    fn from(e: CalendarFeedError) -> Self {
        match e {
            CalendarFeedError::Unknown => Problem::not_found("this calendar URL"),
            CalendarFeedError::Closed => Problem::new(
                StatusCode::GONE,
                "calendar-feed-closed",
                "This calendar URL no longer works",
            )
            .detail("its registration ended"),
            CalendarFeedError::Busy => busy(),
            CalendarFeedError::Store(s) => s.into(),
        }
    }
}

impl From<JoinError> for Problem {
    fn from(e: JoinError) -> Self {
        match e {
            JoinError::NotConfirmed => Problem::forbidden(
                "not-confirmed",
                "connection details are for confirmed registrations only",
            ),
            JoinError::NotReleased(at) => Problem::forbidden(
                "not-released",
                &match at {
                    Some(t) => format!("connection details are released at {t}"),
                    None => "connection details are not available yet".to_owned(),
                },
            ),
            JoinError::Store(s) => s.into(),
        }
    }
}

impl From<FollowError> for Problem {
    fn from(e: FollowError) -> Self {
        match e {
            FollowError::Unknown => Problem::not_found("this join link"),
            FollowError::Revoked => Problem::new(
                StatusCode::GONE,
                "join-link-revoked",
                "This join link no longer works",
            )
            .detail(
                "it was revoked or its registration ended; use the newest link from your email",
            ),
            FollowError::NotReleased => Problem::forbidden(
                "not-released",
                "the connection details are not released yet",
            ),
            FollowError::Store(s) => s.into(),
        }
    }
}

impl From<PublishFailure> for Problem {
    fn from(e: PublishFailure) -> Self {
        match e {
            PublishFailure::NoDraft => Problem::conflict(
                "no-draft",
                "There is no draft to publish",
                "put a draft with PUT …/programme/draft first",
            ),
            PublishFailure::Refused(PublishRefusal::Unchanged) => Problem::conflict(
                "programme-unchanged",
                "The draft is the same as the published version",
                "change the draft before publishing again",
            ),
            PublishFailure::Store(PublishError::Raced(n)) => Problem::conflict(
                "publish-conflict",
                "Another publication happened at the same time",
                &format!("version {n} was just published by another request; review and retry"),
            ),
            PublishFailure::Store(PublishError::Store(e)) => e.into(),
        }
    }
}

impl From<SaveEventError> for Problem {
    fn from(e: SaveEventError) -> Self {
        match e {
            SaveEventError::Invalid(f) => Problem::invalid(f),
            SaveEventError::Busy => busy(),
            SaveEventError::Store(s) => s.into(),
        }
    }
}

impl From<AccessError> for Problem {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Missing => {
                Problem::unauthorized("send an organiser token as Authorization: Bearer <token>")
            }
            // One answer for every refused bearer: which of them it was is not the caller's
            // to learn.
            AccessError::Refused => Problem::unauthorized(
                "this token is unknown, expired, revoked or signed out; sign in again",
            ),
            AccessError::NoEvent => Problem::not_found("the event"),
            AccessError::Forbidden(why) => Problem::forbidden("forbidden", why),
            AccessError::Limited(l) => l.into(),
            AccessError::Store(s) => s.into(),
        }
    }
}

impl From<PeopleError> for Problem {
    fn from(e: PeopleError) -> Self {
        match e {
            PeopleError::NotFound(what) => Problem::not_found(what),
            PeopleError::Forbidden(why) => Problem::forbidden("forbidden", why),
            PeopleError::Store(s) => s.into(),
        }
    }
}

impl From<SignInError> for Problem {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Invalid(f) => Problem::invalid(f),
            SignInError::Store(s) => s.into(),
        }
    }
}

impl From<SessionError> for Problem {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Unknown => Problem::not_found("this sign-in link"),
            SessionError::Spent => Problem::new(
                StatusCode::GONE,
                "link-expired",
                "This sign-in link was used or has expired",
            )
            .detail("a sign-in link works once, for 15 minutes; ask for a new one"),
            SessionError::Store(s) => s.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contention_is_the_same_answer_whichever_use_case_ran_out_of_attempts() {
        let answers = [
            Problem::from(RegisterError::Busy),
            Problem::from(ConfirmError::Busy),
            Problem::from(ChangeError::Busy),
            Problem::from(UnsubscribeError::Busy),
        ]
        .map(|p| p.to_json());
        assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
        assert_eq!(answers[0]["status"], 503);
        assert!(answers[0]["type"].as_str().unwrap().ends_with("busy"));
    }

    #[test]
    fn a_full_event_reads_the_same_from_confirmation_and_from_approval() {
        assert_eq!(
            Problem::from(ConfirmError::Full).to_json(),
            Problem::from(ChangeError::Full).to_json()
        );
    }
}

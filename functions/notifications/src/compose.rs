//! Turning a notice into an email: the links it needs (a fresh registrant token is granted for
//! each, since tokens are stored only as hashes), the event's facts in its own zone, and the
//! template in the registrant's language; or an organiser's sign-in link, about no event.

use plenary::domain::{Event, Language, Organiser, Person, Registration};
use plenary::mail::templates::{self, Content, EventFacts, Message};
use plenary::mail::{MessageKey, MessageKind, OutgoingEmail, one_click_unsubscribe};
use plenary::store::StoreError;
use plenary::token::Token;
use plenary::usecases::mail;
use plenary::usecases::organiser::signin;

use crate::App;

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the template failed: {0}")]
    Template(String),
}

fn link(app: &App, path: &str, token: &Token) -> String {
    format!("{}{path}?token={}", app.site_url, token.expose())
}

/// The registrant's manage page, opened by `token`.
pub fn manage_url(app: &App, token: &Token) -> String {
    link(app, "/registration/manage", token)
}

/// RFC 8058 one-click unsubscribe, by the registration's unsubscribe `token`: the API route mail
/// clients POST to (the `List-Unsubscribe` header).
pub fn one_click_url(app: &App, token: &Token) -> String {
    format!("{}/v1/unsubscribe?token={}", app.api_url, token.expose())
}

/// The website's unsubscribe page for the same `token`, the link in the body
/// ([`plenary::mail::unsubscribe_page_url`]).
pub fn unsubscribe_page_url(app: &App, token: &Token, r: &Registration) -> String {
    plenary::mail::unsubscribe_page_url(
        app.site_url.as_str(),
        token.expose(),
        r.language,
        &r.event_id,
    )
}

/// A new bearer token for `r`, granted before the email that carries it is sent.
async fn grant_token(app: &App, r: &Registration) -> Result<Token, StoreError> {
    mail::grant_manage_token(app.registrations.as_ref(), app.tokens.as_ref(), r).await
}

pub fn join_url(app: &App, r: &Registration) -> String {
    format!(
        "{}/v1/join/{}",
        app.api_url,
        app.join_key
            .token_for(r.token_keys, &r.id, r.join_generation)
            .expose()
    )
}

/// The email for a transactional notice.
pub async fn transactional(
    app: &App,
    key: &MessageKey,
    kind: MessageKind,
    event: &Event,
    r: &Registration,
    person: &Person,
) -> Result<OutgoingEmail, ComposeError> {
    let content = match kind {
        MessageKind::Confirmation => {
            let token = grant_token(app, r).await?;
            let expires = r.confirm_by.unwrap_or(r.created_at);
            Content::Confirmation {
                confirm_url: link(app, "/registration/confirm", &token),
                expires_local: templates::format_instant(expires, event.timezone.tz(), r.language),
            }
        }
        MessageKind::ManageLink => Content::ManageLink {
            manage_url: manage_url(app, &grant_token(app, r).await?),
        },
        MessageKind::Promotion => Content::Promotion {
            manage_url: manage_url(app, &grant_token(app, r).await?),
        },
        MessageKind::Approval => Content::Approval {
            manage_url: manage_url(app, &grant_token(app, r).await?),
        },
        MessageKind::Rejection => Content::Rejection,
        MessageKind::JoinLink => {
            let released = app
                .join_info
                .join_info(&event.id)
                .await?
                .is_some_and(|i| i.is_released(app.clock.now()));
            Content::JoinLink {
                manage_url: manage_url(app, &grant_token(app, r).await?),
                join_url: released.then(|| join_url(app, r)),
            }
        }
        other => {
            return Err(ComposeError::Template(format!(
                "{} is not a transactional message",
                other.code()
            )));
        }
    };
    email(app, key, kind, event, r, person, &content, None)
}

#[allow(clippy::too_many_arguments)]
pub fn email(
    app: &App,
    key: &MessageKey,
    kind: MessageKind,
    event: &Event,
    r: &Registration,
    person: &Person,
    content: &Content,
    unsubscribe: Option<&Token>,
) -> Result<OutgoingEmail, ComposeError> {
    let name = format!("{} {}", person.given_name, person.family_name);
    let facts = EventFacts::of(event, r.language);
    let page = unsubscribe.map(|t| unsubscribe_page_url(app, t, r));
    let rendered = templates::render(&Message {
        kind,
        language: r.language,
        recipient_name: &name,
        event: Some(&facts),
        content,
        unsubscribe_url: page.as_deref(),
    })
    .map_err(|e| ComposeError::Template(e.to_string()))?;
    let headers = match (kind.is_optional(), unsubscribe) {
        (true, Some(t)) => one_click_unsubscribe(&one_click_url(app, t)),
        _ => Vec::new(),
    };
    Ok(OutgoingEmail {
        key: key.to_string(),
        from: app.sender.clone(),
        from_name: app.sender_name.clone(),
        to: person.email.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        language: r.language,
        kind,
        headers,
        attachments: Vec::new(),
    })
}

/// An organiser's sign-in link (`{site}/admin/sign-in?token=…`), granted now, in `language`.
/// Transactional: no unsubscribe link.
pub async fn sign_in(
    app: &App,
    key: &MessageKey,
    organiser: &Organiser,
    language: Language,
) -> Result<OutgoingEmail, ComposeError> {
    let kind = MessageKind::OrganiserSignIn;
    let token = signin::grant_link(
        app.credentials.as_ref(),
        app.tokens.as_ref(),
        organiser,
        app.clock.now(),
    )
    .await?;
    let content = Content::OrganiserSignIn {
        sign_in_url: link(app, "/admin/sign-in", &token),
        valid_minutes: signin::link_minutes(),
    };
    let rendered = templates::render(&Message {
        kind,
        language,
        recipient_name: organiser.name.as_str(),
        event: None,
        content: &content,
        unsubscribe_url: None,
    })
    .map_err(|e| ComposeError::Template(e.to_string()))?;
    Ok(OutgoingEmail {
        key: key.to_string(),
        from: app.sender.clone(),
        from_name: app.sender_name.clone(),
        to: organiser.email.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        language,
        kind,
        headers: Vec::new(),
        attachments: Vec::new(),
    })
}

//! The routes of organisers as people: sessions, the caller, organisers, teams and tokens.

use ::http::StatusCode;
use plenary::domain::{
    AuditScope, Email, FieldError, FieldErrors, MemberRequest, OrganiserRequest, TokenRequest,
};
use plenary::http::{self, Problem, Request, Response, query_params};
use plenary::token::Token;
use plenary::usecases::organiser::access::Caller;
use plenary::usecases::organiser::events;
use plenary::usecases::organiser::signin::SignIn;
use plenary::views;

use super::registrations::{DEFAULT_PAGE, page_limit};
use super::{App, existing_event};

/// An address in a path: one this API could have stored, or no such person.
fn email_in_path(raw: &str, what: &str) -> Result<Email, Problem> {
    Email::parse(raw).map_err(|_| Problem::not_found(what))
}

/// The same answer, after the same work, whoever the address belongs to: the mail job decides
/// whether a link goes out.
pub async fn sign_in(app: &App, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let sign_in = SignIn {
        limits: app.limits.as_ref(),
        outbox: app.outbox.as_ref(),
        ids: app.tokens.as_ref(),
        now: app.clock.now(),
    };
    sign_in.request(&body).await?;
    Ok(http::private(http::json_with_status(
        StatusCode::ACCEPTED,
        &views::SignInRequested::ANSWER,
    )))
}

pub async fn open_session(app: &App, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let raw = body
        .get("token")
        .and_then(|t| t.as_str())
        .ok_or_else(|| Problem::invalid_field("token", "must be the token of the sign-in link"))?;
    let mut unknown = body.as_object().into_iter().flatten().map(|(k, _)| k);
    if let Some(extra) = unknown.find(|k| k.as_str() != "token") {
        return Err(Problem::invalid_field(
            extra,
            "is not a field of this request",
        ));
    }
    let link = Token::parse(raw)
        .map_err(|_| Problem::invalid_field("token", "is not the token of a sign-in link"))?;
    let issued = app.people().open_session(&link).await?;
    let (session, organiser) = &issued.what;
    Ok(http::private(http::json_with_status(
        StatusCode::CREATED,
        &views::SessionOpened::of(issued.token.expose(), session, organiser),
    )))
}

pub async fn sign_out(app: &App, caller: &Caller) -> Result<Response, Problem> {
    app.people().sign_out(caller).await?;
    Ok(http::no_content())
}

pub async fn me(app: &App, caller: &Caller) -> Result<Response, Problem> {
    let roles = app.people().roles(caller).await?;
    Ok(http::private(http::json(&views::Me {
        email: caller.email().map(ToString::to_string),
        name: caller.name.clone(),
        administrator: caller.administrator,
        events: views::EventRole::list(&roles),
    })))
}

pub async fn list_organisers(app: &App) -> Result<Response, Problem> {
    let all = app.directory.organisers().await?;
    Ok(http::private(http::json(&views::OrganiserList {
        organisers: all.iter().map(views::OrganiserView::of).collect(),
    })))
}

pub async fn put_organiser(app: &App, raw_email: &str, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let email =
        Email::parse(raw_email).map_err(|e| Problem::invalid_field("email", &e.to_string()));
    let request = OrganiserRequest::parse(&body).map_err(Problem::invalid);
    let (email, request) = match (email, request) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(p), _) | (_, Err(p)) => return Err(p),
    };
    let (organiser, _) = app.people().put_organiser(&email, request).await?;
    Ok(http::private(http::json(&views::OrganiserView::of(
        &organiser,
    ))))
}

pub async fn remove_organiser(app: &App, raw_email: &str) -> Result<Response, Problem> {
    let email = email_in_path(raw_email, "the organiser")?;
    app.people().remove_organiser(&email).await?;
    Ok(http::no_content())
}

pub async fn team(app: &App, raw_id: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let team = app.directory.team(&event.id).await?;
    Ok(http::private(http::json(&views::TeamView {
        members: team.iter().map(views::MemberView::of).collect(),
    })))
}

pub async fn put_member(
    app: &App,
    caller: &Caller,
    raw_id: &str,
    raw_email: &str,
    req: &Request,
) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let event = existing_event(app, raw_id).await?;
    let email =
        Email::parse(raw_email).map_err(|e| Problem::invalid_field("email", &e.to_string()));
    let request = MemberRequest::parse(&body).map_err(Problem::invalid);
    let (email, request) = match (email, request) {
        (Ok(e), Ok(r)) => (e, r),
        (Err(p), _) | (_, Err(p)) => return Err(p),
    };
    let (member, _) = app
        .people()
        .put_member(caller, &event.id, &email, request)
        .await?;
    Ok(http::private(http::json(&views::MemberView::of(&member))))
}

pub async fn remove_member(app: &App, raw_id: &str, raw_email: &str) -> Result<Response, Problem> {
    let event = existing_event(app, raw_id).await?;
    let email = email_in_path(raw_email, "the team member")?;
    app.people().remove_member(&event.id, &email).await?;
    Ok(http::no_content())
}

pub async fn create_token(app: &App, caller: &Caller, req: &Request) -> Result<Response, Problem> {
    let body = http::json_body(req)?;
    let request = TokenRequest::parse(&body, app.clock.now()).map_err(Problem::invalid)?;
    let issued = app.people().issue_token(caller, request).await?;
    let (credential, name) = &issued.what;
    Ok(http::private(http::json_with_status(
        StatusCode::CREATED,
        &views::TokenIssued {
            id: credential.token_id.clone().unwrap_or_default(),
            name: name.clone(),
            token: issued.token.expose().to_owned(),
            expires_at: credential.expires_at.to_string(),
            read_only: credential.read_only,
        },
    )))
}

pub async fn list_tokens(app: &App, caller: &Caller) -> Result<Response, Problem> {
    let tokens = match caller.email() {
        Some(email) => app.credentials.tokens(email).await?,
        None => Vec::new(),
    };
    Ok(http::private(http::json(&views::TokenList {
        tokens: tokens.iter().map(views::TokenView::of).collect(),
    })))
}

pub async fn revoke_token(app: &App, caller: &Caller, token_id: &str) -> Result<Response, Problem> {
    app.people().revoke_token(caller, token_id).await?;
    Ok(http::no_content())
}

pub async fn audit(app: &App, scope: AuditScope, req: &Request) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    let mut limit = DEFAULT_PAGE;
    let mut cursor = None;
    for (k, v) in query_params(req) {
        match k.as_str() {
            "limit" => match page_limit(&v) {
                Ok(n) => limit = n,
                Err(e) => errors.push(e),
            },
            // Cursors are entry ids (ULIDs): refuse anything else early.
            "cursor" => match ulid::Ulid::from_string(&v) {
                Ok(id) => cursor = Some(id.to_string()),
                Err(_) => errors.push(FieldError {
                    field: "cursor".into(),
                    message: "is not a cursor this API gave".into(),
                }),
            },
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(FieldErrors(errors)));
    }
    let page = app
        .audit
        .audit(&scope, cursor.as_deref(), limit, app.clock.now())
        .await?;
    Ok(http::private(http::json(&views::AuditPageView::of(&page))))
}

pub async fn events(app: &App, caller: &Caller) -> Result<Response, Problem> {
    let roles = app.people().roles(caller).await?;
    let lines = events::overview(
        app.events.as_ref(),
        app.programme.as_ref(),
        app.registrations.as_ref(),
        (!caller.administrator).then_some(roles.as_slice()),
        app.clock.now(),
    )
    .await?;
    Ok(http::private(http::json(&views::OrganiserEventList {
        events: lines
            .iter()
            .map(|o| {
                let counts = views::RegistrationCounts {
                    confirmed: o.confirmed,
                    waitlisted: o.waitlisted,
                    pending: o.pending,
                };
                views::OrganiserEventLine::of(&o.event, o.role, o.published_version, counts)
            })
            .collect(),
    })))
}

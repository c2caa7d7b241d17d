//! Every operation of the public API, each written once: its method and path, and what the
//! document says of it. The HTTP functions route to these (`plenary::routes!`), so a route's
//! method and path are written here and nowhere else.

use http::Method;
use serde_json::Value;

use super::{
    AmendRequest, AnnouncementRequest, Auth, BOOLEAN, Body, CURSOR, ConfirmRequest, DraftRequest,
    EventRequest, IDEMPOTENCY, IF_NONE_MATCH, JoinInfoRequest, LANGUAGE, LIMIT, MemberBody, NAME,
    Operation, OrganiserBody, RegistrationRequest, ResendRequest, STATUS, SessionBody, SignInBody,
    TOKEN, TokenBody, UploadBody, VERSION_NO, ZONE, s,
};
use crate::views;

/// Declares each operation as a constant of that name, and [`OPERATIONS`] as all of them in the
/// document's order.
macro_rules! operations {
    ($($name:ident = $method:ident $path:literal, $id:literal, $summary:literal, $tag:literal,
       $auth:ident, query: $query:expr, headers: $headers:expr, request: $req:expr,
       $status:literal => $res:expr, problems: $problems:expr;)+) => {
        $(
            #[doc = concat!("`", stringify!($method), " ", $path, "`: ", $summary, ".")]
            pub const $name: Operation = Operation {
                method: Method::$method,
                path: $path,
                id: $id,
                summary: $summary,
                tag: $tag,
                auth: Auth::$auth,
                query: $query,
                headers: $headers,
                request: $req,
                status: $status,
                response: $res,
                problems: $problems,
            };
        )+

        /// Every operation, in the order the document lists them.
        pub const OPERATIONS: &[Operation] = &[$($name),+];
    };
}

operations! {
    LIST_EVENTS = GET "/v1/events", "listEvents", "Every event with its registration window", "Events", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::EventList>), problems: &[];
    GET_EVENT = GET "/v1/events/{event_id}", "getEvent", "One event", "Events", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::EventView>), problems: &[];
    GET_PROGRAMME = GET "/v1/events/{event_id}/programme", "getProgramme", "The latest published programme, in the event's zone or another", "Programme", Public,
        query: &[("tz", false, "An IANA time zone to show every instant in, e.g. America/New_York", ZONE)],
        headers: &[IF_NONE_MATCH], request: Body::None, 200 => Body::Json(s::<views::ProgrammeView>), problems: &[304];
    LIST_PROGRAMME_VERSIONS = GET "/v1/events/{event_id}/programme/versions", "listProgrammeVersions", "Every published version", "Programme", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::VersionList>), problems: &[];
    GET_PROGRAMME_CHANGES = GET "/v1/events/{event_id}/programme/changes", "getProgrammeChanges", "What changed between two versions", "Programme", Public,
        query: &[("from", true, "The earlier version (0: before the first)", VERSION_NO), ("to", false, "The later version (default: the latest)", VERSION_NO)],
        headers: &[], request: Body::None, 200 => Body::Json(s::<views::ChangeList>), problems: &[];
    GET_PROGRAMME_CALENDAR = GET "/v1/events/{event_id}/programme.ics", "getProgrammeCalendar", "The programme as an RFC 5545 calendar", "Programme", Public,
        query: &[], headers: &[IF_NONE_MATCH], request: Body::None, 200 => Body::Text("text/calendar"), problems: &[304];
    GET_SCHEDULE = GET "/v1/events/{event_id}/schedule.json", "getSchedule", "The programme in the frab/c3voc schedule.json shape", "Programme", Public,
        query: &[], headers: &[IF_NONE_MATCH], request: Body::None, 200 => Body::Json(s::<Value>), problems: &[304];
    LIST_SPEAKERS = GET "/v1/events/{event_id}/speakers", "listSpeakers", "The speakers of the latest programme", "Programme", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::SpeakerList>), problems: &[];
    REGISTER = POST "/v1/events/{event_id}/registrations", "register", "Register (answers the same whether or not the address was registered)", "Registration", Public,
        query: &[], headers: &[IDEMPOTENCY], request: Body::Json(s::<RegistrationRequest>), 202 => Body::Json(s::<views::CheckEmail>), problems: &[403, 409, 422];
    RESEND_LINK = POST "/v1/events/{event_id}/registrations/resend", "resendLink", "Send the registrant their link again", "Registration", Public,
        query: &[], headers: &[], request: Body::Json(s::<ResendRequest>), 202 => Body::Json(s::<views::CheckEmail>), problems: &[];
    CONFIRM = POST "/v1/registrations/confirm", "confirm", "Confirm the address with the emailed token", "Registration", Public,
        query: &[], headers: &[], request: Body::Json(s::<ConfirmRequest>), 200 => Body::Json(s::<views::RegistrantView>), problems: &[409, 410];
    GET_MY_REGISTRATION = GET "/v1/registrations/me", "getMyRegistration", "The registrant's own registration", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::RegistrantView>), problems: &[401];
    AMEND_MY_REGISTRATION = PATCH "/v1/registrations/me", "amendMyRegistration", "Change name, organisation, language, accessibility needs, notification choices, answers or a hybrid event's participation", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::Json(s::<AmendRequest>), 200 => Body::Json(s::<views::RegistrantView>), problems: &[401, 409];
    CANCEL_MY_REGISTRATION = DELETE "/v1/registrations/me", "cancelMyRegistration", "Cancel; with erase=true also erase the personal data", "Registrant", Registrant,
        query: &[("erase", false, "true to erase the personal data too", BOOLEAN)], headers: &[], request: Body::None, 200 => Body::Json(s::<views::Cancelled>), problems: &[401, 409];
    GET_MY_JOIN_DETAILS = GET "/v1/registrations/me/join", "getMyJoinDetails", "Remote connection details, once released, for confirmed registrations", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::JoinDetailsView>), problems: &[401, 403];
    GET_MY_CALENDAR = GET "/v1/registrations/me/calendar.ics", "getMyCalendar", "The registrant's own calendar, with join details when they may see them", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::None, 200 => Body::Text("text/calendar"), problems: &[401];
    OPEN_CALENDAR_FEED = POST "/v1/registrations/me/calendar-feed", "openCalendarFeed", "A subscribable URL of the registrant's own calendar (a secret token in the URL; the same URL until closed)", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::CalendarFeed>), problems: &[401];
    CLOSE_CALENDAR_FEED = DELETE "/v1/registrations/me/calendar-feed", "closeCalendarFeed", "Close the subscribable calendar URL: it answers 404 from now on", "Registrant", Registrant,
        query: &[], headers: &[], request: Body::None, 204 => Body::None, problems: &[401];
    GET_CALENDAR_FEED = GET "/v1/calendar-feeds/{feed_token}", "getCalendarFeed", "The registrant's own calendar by its subscribable URL, read-only, for calendar apps that cannot send a Bearer header", "Registrant", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Text("text/calendar"), problems: &[410];
    FOLLOW_JOIN_LINK = GET "/v1/join/{join_token}", "followJoinLink", "A personal join link: 302 to the meeting", "Registrant", Public,
        query: &[], headers: &[], request: Body::None, 302 => Body::None, problems: &[403, 410];
    UNSUBSCRIBE = POST "/v1/unsubscribe", "unsubscribe", "RFC 8058 one-click unsubscribe from reminders, change notices and announcements", "Registrant", Public,
        query: &[("token", true, "The token of the List-Unsubscribe link", TOKEN)], headers: &[], request: Body::Text("application/x-www-form-urlencoded"), 200 => Body::Json(s::<views::Unsubscribed>), problems: &[];
    UNDO_UNSUBSCRIBE = POST "/v1/unsubscribe/undo", "undoUnsubscribe", "Undoes an unsubscription by the same link: the notification choices it turned off are on again", "Registrant", Public,
        query: &[("token", true, "The token of the unsubscribe link", TOKEN)], headers: &[], request: Body::None, 200 => Body::Json(s::<views::Resubscribed>), problems: &[410];
    PUT_EVENT = PUT "/v1/admin/events/{event_id}", "putEvent", "Create or replace an event", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<EventRequest>), 200 => Body::Json(s::<views::EventSaved>), problems: &[201, 401, 403];
    LIST_ORGANISER_EVENTS = GET "/v1/admin/events", "listOrganiserEvents", "Every event the caller has a role in (administrators: all), unlisted and draft ones too", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::OrganiserEventList>), problems: &[401];
    GET_ORGANISER_EVENT = GET "/v1/admin/events/{event_id}", "getOrganiserEvent", "The event as stored: the body PUT takes, so it can be edited and sent back, with created_at and updated_at", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<EventRequest>), problems: &[401, 403];
    GET_DRAFT = GET "/v1/admin/events/{event_id}/programme/draft", "getDraft", "The draft programme", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::DraftView>), problems: &[401, 403];
    PUT_DRAFT = PUT "/v1/admin/events/{event_id}/programme/draft", "putDraft", "Replace the whole draft programme", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<DraftRequest>), 200 => Body::Json(s::<views::DraftView>), problems: &[401, 403];
    GET_DRAFT_CHANGES = GET "/v1/admin/events/{event_id}/programme/draft/changes", "getDraftChanges", "What publishing the draft now would change (from the latest version, 0 before the first; nothing without a draft), and how many registrants its digest would reach", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::DraftChanges>), problems: &[401, 403];
    PUBLISH = POST "/v1/admin/events/{event_id}/programme/publish", "publish", "Publish the draft as the next version", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::PublishedVersion>), problems: &[401, 403, 409];
    PUT_JOIN_INFO = PUT "/v1/admin/events/{event_id}/join-info", "putJoinInfo", "Remote connection details and when they are released", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<JoinInfoRequest>), 200 => Body::Json(s::<views::JoinInfoSaved>), problems: &[401, 403];
    GET_JOIN_INFO = GET "/v1/admin/events/{event_id}/join-info", "getJoinInfo", "The remote connection details as PUT stored them (404 before they are set)", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::JoinInfoView>), problems: &[401, 403];
    LIST_REGISTRATIONS = GET "/v1/admin/events/{event_id}/registrations", "listRegistrations", "A page of registrations", "Organiser", Organiser,
        query: &[("status", false, "Only this status", STATUS), ("limit", false, "1 to 500 (default 50)", LIMIT), ("cursor", false, "next_cursor of the previous page", CURSOR)],
        headers: &[], request: Body::None, 200 => Body::Json(s::<views::RegistrationPageView>), problems: &[401, 403];
    EXPORT_REGISTRATIONS = GET "/v1/admin/events/{event_id}/registrations.csv", "exportRegistrations", "Every registration as CSV (UTF-8 with BOM; formula cells neutralised), gzip-compressed when Accept-Encoding takes it", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Text("text/csv"), problems: &[401, 403, 406];
    APPROVE = POST "/v1/admin/events/{event_id}/registrations/{registration_id}/approve", "approve", "Approve a registration awaiting approval", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::RegistrantView>), problems: &[401, 403, 409];
    REJECT = POST "/v1/admin/events/{event_id}/registrations/{registration_id}/reject", "reject", "Reject a registration", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::RegistrantView>), problems: &[401, 403, 409];
    REVOKE_JOIN = POST "/v1/admin/events/{event_id}/registrations/{registration_id}/revoke-join", "revokeJoin", "Revoke a personal join link and email a new one", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::RegistrantView>), problems: &[401, 403, 409];
    GET_STATS = GET "/v1/admin/events/{event_id}/stats", "getStats", "Counts by status, category, country, language and day of registration; emails", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::StatsView>), problems: &[401, 403];
    GET_ATTENDANCE = GET "/v1/admin/events/{event_id}/attendance", "getAttendance", "Who attended (used their personal join link), on which days in the event's zone, with each registrant's joins; gzip-compressed when Accept-Encoding takes it", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::AttendanceView>), problems: &[401, 403, 406];
    CREATE_UPLOAD = POST "/v1/admin/events/{event_id}/uploads", "createUpload", "A signed form to upload one file (slides, a document, a recording: PDF, PowerPoint, Word, Excel, OpenDocument, PNG, JPEG, MP4 or plain text, at most 200 MiB) of exactly that name, type and size; send it as multipart/form-data to upload.url with every entry of upload.fields and then the file as `file`, and file_url serves it publicly", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<UploadBody>), 201 => Body::Json(s::<views::UploadGranted>), problems: &[401, 403];
    ANNOUNCE = POST "/v1/admin/events/{event_id}/announcements", "announce", "Send an announcement to the chosen audience", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<AnnouncementRequest>), 202 => Body::Json(s::<views::AnnouncementAccepted>), problems: &[401, 403];
    PREVIEW_ANNOUNCEMENT = POST "/v1/admin/events/{event_id}/announcements/preview", "previewAnnouncement", "The announcement as a registrant reading the language gets it by email (subject, text and HTML), rendered by the mail job's templates; sends, queues and records nothing", "Organiser", Organiser,
        query: &[("language", false, "The registrant's language (default en); each text in it, else in English", LANGUAGE), ("name", false, "The name the greeting uses (default Ada Lovelace), one line", NAME)],
        headers: &[], request: Body::Json(s::<AnnouncementRequest>), 200 => Body::Json(s::<views::AnnouncementPreview>), problems: &[401, 403];
    SIGN_IN = POST "/v1/admin/sign-in", "signIn", "Email a sign-in link to a known organiser (the same answer whatever the address)", "Organisers", Public,
        query: &[], headers: &[], request: Body::Json(s::<SignInBody>), 202 => Body::Json(s::<views::SignInRequested>), problems: &[];
    OPEN_SESSION = POST "/v1/admin/sessions", "openSession", "Exchange an emailed sign-in link for a session bearer (12 hours)", "Organisers", Public,
        query: &[], headers: &[], request: Body::Json(s::<SessionBody>), 201 => Body::Json(s::<views::SessionOpened>), problems: &[410];
    SIGN_OUT = DELETE "/v1/admin/sessions/current", "signOut", "Sign out: this bearer is refused from now on", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 204 => Body::None, problems: &[401, 403];
    GET_ME = GET "/v1/admin/me", "getMe", "The caller and their roles", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::Me>), problems: &[401];
    LIST_ORGANISERS = GET "/v1/admin/organisers", "listOrganisers", "Every organiser (administrators only)", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::OrganiserList>), problems: &[401, 403];
    PUT_ORGANISER = PUT "/v1/admin/organisers/{email}", "putOrganiser", "Add or change an organiser (administrators only)", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<OrganiserBody>), 200 => Body::Json(s::<views::OrganiserView>), problems: &[401, 403];
    REMOVE_ORGANISER = DELETE "/v1/admin/organisers/{email}", "removeOrganiser", "Remove an organiser from every team, ending their sessions and tokens (administrators only)", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 204 => Body::None, problems: &[401, 403];
    GET_TEAM = GET "/v1/admin/events/{event_id}/team", "getTeam", "The event's team", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::TeamView>), problems: &[401, 403];
    PUT_MEMBER = PUT "/v1/admin/events/{event_id}/team/{email}", "putMember", "Add a member to the team or change their role", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<MemberBody>), 200 => Body::Json(s::<views::MemberView>), problems: &[401, 403];
    REMOVE_MEMBER = DELETE "/v1/admin/events/{event_id}/team/{email}", "removeMember", "Remove a member from the team", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 204 => Body::None, problems: &[401, 403];
    CREATE_TOKEN = POST "/v1/admin/tokens", "createToken", "A personal API token for the caller, shown once", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::Json(s::<TokenBody>), 201 => Body::Json(s::<views::TokenIssued>), problems: &[401, 403];
    LIST_TOKENS = GET "/v1/admin/tokens", "listTokens", "The caller's personal tokens, never their secrets", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::TokenList>), problems: &[401];
    REVOKE_TOKEN = DELETE "/v1/admin/tokens/{token_id}", "revokeToken", "Revoke one of the caller's personal tokens at once", "Organisers", Organiser,
        query: &[], headers: &[], request: Body::None, 204 => Body::None, problems: &[401, 403];
    GET_EVENT_AUDIT = GET "/v1/admin/events/{event_id}/audit", "getEventAudit", "The event's audit log, newest first (managers)", "Organisers", Organiser,
        query: &[("limit", false, "1 to 500 (default 50)", LIMIT), ("cursor", false, "next_cursor of the previous page", CURSOR)],
        headers: &[], request: Body::None, 200 => Body::Json(s::<views::AuditPageView>), problems: &[401, 403];
    GET_AUDIT = GET "/v1/admin/audit", "getAudit", "The installation's audit log: organisers, tokens, sign-ins, events created (administrators)", "Organisers", Organiser,
        query: &[("limit", false, "1 to 500 (default 50)", LIMIT), ("cursor", false, "next_cursor of the previous page", CURSOR)],
        headers: &[], request: Body::None, 200 => Body::Json(s::<views::AuditPageView>), problems: &[401, 403];
    LIST_ANNOUNCEMENTS = GET "/v1/admin/events/{event_id}/announcements", "listAnnouncements", "The event's announcements, newest first, with how many messages each has sent so far", "Organiser", Organiser,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<views::AnnouncementList>), problems: &[401, 403];
    GET_OPEN_API = GET "/v1/openapi.json", "getOpenApi", "This document", "Meta", Public,
        query: &[], headers: &[], request: Body::None, 200 => Body::Json(s::<Value>), problems: &[];
}

//! What the organiser function serves, and what each route asks of its caller.

use ::http::Method;
use plenary::domain::Duty;
use plenary::openapi::ops;
use plenary::usecases::organiser::access::Need;

plenary::routes! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Endpoint {
        ListEvents => ops::LIST_ORGANISER_EVENTS,
        GetEvent => ops::GET_ORGANISER_EVENT,
        PutEvent => ops::PUT_EVENT,
        GetDraft => ops::GET_DRAFT,
        PutDraft => ops::PUT_DRAFT,
        DraftChanges => ops::GET_DRAFT_CHANGES,
        Publish => ops::PUBLISH,
        GetJoinInfo => ops::GET_JOIN_INFO,
        PutJoinInfo => ops::PUT_JOIN_INFO,
        ListRegistrations => ops::LIST_REGISTRATIONS,
        RegistrationsCsv => ops::EXPORT_REGISTRATIONS,
        Approve => ops::APPROVE,
        Reject => ops::REJECT,
        RevokeJoin => ops::REVOKE_JOIN,
        Stats => ops::GET_STATS,
        Attendance => ops::GET_ATTENDANCE,
        Announce => ops::ANNOUNCE,
        PreviewAnnouncement => ops::PREVIEW_ANNOUNCEMENT,
        CreateUpload => ops::CREATE_UPLOAD,
        SignIn => ops::SIGN_IN,
        OpenSession => ops::OPEN_SESSION,
        SignOut => ops::SIGN_OUT,
        Me => ops::GET_ME,
        ListOrganisers => ops::LIST_ORGANISERS,
        PutOrganiser => ops::PUT_ORGANISER,
        RemoveOrganiser => ops::REMOVE_ORGANISER,
        Team => ops::GET_TEAM,
        PutMember => ops::PUT_MEMBER,
        RemoveMember => ops::REMOVE_MEMBER,
        CreateToken => ops::CREATE_TOKEN,
        ListTokens => ops::LIST_TOKENS,
        RevokeToken => ops::REVOKE_TOKEN,
        EventAudit => ops::GET_EVENT_AUDIT,
        Audit => ops::GET_AUDIT,
        ListAnnouncements => ops::LIST_ANNOUNCEMENTS,
    }
    /// Each endpoint at its operation's method and path, in the order they are matched.
    pub const ROUTES: &[Route<Endpoint>];
}

impl Endpoint {
    /// The role table of the contract, route by route (what each role may do is
    /// [`plenary::domain::Role::may`]).
    pub fn need(self) -> Need {
        use Endpoint::*;
        match self {
            SignIn | OpenSession => Need::Nobody,
            ListEvents | SignOut | Me | CreateToken | ListTokens | RevokeToken => Need::Caller,
            ListOrganisers | PutOrganiser | RemoveOrganiser | Audit => Need::Administrator,
            GetEvent | GetDraft | DraftChanges | Stats | Team => Need::Event(Duty::Read),
            // Attendance names registrants, as the list and the CSV do.
            ListRegistrations | RegistrationsCsv | Attendance | Approve | Reject | RevokeJoin => {
                Need::Event(Duty::Review)
            }
            PutEvent | PutDraft | Publish | CreateUpload => Need::Event(Duty::Edit),
            GetJoinInfo | PutJoinInfo | ListAnnouncements | Announce | PreviewAnnouncement
            | PutMember | RemoveMember | EventAudit => Need::Event(Duty::Manage),
        }
    }

    /// Whether the route may change what is stored: each call of such a route is one audit
    /// entry, committed with its change. Every route but a GET, except the preview of an
    /// announcement, a POST (it takes the announcement's body) that renders and changes nothing.
    pub fn writes(self) -> bool {
        self.operation().method != Method::GET && self != Endpoint::PreviewAnnouncement
    }

    /// Whether a read-only token is refused the route: every write but signing out, which only
    /// ends the bearer presented.
    pub fn refuses_read_only(self) -> bool {
        self.writes() && self != Endpoint::SignOut
    }
}

//! What the organiser function serves: the routes behind the organiser token.

use plenary::openapi::ops;

plenary::routes! {
    #[derive(Debug, Clone, Copy)]
    pub enum Endpoint {
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
        Announce => ops::ANNOUNCE,
        ListAnnouncements => ops::LIST_ANNOUNCEMENTS,
    }
    /// Each endpoint at its operation's method and path, in the order they are matched.
    pub const ROUTES: &[Route<Endpoint>];
}

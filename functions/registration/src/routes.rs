//! What the registration function serves: registering, and the registrant's own routes.

use plenary::openapi::ops;

plenary::routes! {
    #[derive(Debug, Clone, Copy)]
    pub enum Endpoint {
        Register => ops::REGISTER,
        Resend => ops::RESEND_LINK,
        Confirm => ops::CONFIRM,
        Me => ops::GET_MY_REGISTRATION,
        Amend => ops::AMEND_MY_REGISTRATION,
        Cancel => ops::CANCEL_MY_REGISTRATION,
        Join => ops::GET_MY_JOIN_DETAILS,
        Calendar => ops::GET_MY_CALENDAR,
        OpenCalendarFeed => ops::OPEN_CALENDAR_FEED,
        CloseCalendarFeed => ops::CLOSE_CALENDAR_FEED,
        CalendarFeed => ops::GET_CALENDAR_FEED,
        FollowJoin => ops::FOLLOW_JOIN_LINK,
        Unsubscribe => ops::UNSUBSCRIBE,
        UndoUnsubscribe => ops::UNDO_UNSUBSCRIBE,
    }
    /// Each endpoint at its operation's method and path, in the order they are matched.
    pub const ROUTES: &[Route<Endpoint>];
}

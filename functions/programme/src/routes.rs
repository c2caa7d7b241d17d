//! What the programme function serves: the public reads of events and their programme, and the
//! OpenAPI document.

use plenary::openapi::ops;

plenary::routes! {
    #[derive(Debug, Clone, Copy)]
    pub enum Endpoint {
        ListEvents => ops::LIST_EVENTS,
        GetEvent => ops::GET_EVENT,
        Programme => ops::GET_PROGRAMME,
        Versions => ops::LIST_PROGRAMME_VERSIONS,
        Changes => ops::GET_PROGRAMME_CHANGES,
        Speakers => ops::LIST_SPEAKERS,
        Calendar => ops::GET_PROGRAMME_CALENDAR,
        Schedule => ops::GET_SCHEDULE,
        OpenApi => ops::GET_OPEN_API,
    }
    /// Each endpoint at its operation's method and path, in the order they are matched.
    pub const ROUTES: &[Route<Endpoint>];
}

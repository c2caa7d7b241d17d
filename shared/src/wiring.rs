//! What every function's `App` is built from besides its [`Config`](crate::Config): the store, the
//! clock and the token source. Each function has one `App::new(&Services, &Config, ..)`; the
//! Lambda mains, the local stack, the benches and the tests all build their apps through it.

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::store::TableStore;
use crate::token::{OsTokenSource, TokenSource};

#[derive(Clone)]
pub struct Services {
    /// The one store; each `App` holds it behind the narrow traits it needs.
    pub store: Arc<TableStore>,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<dyn TokenSource>,
}

impl Services {
    /// Over `store`, on the system clock and the operating system's random tokens.
    pub fn new(store: impl Into<Arc<TableStore>>) -> Self {
        Self {
            store: store.into(),
            clock: Arc::new(SystemClock),
            tokens: Arc::new(OsTokenSource),
        }
    }

    /// The same, on another clock (a simulated or manual one).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }
}

//! Use cases: the rules of registering, confirming, cancelling and reviewing, over the store
//! ports. Each has its own error type; the functions map those to HTTP in one place each.

pub mod registration;

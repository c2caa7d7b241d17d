//! HTTP glue shared by the three HTTP functions: the request/response types of `lambda_http`,
//! problem+json, JSON bodies, CORS, routing, the CDN's origin check, request ids and the one
//! access-log line.

mod body;
mod edge;
mod exchange;
mod idempotency;
pub mod large;
mod problem;
mod response;
mod router;
pub mod site;

pub use body::{MAX_BODY_BYTES, json_body, no_body, query_params};
pub use edge::{
    Edge, MAX_ORIGIN_SECRET_LEN, MIN_ORIGIN_SECRET_LEN, ORIGIN_HEADER, OriginSecret, VIEWER_ADDRESS,
};
pub use exchange::serve;
pub use idempotency::{IdempotencyKeyHash, idempotent};
pub use problem::{MAX_LISTED_ERRORS, Problem};
pub use response::{
    bearer_token, client_address, from_peer, json, json_text, json_with_status, no_content,
    private, text,
};
pub use router::{Params, Route, find_route, knows_path};

/// What every handler takes: the request type `lambda_http` hands a function.
pub type Request = lambda_http::Request;
/// What every handler returns.
pub type Response = http::Response<lambda_http::Body>;

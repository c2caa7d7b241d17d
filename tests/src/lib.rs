//! Test plumbing shared by the suites in `tests/tests/`: starting the local stack as a real
//! process and talking HTTP to it.

pub mod stack;

//! Command handlers that need no window: `app`, `os`, `path`, `fs`,
//! `clipboard`, `notification`. Each returns
//! the JSON value the promise resolves with, or the message it rejects with.
//! Window, event and process commands need the event loop and live in
//! [`crate::runtime`].

pub mod clipboard;
pub mod fs;
pub mod fs_scope;
pub mod http;
pub mod notification;
pub mod os;
pub mod path;
pub mod shell;

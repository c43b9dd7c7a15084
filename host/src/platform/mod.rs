//! Everything that differs per operating system, behind one set of names.
//! Only Linux (WebKitGTK) is implemented; other targets fail to compile here
//! rather than misbehave at run time.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::*;

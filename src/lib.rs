//! Earshot: hear through damaged ears. A VST3 + CLAP plugin simulating calibrated sensorineural
//! hearing loss (a real-time MSBG), built on nice-plug.
//!
//! The plugin glue (`plugin.rs`) only maps parameters to [`dsp::Engine`]. The signal flow lives
//! in the `earshot-dsp` crate (`crates/earshot-dsp/`, see ARCHITECTURE.md), which depends on no
//! plugin framework and no GUI: the compiler keeps it so. Without the `plugin` feature (the
//! `earshot` CLI's build) this crate is the parameter model only: ids, ranges, presets, story.

pub mod demo;
/// The signal chain, re-exported so that `earshot::dsp::…` paths (CLI, tests, benches) stay.
pub use earshot_dsp as dsp;
#[cfg(feature = "plugin")]
pub mod editor;
pub mod material;
pub mod param_access;
pub mod params;
#[cfg(feature = "plugin")]
mod plugin;
pub mod presets;

pub use demo::{set_standalone_demo, StandaloneDemo};
#[cfg(feature = "plugin")]
pub use plugin::Earshot;

//! The Earshot engine: framework-free DSP, one module per stage of the signal flow (see the
//! repository's ARCHITECTURE.md). This crate depends on no plugin framework and no GUI; the
//! plugin (`earshot`, at the repository root) only maps its parameters to [`EngineParams`].

pub mod audiogram;
pub mod biquad;
pub mod body;
pub mod calibration;
pub mod control;
pub mod delay;
pub mod engine;
pub mod hearing;
pub mod hearing_threshold;
pub mod implant;
pub mod jitter;
pub mod limiter;
pub mod loss;
pub mod mix;
pub mod noise;
pub mod simd;
pub mod smoother;
pub mod stage;
pub mod stft;
pub mod story;
pub mod tap;
pub mod timeline;
pub mod tinnitus;

pub use engine::{Engine, EngineParams};

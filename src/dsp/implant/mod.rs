//! The cochlear-implant stage (DESIGN.md §3, Cochlear implant): what a freshly activated
//! implant sounds like, made the way implant processors (ACE) and their research simulations
//! (Shannon et al. 1995; Fu & Shannon 1999) make it.

pub mod agc;
pub mod analysis;
pub mod carrier;
pub mod electric;
pub mod greenwood;
pub mod selection;
pub mod spread;

//! The one shape every stage of the chain has, after fundsp's audio nodes (`reset`,
//! `set_sample_rate`, `tick`/`process`): the engine holds the stages unboxed and calls them in
//! signal-flow order, chunk by chunk; the contract tests (`tests/stages.rs`) check every stage
//! for the same promises.

use crate::hearing::Hearing;

pub trait Stage {
    /// The stage's targets, as the host sets them (plain values; the stage smooths them as
    /// its `controls.rs` declares).
    type Controls;

    /// Reallocates for `sample_rate` and chunks of up to `max_block` samples and starts from
    /// silence, keeping the targets. Allocates: call outside processing.
    fn prepare(&mut self, sample_rate: f32, max_block: usize);

    /// Clears all signal state and lands every smoother on its target; keeps allocations.
    /// After a reset the same input renders the same output, bit for bit.
    fn reset(&mut self);

    /// New targets, reached through the declared smoothing (never a step).
    fn set(&mut self, controls: &Self::Controls);

    /// Every smoother jumps to its target (the engine at rest: nothing is heard, nothing
    /// needs to glide).
    fn land(&mut self);

    /// One chunk of at most `max_block` samples. `world` is the latency-aligned input, `ears`
    /// what the character hears so far, changed in place; one slice per channel (1 = mono,
    /// 2 = stereo), all of the same length. Never allocates, locks or does I/O; output finite.
    fn process(&mut self, hearing: &Hearing, world: &[&[f32]], ears: &mut [&mut [f32]]);

    /// True while [`Self::process`] leaves `ears` untouched (bit for bit) and does no signal
    /// work: the stage is off and has faded out.
    fn is_idle(&self) -> bool;
}

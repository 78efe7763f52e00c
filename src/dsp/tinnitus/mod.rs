//! Tinnitus (DESIGN.md §3, Tinnitus): the ringing that is perceived, not heard from outside,
//! so it is added after the ear. Started here with the tonal generator and the rule that
//! matches its pitch to the audiogram; the noise-band, pulsatile and polytonal kinds, the
//! level in dB SL, intermittency, exposure and masking are still to come (issue 5).

pub mod pitch;
pub mod tone;

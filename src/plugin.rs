//! The plugin glue: nice-plug's VST3 and CLAP entry points, parameters mapped to the engine
//! once per block, the editor handed its shared state. Nothing else.

use crate::demo::{self, DemoInput};
use crate::dsp::implant::electrodogram::{self, Electrodogram};
use crate::dsp::Engine;
use crate::editor::snapshot::{self, SnapshotWriter};
use crate::editor::{EarshotEditor, EditorShared};
use crate::params::EarshotParams;
use crate::presets;
use nice_plug::prelude::*;
use std::num::NonZeroU32;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

pub struct Earshot {
    params: Arc<EarshotParams>,
    /// Built in `activate()` (all allocation happens there).
    engine: Option<Engine>,
    /// The audio thread's end of the live view (publishes only while the editor is open).
    snapshot: SnapshotWriter,
    /// The editor's end and the electrodogram every engine writes to.
    editor: Arc<EditorShared>,
    /// The standalone app's built-in input (`earshot-standalone --demo-input`); `None` in a
    /// host.
    demo_input: Option<DemoInput>,
}

impl Default for Earshot {
    fn default() -> Self {
        let params = Arc::new(EarshotParams::default());
        if let Some(id) = demo::standalone().and_then(|d| d.preset.as_deref()) {
            if let Err(e) = presets::find(id).and_then(|p| presets::load(&params, &p)) {
                nice_plug::nice_log!("{e}");
            }
        }
        let open = Arc::new(AtomicBool::new(false));
        let (writer, reader) = snapshot::channel(Arc::clone(&open));
        Self {
            params: Arc::clone(&params),
            engine: None,
            snapshot: writer,
            editor: Arc::new(EditorShared {
                params,
                snapshot: Mutex::new(reader),
                electrodograms: [(); 2]
                    .map(|_| Arc::new(Electrodogram::new(electrodogram::DEFAULT_FRAMES))),
                open,
            }),
            demo_input: None,
        }
    }
}

impl Plugin for Earshot {
    const NAME: &'static str = "Earshot";
    const VENDOR: &'static str = "Earshot";
    const URL: &'static str = "https://example.invalid/earshot";
    const EMAIL: &'static str = "earshot@example.invalid";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(1),
            ..AudioIOLayout::const_default()
        },
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type Editor = EarshotEditor;
    type SysExMessage = ();
    type BackgroundTask = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        Some(EarshotEditor::new(Arc::clone(&self.editor)))
    }

    fn activate(
        &mut self,
        _layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        let engine = Engine::with_electrodograms(
            buffer_config.sample_rate,
            &self.params.engine_params(),
            self.editor.electrodograms.clone(),
        );
        context.set_latency_samples(engine.latency() as u32);
        self.engine = Some(engine);
        if demo::standalone().is_some_and(|d| d.demo_input) {
            self.demo_input = Some(DemoInput::new(buffer_config.sample_rate));
        }
        true
    }

    fn reset(&mut self) {
        if let Some(e) = &mut self.engine {
            e.set_params(&self.params.engine_params());
            e.reset();
        }
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        _aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        if let Some(d) = &mut self.demo_input {
            d.fill(buffer.as_slice());
        }
        if let Some(e) = &mut self.engine {
            e.set_params(&self.params.engine_params());
            // The timeline position of the input: a latency-compensating host reports where
            // playback is heard and feeds the plugin `latency` samples ahead.
            let transport = context.transport();
            let timeline = transport
                .pos_samples()
                .filter(|_| transport.playing)
                .map(|p| p + e.latency() as i64);
            e.process_at(buffer.as_slice(), timeline);
            self.snapshot.after_block(e, buffer.samples());
        }
        ProcessStatus::Normal
    }
}

impl ClapPlugin for Earshot {
    // Fixed forever: hosts identify the plugin (and saved sessions) by it.
    const CLAP_ID: &'static str = "org.earshot.earshot";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Hear through damaged ears: calibrated hearing-loss simulation");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Stereo,
        ClapFeature::Mono,
        ClapFeature::Utility,
    ];
}

impl Vst3Plugin for Earshot {
    // Fixed forever, as the CLAP id.
    const VST3_CLASS_ID: [u8; 16] = *b"EarshotHearLoss1";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] =
        &[Vst3SubCategory::Fx, Vst3SubCategory::Tools];
}

nice_export_clap!(Earshot);
nice_export_vst3!(Earshot);

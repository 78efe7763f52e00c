-- ardour7-lua crash_probe.lua SESSION_DIR EXPORT_DIR: a new session with one plugin on a stereo
-- track fed by the test material (earshot_material.lua), rendered once. PROBE names the plugin
-- (default Earshot), PROBE_LV2=1 looks for an LV2 instead of a VST3 (e.g. PROBE="ACE Delay",
-- Ardour's own). Run it 20 times: Ardour 7.3 dies in some of the runs whatever the plugin,
-- not once in 12 runs without one. Needs the HOME test_ardour.py sets up (scan, export preset).

local session_dir, export_dir = arg[1], arg[2]
local N = 6 * 48000
AudioEngine:set_backend("None (Dummy)", "", "")
if not create_session(session_dir, "probe", 48000) then print("FAIL create") return end
local track = Session:new_audio_track(2, 2, nil, 1, "material",
	ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
local gen = ARDOUR.LuaAPI.new_luaproc(Session, "Earshot test material")
track:add_processor_by_index(gen, 0, nil, true)
local region = track:bounce_range(0, N, ARDOUR.InterThreadInfo(), gen, true, "material")
track:remove_processor(gen, nil, true)
track:playlist():add_region(region, Temporal.timepos_t(0), 1, false, 0, 0, false)
local ptype = os.getenv("PROBE_LV2") and ARDOUR.PluginType.LV2 or ARDOUR.PluginType.VST3
local proc = ARDOUR.LuaAPI.new_plugin(Session, os.getenv("PROBE") or "Earshot", ptype, "")
if proc:isnil() then print("FAIL plugin") close_session() return end
track:add_processor_by_index(proc, 0, nil, true)
print("LATENCY\t" .. proc:signal_latency())
local e = Session:simple_export()
e:set_preset("3f0c8f55-5a43-4b5e-9c1e-6a1de0a5e001")
e:set_folder(export_dir)
e:set_range(0, N)
print("EXPORT\t" .. tostring(e:run_export()))
ARDOUR.LuaAPI.usleep(1000000)
exporter = e
track, proc, gen, region = nil, nil, nil, nil
collectgarbage()
close_session()
print("DONE")
io.stdout:flush()
os.exit(0, false)

-- Earshot in Ardour, headless: run by tests/python/test_ardour.py as
--   ardour7-lua session.lua SESSION_DIR EXPORT_DIR
-- with HOME pointing at a scratch home where the VST3 is installed and scanned, the test
-- material generator is in ~/.config/ardour7/scripts and the float-WAV export preset in
-- ~/.config/ardour7/export. Lines starting with a tag (PARAM, EXPORT, FAIL) are for the test.

local session_dir, export_dir = arg[1], arg[2]
local RATE = 48000
local N = 6 * RATE -- the material and every export: 6 s
-- "Earshot float WAV" (tests/python/test_ardour.py writes it): 32-bit float, no dither,
-- no normalisation.
local PRESET = "3f0c8f55-5a43-4b5e-9c1e-6a1de0a5e001"

AudioEngine:set_backend("None (Dummy)", "", "")
if not create_session(session_dir, "earshot", RATE) then
	print("FAIL\tcannot create the session")
	return
end

local track = Session:new_audio_track(2, 2, nil, 1, "material",
	ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()

-- The material: the project's own generator, bounced into a region (Ardour's Lua API has no
-- file import without the GUI). Fades off, so the region is the generator's output exactly.
local gen = ARDOUR.LuaAPI.new_luaproc(Session, "Earshot test material")
if gen:isnil() then
	print("FAIL\tthe test material generator (earshot_material.lua) was not found")
	close_session()
	return
end
track:add_processor_by_index(gen, 0, nil, true)
local region = track:bounce_range(0, N, ARDOUR.InterThreadInfo(), gen, true, "material")
track:remove_processor(gen, nil, true)
local ar = region:to_audioregion()
ar:set_fade_in_active(false)
ar:set_fade_out_active(false)
track:playlist():add_region(region, Temporal.timepos_t(0), 1, false, 0, 0, false)
print("MATERIAL\t" .. region:source(0):to_filesource():path())

-- Earshot as an insert on the track.
local proc = ARDOUR.LuaAPI.new_plugin(Session, "Earshot", ARDOUR.PluginType.VST3, "")
if proc:isnil() then
	print("FAIL\tArdour cannot load the Earshot VST3 (not scanned, or the scan cache is stale)")
	close_session()
	return
end
track:add_processor_by_index(proc, 0, nil, true)
local plug = proc:to_insert():plugin(0)
local index = {}
for i = 0, plug:parameter_count() - 1 do
	local name = plug:parameter_label(i)
	index[name] = i
	print("PARAM\t" .. i .. "\t" .. name)
end
print("LATENCY\t" .. proc:signal_latency())

-- One exporter for every render, each into a folder of its own (the file is named by the
-- preset, not by set_name). A fresh simple_export() per render corrupted Ardour 7.3's heap
-- by the third one (glibc abort in the next ExportProfileManager).
local exporter = Session:simple_export()
local function export(name)
	local folder = export_dir .. "/" .. name
	os.execute("mkdir -p '" .. folder .. "'")
	exporter:set_preset(PRESET)
	exporter:set_folder(folder)
	exporter:set_range(0, N)
	print("EXPORT\t" .. name .. "\t" .. tostring(exporter:run_export()))
end

-- (0) Everything at its default (severity 0): the world, delayed by the reported latency
-- and compensated by Ardour.
export("transparent")

-- One parameter of each group automated across its whole range over the render.
local function automate(name, from, to)
	local i = index[name]
	local al = ARDOUR.LuaAPI.plugin_automation(proc, i)
	al:clear_list()
	al:add(Temporal.timepos_t(0), from, false, true)
	al:add(Temporal.timepos_t(N), to, false, true)
	local ctl = proc:to_automatable():automation_control(
		Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, i), false)
	ctl:set_automation_state(ARDOUR.AutoState.Play)
	return function()
		ctl:set_automation_state(ARDOUR.AutoState.Off)
		al:clear_list()
	end
end

local groups = {
	{ "Loss", "Severity", 0, 1 },
	{ "Left ear", "Left 4 kHz", -10, 120 },
	{ "Right ear", "Right 4 kHz", -10, 120 },
	{ "Implant", "Implant", 0, 1 },
	{ "Tinnitus", "Tinnitus", 0, 1 },
	{ "Body", "Body", 0, 1 },
	{ "Output", "POV", 1, 0 },
	{ "Story", "Story", 0, 1 },
}
for _, g in ipairs(groups) do
	ARDOUR.LuaAPI.reset_processor_to_default(proc)
	if g[1] == "Story" then
		ARDOUR.LuaAPI.set_processor_param(proc, index["Mode"], 1)
	end
	if g[1] == "Right ear" then
		ARDOUR.LuaAPI.set_processor_param(proc, index["Link ears"], 0)
		ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
	end
	if g[1] == "Left ear" then
		ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
	end
	local off = automate(g[2], g[3], g[4])
	export("group_" .. g[1]:gsub(" ", "_"))
	off()
end

close_session()
print("DONE")

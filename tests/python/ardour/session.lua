-- Earshot in Ardour, headless: run by tests/python/test_ardour.py as
--   ardour7-lua session.lua SESSION_DIR EXPORT_DIR CASE
-- with HOME pointing at a scratch home where the VST3 is installed and scanned, the test
-- material generator is in ~/.config/ardour7/scripts and the float-WAV export preset in
-- ~/.config/ardour7/export. One render per run (several exports in one run are not reliable
-- in Ardour 7.3's Lua session: see test_ardour.py).
--
-- CASE "create": a new session: the material bounced into a region on a stereo track,
-- Earshot inserted, Story mode with the story automated 0 -> 1 over the render; saved; then
-- rendered ("story_first"). Every other CASE loads the saved session and renders once:
--   "story_reopened"  the same, after the save and reload;
--   "transparent"     every parameter at its default (automation off);
--   "static"          the defaults at severity 100 % (no automation);
--   "group_<Group>"   one parameter of that group automated across its range.
-- Lines starting with a tag (PARAM, LATENCY, MATERIAL, EXPORT, FAIL, DONE) are for the test.

local session_dir, export_dir, case = arg[1], arg[2], arg[3]
local NAME = "earshot"
local RATE = 48000
local N = 6 * RATE -- the material and every render: 6 s
-- "Earshot float WAV" (tests/python/test_ardour.py writes it): 32-bit float, no dither,
-- no normalisation.
local PRESET = "3f0c8f55-5a43-4b5e-9c1e-6a1de0a5e001"

local function fail(why)
	print("FAIL\t" .. why)
end

AudioEngine:set_backend("None (Dummy)", "", "")
-- Ardour sends plugin automation once per buffer: small buffers follow a ramp closely.
AudioEngine:set_buffer_size(tonumber(os.getenv("EARSHOT_ARDOUR_BLOCK") or "64"))
local track, proc
-- "clicks_<Param>": a session of its own, on the click metric's tone.
local clicks = case:sub(1, 7) == "clicks_"
if case == "create" or clicks then
	if not create_session(clicks and (session_dir .. "_" .. case) or session_dir, NAME, RATE) then
		return fail("cannot create the session")
	end
	track = Session:new_audio_track(2, 2, nil, 1, "material",
		ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true):front()
	-- The material: the project's own generator, bounced into a region (Ardour's Lua API
	-- has no file import without the GUI). Fades off: the region is the generator's output.
	local gen = ARDOUR.LuaAPI.new_luaproc(Session, "Earshot test material")
	if gen:isnil() then
		close_session()
		return fail("the test material generator (earshot_material.lua) was not found")
	end
	if clicks then
		ARDOUR.LuaAPI.set_processor_param(gen, 0, 1)
	end
	track:add_processor_by_index(gen, 0, nil, true)
	local region = track:bounce_range(0, N, ARDOUR.InterThreadInfo(), gen, true, "material")
	track:remove_processor(gen, nil, true)
	local ar = region:to_audioregion()
	ar:set_fade_in_active(false)
	ar:set_fade_out_active(false)
	track:playlist():add_region(region, Temporal.timepos_t(0), 1, false, 0, 0, false)
	print("MATERIAL\t" .. region:source(0):to_filesource():path())
	proc = ARDOUR.LuaAPI.new_plugin(Session, "Earshot", ARDOUR.PluginType.VST3, "")
	if proc:isnil() then
		close_session()
		return fail("Ardour cannot load the Earshot VST3 (not scanned, or the scan cache is stale)")
	end
	track:add_processor_by_index(proc, 0, nil, true)
else
	if not load_session(session_dir, NAME) then
		return fail("cannot load the saved session")
	end
	track = Session:route_by_name("material"):to_track()
	proc = track:nth_plugin(0)
	if proc:isnil() then
		close_session()
		return fail("the reopened session has no Earshot on the track")
	end
end

local plug = proc:to_insert():plugin(0)
local index = {}
for i = 0, plug:parameter_count() - 1 do
	local name = plug:parameter_label(i)
	index[name] = i
	if case == "create" then
		print("PARAM\t" .. i .. "\t" .. name)
	end
end
print("LATENCY\t" .. proc:signal_latency())

-- Automation of the parameter `name` from `from` (start) to `to` (end of the render), in
-- the plain units Ardour shows for VST3 parameters; nil, nil turns it off.
local function automate(name, from, to)
	local i = index[name]
	local al = ARDOUR.LuaAPI.plugin_automation(proc, i)
	local ctl = proc:to_automatable():automation_control(
		Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, i), false)
	al:clear_list()
	if from == nil then
		ctl:set_automation_state(ARDOUR.AutoState.Off)
		return
	end
	al:add(Temporal.timepos_t(0), from, false, true)
	al:add(Temporal.timepos_t(N), to, false, true)
	ctl:set_automation_state(ARDOUR.AutoState.Play)
end

local function export(name)
	local folder = export_dir .. "/" .. name
	os.execute("mkdir -p '" .. folder .. "'")
	local e = Session:simple_export()
	e:set_preset(PRESET)
	e:set_folder(folder)
	e:set_range(0, N)
	print("EXPORT\t" .. name .. "\t" .. tostring(e:run_export()))
	-- run_export() returns when the file is written, but Ardour's process thread is still
	-- tearing down the export graph (ExportHandler::finish_timespan ->
	-- ExportGraphBuilder::reset); collecting `e` meanwhile freed it twice and aborted about
	-- one run in five ("munmap_chunk(): invalid pointer", core dump backtrace). So `e`
	-- stays referenced until that is surely over.
	ARDOUR.LuaAPI.usleep(1000000)
	exporter = e
end

local groups = {
	Loss = { "Severity", 0, 1 },
	Left_ear = { "Left 4 kHz", -10, 120 },
	Right_ear = { "Right 4 kHz", -10, 120 },
	Implant = { "Implant", 0, 1 },
	Tinnitus = { "Tinnitus", 0, 1 },
	Body = { "Body", 0, 1 },
	Output = { "POV", 1, 0 },
	Story = { "Story", 0, 1 },
}

if case == "create" then
	ARDOUR.LuaAPI.set_processor_param(proc, index["Mode"], 1)
	automate("Story", 0, 1)
	export("story_first")
	-- Saved after the render: the plugin has then processed with the values set above, so
	-- its own state (which Ardour stores and restores) has them too. Saved right after
	-- setting them, the reopened session rendered Manual mode (its state still said so).
	Session:save_state("", false, false, false, false, false)
elseif case == "clicks_Story" then
	-- The whole story swept across the tone.
	ARDOUR.LuaAPI.set_processor_param(proc, index["Mode"], 1)
	automate("Story", 0, 1)
	export(case)
elseif clicks then
	-- The click metric's automation (tests/common/mod.rs `automated`): the parameter held
	-- 150 ms, then moved to its other value in a 10 ms linear ramp, over and over.
	local name, a, b = "Severity", 0, 1
	if case == "clicks_POV" then
		ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
		ARDOUR.LuaAPI.set_processor_param(proc, index["POV mode"], 1)
		name, a, b = "POV", 1, 0
	end
	local i = index[name]
	local al = ARDOUR.LuaAPI.plugin_automation(proc, i)
	al:clear_list()
	local hold, ramp = math.floor(0.15 * RATE), math.floor(0.01 * RATE)
	al:add(Temporal.timepos_t(0), a, false, true)
	local k, t = 0, hold
	while t + ramp < N do
		local from, to = a, b
		if k % 2 == 1 then
			from, to = b, a
		end
		al:add(Temporal.timepos_t(t), from, false, true)
		al:add(Temporal.timepos_t(t + ramp), to, false, true)
		print("MOVE\t" .. t)
		k, t = k + 1, t + hold + ramp
	end
	proc:to_automatable():automation_control(
		Evoral.Parameter(ARDOUR.AutomationType.PluginAutomation, 0, i), false
	):set_automation_state(ARDOUR.AutoState.Play)
	export(case)
elseif case == "story_reopened" then
	export("story_reopened")
else
	automate("Story", nil, nil)
	ARDOUR.LuaAPI.reset_processor_to_default(proc)
	if case ~= "transparent" then
		local g = groups[case:sub(7)]
		if g == nil and case ~= "static" then
			close_session()
			return fail("unknown case " .. case)
		end
		if case == "static" then
			ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
		elseif case == "group_Story" then
			ARDOUR.LuaAPI.set_processor_param(proc, index["Mode"], 1)
		elseif case == "group_Right_ear" then
			ARDOUR.LuaAPI.set_processor_param(proc, index["Link ears"], 0)
			ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
		elseif case == "group_Left_ear" then
			ARDOUR.LuaAPI.set_processor_param(proc, index["Severity"], 1)
		end
		if g ~= nil then
			automate(g[1], g[2], g[3])
		end
	end
	export(case)
end

-- Drop every reference to the session's objects before closing it: a track still held by
-- Lua is destroyed later, with the Lua state, after its IO is gone (valgrind: use after
-- free in IO::~IO), which corrupted the heap and aborted about one run in ten.
track, proc, plug = nil, nil, nil
collectgarbage()
close_session()
print("DONE")
io.stdout:flush()
os.exit(0, false)

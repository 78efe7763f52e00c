ardour {
	["type"]    = "dsp",
	name        = "Earshot test material",
	category    = "Instrument",
	license     = "ISC",
	author      = "Earshot",
	description = [[Deterministic drums and melody for Earshot's Ardour test; or, with Tone on,
a 1 kHz tone at 70 dB SPL (the click metric's signal)]]
}

function dsp_params ()
	return { { ["type"] = "input", name = "Tone", min = 0, max = 1, default = 0, toggled = true } }
end

function dsp_ioconfig ()
	return { [1] = { audio_in = -1, audio_out = -1 }, }
end

local rate = 48000
local n = 0
local seed = 0x12345678

function dsp_init (r)
	rate = r
end

local function noise ()
	-- xorshift32 (Marsaglia 2003), as the project's demo loop
	seed = seed ~ ((seed << 13) & 0xffffffff)
	seed = seed ~ (seed >> 17)
	seed = seed ~ ((seed << 5) & 0xffffffff)
	return seed / 4294967295.0 * 2.0 - 1.0
end

-- The click metric's tone (tests/common/mod.rs `tone`): 1 kHz, peak 10^((70 - 100) / 20)
-- (70 dB SPL at the default calibration, 100 dB SPL full scale), 10 ms raised-cosine onset.
local function tone (i)
	local v = 10 ^ ((70 - 100) / 20) * math.sin (2 * math.pi * 1000 * i / rate)
	local ramp = 0.01 * rate
	if i < ramp then
		v = v * (0.5 - 0.5 * math.cos (math.pi * i / ramp))
	end
	return v
end

-- The drums and melody, sample `i`.
local function drums (i)
	local beat = math.floor (rate * 0.5)
	local pos = i % (2 * beat)
	local t = pos / rate
	local v = 0
	if pos < beat then
		local f = 45 + 75 * math.exp (-t * 30)
		v = v + 0.5 * math.sin (2 * math.pi * f * t) * math.exp (-t * 8)
	else
		local ts = (pos - beat) / rate
		v = v + 0.25 * noise () * math.exp (-ts * 18)
	end
	local th = (i % (beat // 2)) / rate
	v = v + 0.06 * noise () * math.exp (-th * 60)
	local fm = ({1320, 1760, 2640, 3520})[(i // beat) % 4 + 1]
	v = v + 0.08 * math.sin (2 * math.pi * fm * i / rate) * math.exp (-((i % beat) / rate) * 6)
	return v
end

function dsp_run (ins, outs, n_samples)
	local sample = CtrlPorts:array ()[1] > 0 and tone or drums
	local a = {}
	for s = 1, n_samples do
		a[s] = sample (n + s - 1)
	end
	n = n + n_samples
	for c = 1, #outs do
		outs[c]:set_table (a, n_samples)
	end
end

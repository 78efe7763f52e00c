ardour {
	["type"]    = "dsp",
	name        = "Earshot test material",
	category    = "Instrument",
	license     = "ISC",
	author      = "Earshot",
	description = [[Deterministic drums and melody for Earshot's Ardour test]]
}

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

function dsp_run (ins, outs, n_samples)
	local a = {}
	local beat = math.floor (rate * 0.5)
	for s = 1, n_samples do
		local i = n + s - 1
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
		a[s] = v
	end
	n = n + n_samples
	for c = 1, #outs do
		outs[c]:set_table (a, n_samples)
	end
end

-- wrk script: each thread sends its own share of precomputed, uniquely
-- signed requests (bench/make_requests.py --raw), never repeating one
-- unless the file runs out.
--   wrk ... -s bench/signed.lua URL -- FILE THREADS
-- FILE holds complete HTTP/1.1 requests, each as "<length>\n<bytes>";
-- thread i of THREADS sends requests i, i + THREADS, i + 2 × THREADS, …
--
-- The file is read as requests go out, not loaded in init(): wrk runs each
-- thread's init() after the previous thread has started sending and starts
-- its clock only after the last init(). Loading 400,000 requests there took
-- seconds, during which thread 0 sent requests that wrk and the stores then
-- counted as part of the timed run (docs/BENCHMARK-FINDINGS.md, finding 25).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  file = assert(io.open(args[1], "rb"))
  stride = tonumber(args[2])
  index = 0
end

-- The next whole request in the file, from the start again at its end.
local function next_record()
  local length = file:read("l")
  if not length then
    file:seek("set", 0)
    length = assert(file:read("l"), "the requests file is empty")
  end
  return file:read(tonumber(length))
end

function request()
  while true do
    local record = next_record()
    local mine = index % stride == id
    index = index + 1
    if mine then return record end
  end
end

-- One machine-readable line for bench/report.py (wrk's own table has no
-- p99.9): requests, duration µs, non-2xx/3xx, socket errors, timeouts, then
-- latency p50 p99 p99.9 max in µs.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %.0f %.0f %.0f %.0f\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
end

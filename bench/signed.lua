-- wrk script: each thread sends its own slice of precomputed, uniquely
-- signed requests (bench/make_requests.py), never repeating one.
--   wrk ... -s bench/signed.lua URL -- FILE THREADS [PATH] [HEADER]
-- PATH defaults to /hooks/stripe, HEADER to Stripe-Signature.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, stride = args[1], tonumber(args[2])
  local path, header = args[3] or "/hooks/stripe", args[4] or "Stripe-Signature"
  requests = {}
  local index = 0
  for line in io.lines(file) do
    if index % stride == id then
      local sig, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", path,
        { ["Content-Type"] = "application/json", [header] = sig }, body)
    end
    index = index + 1
  end
  next_request = 1
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then next_request = 1 end
  return r
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

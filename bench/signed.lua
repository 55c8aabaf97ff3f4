-- wrk script: each thread sends its own slice of precomputed, uniquely
-- signed requests (bench/make_requests.py), never repeating one.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local file, stride = args[1], tonumber(args[2])
  requests = {}
  local index = 0
  for line in io.lines(file) do
    if index % stride == id then
      local sig, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", "/hooks/stripe",
        { ["Content-Type"] = "application/json", ["Stripe-Signature"] = sig }, body)
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

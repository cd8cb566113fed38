-- wrk script for every stateless row of benches/run. The request comes from a spec file given
-- after `--`: lines `method M`, `path P`, `header Name: value` (repeatable), `body B` (repeatable:
-- requests cycle through the bodies, e.g. several delegation tokens), `expect TEXT` (a success body
-- must contain it) and `status N` (a success must have exactly this status).
--
--   wrk -t1 -c64 -d10s -s benches/lua/spec.lua http://127.0.0.1:8080 -- check.spec
--
-- done() prints one line `BENCH {json}`: requests, duration, p50/p99 (microseconds), wrk's socket
-- and status errors, and `unexpected`: answers below 400 that are not the expected success.

local method, path, expect, want_status = "GET", "/", nil, nil
local headers, bodies, requests = {}, {}, {}
local counter = 0
unexpected = 0
local threads = {}

local function load_spec(file)
  local f = assert(io.open(file, "r"), "can not open spec " .. tostring(file))
  for line in f:lines() do
    local key, value = line:match("^(%S+) (.*)$")
    if key == "method" then method = value
    elseif key == "path" then path = value
    elseif key == "header" then
      local name, v = value:match("^([^:]+):%s*(.*)$")
      headers[name] = v
    elseif key == "body" then table.insert(bodies, value)
    elseif key == "expect" then expect = value
    elseif key == "status" then want_status = tonumber(value)
    end
  end
  f:close()
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  load_spec(args[1])
  if #bodies == 0 then
    requests[1] = wrk.format(method, path, headers, nil)
  else
    for i, body in ipairs(bodies) do
      requests[i] = wrk.format(method, path, headers, body)
    end
  end
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, hdrs, body)
  if status >= 400 then return end -- counted by wrk as a status error
  if (want_status and status ~= want_status) or (expect and not body:find(expect, 1, true)) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("unexpected") or 0) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%.1f,"p99_us":%.1f,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"status":%d,"unexpected":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.timeout, e.status, bad))
end

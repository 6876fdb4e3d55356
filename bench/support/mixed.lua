-- bench/http_mixed.py's wrk script: one wrk thread per client (-t N -c N), so that each
-- thread's Lua state knows which request its answer belongs to.
--
-- wrk -t50 -c50 -d60s --timeout 30s -s mixed.lua http://127.0.0.1:PORT -- DATA THINK_MS RUN
--
-- DATA is a Lua file written per run by bench/http_mixed.py: it returns
--   { clients = { {token = "...", department = 1}, ... },
--     opens = { [1] = {message ids}, ... },        -- of each department's inbox
--     sends = { [1] = {JSON bodies}, ... },         -- shares within consent, per department
--     mix = {inbox = 0.6, open = 0.3} }             -- the rest: sends
-- THINK_MS is the pause before each request (± 20 %; the first one anywhere from 0 to
-- THINK_MS + 20 %), 0 for none; RUN prefixes the Idempotency-Keys (a fresh key per send).
--
-- A send counts only when answered 201, the others only when answered 200. An answer that
-- never came (socket error, reset) is counted against the action that was waiting for it.
-- done() prints one line, "MIXED {json}", with wrk's own latency percentiles for all
-- requests and, per action, counts, statuses and latency percentiles measured here
-- (CLOCK_MONOTONIC around each request).

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } mixed_timespec;
  int clock_gettime(int clock, mixed_timespec *ts);
]])
local clock = ffi.new("mixed_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local ACTIONS = { "inbox", "open", "send" }
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local data = dofile(args[1])
  think_ms = tonumber(args[2]) or 0
  run_id = args[3] or "run"
  local me = data.clients[(id - 1) % #data.clients + 1]
  token = "Bearer " .. me.token
  opens = data.opens[me.department]
  sends = data.sends[me.department]
  mix_inbox = data.mix.inbox
  mix_open = data.mix.inbox + data.mix.open
  math.randomseed(id * 7919 + os.time())
  sent = 0
  pending, started, verified, staggered = nil, 0, false, false
  -- Flat tables only: wrk 4.1's thread:get() crashes copying a table inside a table.
  -- Per action: latencies in ms (negative: a bad answer), socket errors, the first bad
  -- answer; statuses as "action status" = count.
  lat_inbox, lat_open, lat_send = {}, {}, {}
  lost_inbox, lost_open, lost_send = 0, 0, 0
  sample_inbox, sample_open, sample_send = "", "", ""
  statuses = {}
end

function delay()
  if think_ms <= 0 then
    return 0
  end
  if not staggered then
    -- Staff do not work in step: each client starts at its own moment of the first pause.
    staggered = true
    return math.random(0, math.floor(think_ms * 1.2))
  end
  return math.random(math.floor(think_ms * 0.8), math.floor(think_ms * 1.2))
end

function request()
  if not verified then
    -- wrk calls the first thread's request() once before the run, to check the request it
    -- makes: that one is never sent.
    verified = true
    if id == 1 then
      return wrk.format("GET", "/api/v1/mailbox/inbox", { ["Authorization"] = token })
    end
  end
  if pending ~= nil then
    -- The previous request got no answer: wrk reconnected and asks for a new one.
    _G["lost_" .. pending] = _G["lost_" .. pending] + 1
  end
  local r = math.random()
  local req
  if r < mix_inbox then
    pending = "inbox"
    req = wrk.format("GET", "/api/v1/mailbox/inbox", { ["Authorization"] = token })
  elseif r < mix_open then
    pending = "open"
    local path = "/api/v1/messages/" .. opens[math.random(#opens)]
    req = wrk.format("GET", path, { ["Authorization"] = token })
  else
    pending = "send"
    sent = sent + 1
    req = wrk.format("POST", "/api/v1/messages", {
      ["Authorization"] = token,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("%s-%d-%d", run_id, id, sent),
    }, sends[math.random(#sends)])
  end
  started = now_ms()
  return req
end

function response(status, headers, body)
  if pending == nil then
    return
  end
  local action = pending
  pending = nil
  local elapsed = now_ms() - started
  local key = action .. " " .. status
  statuses[key] = (statuses[key] or 0) + 1
  local ok = (action == "send" and status == 201) or (action ~= "send" and status == 200)
  local times = _G["lat_" .. action]
  if ok then
    times[#times + 1] = elapsed
  else
    times[#times + 1] = -elapsed -- a bad answer, still timed
    if _G["sample_" .. action] == "" then
      _G["sample_" .. action] = status .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  local i = math.max(1, math.ceil(#sorted * p / 100))
  return sorted[i]
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local actions = {}
  local unfinished = 0
  for _, a in ipairs(ACTIONS) do
    actions[a] = { times = {}, ok = 0, bad = 0, lost = 0, statuses = {}, sample = "" }
  end
  for _, t in ipairs(threads) do
    if t:get("pending") ~= nil then
      unfinished = unfinished + 1 -- cut off by the end of the run: not an error
    end
    for code, n in pairs(t:get("statuses")) do
      local a, status = string.match(code, "^(%a+) (%d+)$")
      actions[a].statuses[status] = (actions[a].statuses[status] or 0) + n
    end
    for _, a in ipairs(ACTIONS) do
      local acc = actions[a]
      for _, ms in ipairs(t:get("lat_" .. a)) do
        if ms >= 0 then
          acc.ok = acc.ok + 1
        else
          acc.bad = acc.bad + 1
        end
        table.insert(acc.times, math.abs(ms))
      end
      acc.lost = acc.lost + t:get("lost_" .. a)
      if acc.sample == "" then
        acc.sample = t:get("sample_" .. a)
      end
    end
  end
  local parts = {}
  for _, a in ipairs(ACTIONS) do
    local acc = actions[a]
    table.sort(acc.times)
    local codes = {}
    for code, n in pairs(acc.statuses) do
      table.insert(codes, string.format('"%s": %d', code, n))
    end
    table.insert(parts, string.format(
      '"%s": {"ok": %d, "bad": %d, "lost": %d, "statuses": {%s}, "p50": %.3f, ' ..
      '"p95": %.3f, "p99": %.3f, "max": %.3f, "sample": %s}',
      a, acc.ok, acc.bad, acc.lost, table.concat(codes, ", "),
      percentile(acc.times, 50), percentile(acc.times, 95), percentile(acc.times, 99),
      acc.times[#acc.times] or 0, json_string(acc.sample)))
  end
  local e = summary.errors
  io.write(string.format(
    'MIXED {"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "status": %d, "unfinished": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "actions": {%s}}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.timeout,
    e.status, unfinished, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, table.concat(parts, ", ")))
end

-- wrk script for bench/run: GET wrk.path with a credential taken from a file, one per line.
--   wrk ... -s bench/wrk.lua URL -- FILE HEADER MODE THREADS [BURST] [LIMIT] [DONE_PREFIX]
--   HEADER  "bearer" (Authorization: Bearer <line>) or "apikey" (X-API-Key: <line>)
--   MODE    "rotate": each connection's next request takes the thread's next credential; threads
--                     start at different offsets so that all credentials are in use at once
--           "storm":  every thread walks the credentials in order, BURST requests each, so each new
--                     subject's first requests arrive together (THREADS x BURST at once); a thread
--                     stops after LIMIT answers (0: at the duration) and creates DONE_PREFIX<id>
-- done() prints one "BENCH key=value ..." line that bench/run parses; statuses are counted here,
-- since wrk's own "Non-2xx or 3xx" lets 3xx pass.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file, header, thread_count = args[1], args[2], tonumber(args[4])
  mode = args[3]
  burst = tonumber(args[5] or "1")
  limit = tonumber(args[6] or "0")
  done_prefix = args[7]
  prepared = {}
  for line in io.lines(file) do
    if line ~= "" then
      local headers = {}
      if header == "apikey" then headers["X-API-Key"] = line else headers["Authorization"] = "Bearer " .. line end
      prepared[#prepared + 1] = wrk.format("GET", wrk.path, headers)
    end
  end
  if #prepared == 0 then error("no credentials in " .. file) end
  sent, answered, ok, unauthorized, other = 0, 0, 0, 0, 0
  offset = 0
  if mode == "rotate" then offset = math.floor(id * #prepared / thread_count) end
end

function request()
  local index
  if mode == "storm" then
    index = math.floor(sent / burst) % #prepared
  else
    index = (offset + sent) % #prepared
  end
  sent = sent + 1
  return prepared[index + 1]
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 401 then
    unauthorized = unauthorized + 1
  else
    other = other + 1
  end
  if limit > 0 and answered == limit then
    if done_prefix then io.open(done_prefix .. id, "w"):close() end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local totals = { ok = 0, unauthorized = 0, other = 0 }
  for _, thread in ipairs(threads) do
    totals.ok = totals.ok + thread:get("ok")
    totals.unauthorized = totals.unauthorized + thread:get("unauthorized")
    totals.other = totals.other + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d ok=%d s401=%d other=%d socket_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    totals.ok, totals.unauthorized, totals.other, e.connect + e.read + e.write, e.timeout))
end

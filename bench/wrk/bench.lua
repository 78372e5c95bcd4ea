-- The wrk cross-check of the bench (bench -- wrk): Debian's C load generator beside the bench's own client.
--
-- Bare:  wrk -t1 -c200 -d10s --latency -s bench/wrk/bench.lua http://127.0.0.1:PORT/health/live
-- Holds: TB_COOKIES=FILE TB_CONCERT=ID wrk -t1 -c200 -d10s --latency -s bench/wrk/bench.lua http://127.0.0.1:PORT/api/holds
--
-- With TB_COOKIES (a file of "tb_session=…" lines, one buyer each) every request is a hold decision: the next buyer in
-- the pool replaces their GA hold of concert TB_CONCERT with 1–4 tickets (the quantity changes each time round the
-- pool, so every request moves the counters). Without it no request() is defined and wrk sends its plain static GET, as
-- with no script at all. The choice is made when the script loads (wrk decides static or dynamic before init runs).
-- done() prints one line the bench parses: exact counts, and latency percentiles in microseconds.

local cookieFile, concertId = os.getenv("TB_COOKIES"), os.getenv("TB_CONCERT")

if cookieFile then
  local cookies, bodies, sent = {}, {}, 0
  for line in io.lines(cookieFile) do
    if #line > 0 then cookies[#cookies + 1] = line end
  end
  for quantity = 1, 4 do
    bodies[quantity] = string.format('{"concertId":"%s","items":[{"tier":"GA","quantity":%d}]}', concertId, quantity)
  end

  function request()
    sent = sent + 1
    local buyer = sent % #cookies
    local body = bodies[math.floor(sent / #cookies) % 4 + 1]
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Cookie"] = cookies[buyer + 1] }, body)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end

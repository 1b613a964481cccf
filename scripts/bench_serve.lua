-- wrk script for scripts/bench_serve.py: one header for the session or the token, and the
-- figures as one JSON line.
local name = os.getenv("BENCH_HEADER_NAME")
if name ~= nil and name ~= "" then
    wrk.headers[name] = os.getenv("BENCH_HEADER_VALUE")
end
wrk.headers["Accept-Language"] = "en"

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        '{"requests": %d, "seconds": %.3f, "errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f}\n',
        summary.requests, summary.duration / 1e6,
        e.connect + e.read + e.write + e.status + e.timeout,
        latency:percentile(50) / 1000, latency:percentile(95) / 1000,
        latency:percentile(99) / 1000))
end

-- wrk's report as one JSON line (read by scripts/benchlib/measure.py): requests, duration, errors by kind and the
-- latency percentiles in microseconds. The request headers (session cookie, token, X-Forwarded-Proto) are
-- given with -H on the command line.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-WRK {"requests": %d, "duration_us": %d, "bytes": %d, '
    .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
    .. '"latency_us": {"min": %d, "max": %d, "mean": %.1f, "p50": %d, "p95": %d, "p99": %d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.max, latency.mean, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end

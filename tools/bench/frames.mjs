// The page's frame interval while the point moves every frame, so the page
// draws each one (the browser's own 60 Hz caps it at 16.7 ms): the median of
// 61 intervals, in milliseconds. Shared by the benchmarks.
export function frameInterval(page) {
  return page.evaluate(async () => {
    const intervals = [];
    let last = performance.now();
    for (let i = 0; i < 61; i++) {
      window.latentpad.setLatent(Math.sin(i / 10), Math.cos(i / 10));
      await new Promise((done) => requestAnimationFrame(done));
      intervals.push(performance.now() - last);
      last = performance.now();
    }
    return intervals.sort((a, b) => a - b)[30];
  });
}

// The page's smoothness over `ms` milliseconds while the point moves every
// frame (so every frame is drawn): the frame intervals' median, p95 and
// maximum, and the long tasks (over 50 ms on the main thread, as Chromium's
// PerformanceObserver 'longtask' reports them) that happened meanwhile.
export function smoothness(page, ms) {
  return page.evaluate(async (ms) => {
    const long = [];
    const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) long.push(entry.duration); });
    observer.observe({ type: 'longtask' });
    const intervals = [];
    const t0 = performance.now();
    let last = t0;
    for (let i = 0; performance.now() - t0 < ms; i++) {
      window.latentpad.setLatent(0.8 * Math.sin(i / 10), 0.8 * Math.cos(i / 10));
      await new Promise((done) => requestAnimationFrame(done));
      const now = performance.now();
      intervals.push(now - last);
      last = now;
    }
    await new Promise((done) => setTimeout(done, 50));
    for (const entry of observer.takeRecords()) long.push(entry.duration);
    observer.disconnect();
    intervals.sort((a, b) => a - b);
    const at = (q) => intervals[Math.min(intervals.length - 1, Math.floor(q * intervals.length))];
    return { frames: intervals.length, p50: at(0.5), p95: at(0.95), max: intervals[intervals.length - 1],
             longTasks: long.length, longestTask: long.length ? Math.max(...long) : 0 };
  }, ms);
}

export function formatSmoothness(label, s) {
  return `${label}: ${s.frames} frames, interval p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, ` +
         `max ${s.max.toFixed(1)} ms; ${s.longTasks} long tasks (> 50 ms)` +
         (s.longTasks ? `, the longest ${s.longestTask.toFixed(0)} ms` : '');
}

// The main-thread cost of the training snapshots the page took since the last
// reset (latentpad.benchSnapshots()): count, median and maximum of each part.
export function formatSnapshots(samples) {
  if (samples.length === 0) return 'snapshot_ms: no snapshots arrived';
  const stat = (key) => {
    const v = samples.map((s) => s[key]).sort((a, b) => a - b);
    return `median ${v[v.length >> 1].toFixed(1)}, max ${v[v.length - 1].toFixed(1)}`;
  };
  return `snapshot_ms over ${samples.length} snapshots: total ${stat('total')} ` +
         `(handler ${stat('handler')}; the frame after it ${stat('frame')})`;
}

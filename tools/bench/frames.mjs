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

/**
 * Preloaded into a measured process (`node --import rss-probe.js …`): at exit, writes the process's peak
 * resident set size in bytes to the file named by USERMIG_RSS_FILE.
 *
 * With USERMIG_HEAP_FILE, each thread of the process (the preload runs in worker threads too) also
 * samples the size of its V8 heap every 20 ms and keeps the peak in `USERMIG_HEAP_FILE.main` or
 * `USERMIG_HEAP_FILE.worker-N` (bytes), rewritten whenever the peak has grown by a megabyte: a worker
 * that is terminated has no exit to write it at. What a thread allocates while it runs synchronously
 * (a worker's commit, say) is not seen.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const file = process.env.USERMIG_RSS_FILE;
if (file && isMainThread) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}

const heapFile = process.env.USERMIG_HEAP_FILE;
if (heapFile) {
  const own = `${heapFile}.${isMainThread ? 'main' : `worker-${threadId}`}`;
  let peak = 0;
  let written = 0;
  const sample = () => {
    peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
    if (peak - written >= 1 << 20) {
      fs.writeFileSync(own, String(peak));
      written = peak;
    }
  };
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    sample();
    fs.writeFileSync(own, String(peak));
  });
}

/**
 * Preloaded into a measured process (`node --import rss-probe.js …`): at exit, writes the process's peak
 * resident set size in bytes to the file named by USERMIG_RSS_FILE.
 */
import fs from 'node:fs';

const file = process.env.USERMIG_RSS_FILE;
if (file) {
  process.on('exit', () => {
    fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024));
  });
}

// Preloaded into a benchmarked child process (node --import): on exit, its peak resident set size on stderr.
import process from 'node:process';
process.on('exit', () => {
  process.stderr.write(`\nbench-max-rss-kb ${process.resourceUsage().maxRSS}\n`);
});

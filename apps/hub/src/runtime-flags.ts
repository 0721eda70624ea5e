/**
 * The flags Node runs the hub with, wherever it is started: `npm start`, `npm run start:prod`,
 * the systemd units in deploy/, the demo and the benchmarks (so that what is measured is what a
 * school runs).
 *
 * `--max-semi-space-size=64` (MB) lets V8's young generation grow to 64 MB semi-spaces (Node 20's
 * default is 16 MB). Every lock, tile and answer the hub handles makes short-lived objects; with
 * 13,000 devices connected, scavenges of the small default young generation took about a third of
 * the hub's main thread during a burst of class locks, and promoted objects that died soon after.
 * Measured on bench:classroom's 100 classes of 30 at once (issue 12, 10,000 other devices, on
 * SQLite, this 2-core machine, four runs each): the hub's CPU per round fell from 806-838 ms to
 * 686-707 ms and the p99 of a class's 30 of 30 from 876-1,036 ms to 737-966 ms. The cost is up
 * to about 3 x 64 MB more resident memory at peak (docs/decisions.md, 2026-12-04, ninth).
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

// tsc drops the executable bit; the bin must be runnable straight from a checkout.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);

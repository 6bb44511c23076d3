// Every test file's scratch folders go when the file is over (test/helpers/scratch.ts).
import { afterAll } from 'vitest';
import { removeScratchDirs } from './helpers/scratch.js';

afterAll(removeScratchDirs);

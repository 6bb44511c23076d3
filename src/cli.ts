#!/usr/bin/env node
/**
 * The command line: wiring only. Each verb lives in src/commands/<verb>.ts and exports a
 * `register…(program)` function; errors are turned into one line and an exit code by
 * `runAction` in src/commands/common.ts.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { EXIT_CODES_HELP } from './commands/common.js';
import { registerApply } from './commands/apply.js';
import { registerCheck } from './commands/check.js';
import { registerDiff } from './commands/diff.js';
import { registerRevert } from './commands/revert.js';

const require = createRequire(import.meta.url);
const { version } = require('../package.json') as { version: string };

const program = new Command()
  .name('verl-critic-patch')
  .description(
    'Guard the actor checkpoint load in VeRL trainers with trainer.load_critic_only, so a new PPO\n' +
      'run can start from a fresh actor and reuse the critic of an earlier run.',
  )
  .version(version)
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', `\n${EXIT_CODES_HELP}`);

registerDiff(program);
registerApply(program);
registerCheck(program);
registerRevert(program);

await program.parseAsync(process.argv);

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isGeneratedSnapshot, LOAD_CRITIC_ONLY_COMMENT } from '../../src/config/trainerYaml.js';
import { applyEdits } from '../../src/edits.js';
import type { Plan } from '../../src/plan.js';
import { planText } from '../../src/planner.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const COMMENT = `# ${LOAD_CRITIC_ONLY_COMMENT}`;

const add = (text: string, file: string) => planText('config', 'patch', text, file);
const remove = (text: string, file: string) => planText('config', 'revert', text, file);

/** The plan's status, with a refusal of a file that is no target at all told apart. */
const verdict = (plan: Plan) => (plan.status === 'refused' && plan.notATarget ? 'not-a-target' : plan.status);

function patched(text: string, file: string): string {
  const plan = add(text, file);
  if (plan.status !== 'change') throw new Error(`expected a change for ${file}, got ${JSON.stringify(plan)}`);
  expect(plan.edits).toHaveLength(1);
  return applyEdits(text, plan.edits);
}

function reverted(text: string, file: string): string {
  const plan = remove(text, file);
  if (plan.status !== 'change') throw new Error(`expected a revert change for ${file}, got ${JSON.stringify(plan)}`);
  return applyEdits(text, plan.edits);
}

/** A plan that is not a change: its status and reason. */
function declined(plan: Plan): { status: string; reason: string } {
  if (plan.status === 'change') throw new Error(`expected no change, got ${JSON.stringify(plan)}`);
  return { status: verdict(plan), reason: 'reason' in plan ? plan.reason : plan.summary };
}

/** The first document's data, as a YAML 1.2 reader sees it. */
function data(text: string): Record<string, any> {
  const [doc] = parseAllDocuments(text);
  expect(doc?.errors ?? []).toEqual([]);
  return doc!.toJS() as Record<string, any>;
}

/** `result` with the lines `inserted` removed once, starting at line index `at`. */
function withoutLines(result: string, at: number, count: number): string {
  const lines = result.split(/(?<=\n)/);
  lines.splice(at, count);
  return lines.join('');
}

interface FixtureCase {
  name: string;
  /** The full line (without its line break) the new lines must follow. */
  anchor: string;
  /** The new lines, without line breaks. */
  inserted: string[];
  /** The full line that must follow them. */
  next: string;
  eol: '\n' | '\r\n';
}

const patchable: FixtureCase[] = [
  {
    name: 'ppo_trainer.yaml',
    anchor: '  resume_from_path: null',
    inserted: [`  ${COMMENT}`, '  load_critic_only: False'],
    next: '  # Whether to delete the local checkpoint after loading it',
    eol: '\n',
  },
  {
    name: '_generated_ppo_trainer.yaml',
    anchor: '  resume_from_path: null',
    inserted: ['  load_critic_only: false'],
    next: '  del_local_ckpt_after_load: false',
    eol: '\n',
  },
  {
    name: 'ppo_megatron_trainer.yaml',
    anchor: '  resume_mode: disable  # or auto: pick up the newest checkpoint in default_local_dir',
    inserted: [`  load_critic_only: False  ${COMMENT}`],
    next: '  default_hdfs_dir: null  # no HDFS copy by default',
    eol: '\n',
  },
  {
    name: 'crlf_trainer.yaml',
    anchor: '    resume_from_path:   # e.g. checkpoints/run1/global_step_0',
    inserted: [`    ${COMMENT}`, '    load_critic_only: False'],
    next: '    # Whether to delete the local checkpoint after loading it',
    eol: '\r\n',
  },
];

describe('the config planner on the fixtures', () => {
  for (const c of patchable) {
    describe(c.name, () => {
      const input = fixture(c.name);
      const output = patched(input, c.name);

      it('inserts exactly the expected lines right after the anchor line', () => {
        const lines = output.split(c.eol);
        const at = lines.indexOf(c.anchor);
        expect(at).toBeGreaterThan(0);
        expect(lines.slice(at + 1, at + 1 + c.inserted.length)).toEqual(c.inserted);
        expect(lines[at + 1 + c.inserted.length]).toBe(c.next);
        expect(lines.length).toBe(input.split(c.eol).length + c.inserted.length);
        // Every other byte unchanged: dropping the inserted lines gives back the input.
        expect(withoutLines(output, at + 1, c.inserted.length)).toBe(input);
      });

      it('keeps the line endings of the file', () => {
        if (c.eol === '\r\n') {
          expect(output.match(/\r\n/g)?.length).toBe(output.match(/\n/g)?.length);
        } else {
          expect(output).not.toContain('\r');
        }
      });

      it('declares trainer.load_critic_only as false and changes no other value', () => {
        const before = data(input);
        const after = data(output);
        expect(after.trainer.load_critic_only).toBe(false);
        delete after.trainer.load_critic_only;
        expect(after).toEqual(before);
      });

      it('is idempotent', () => {
        expect(verdict(add(output, c.name))).toBe('unchanged');
      });

      it('reverts byte for byte, and the revert is idempotent too', () => {
        expect(reverted(output, c.name)).toBe(input);
        expect(verdict(remove(input, c.name))).toBe('unchanged');
      });
    });
  }

  it('writes lowercase false and no comment in a _generated_ snapshot, False and a comment elsewhere', () => {
    const generated = patched(fixture('_generated_ppo_trainer.yaml'), 'verl/trainer/config/_generated_ppo_trainer.yaml');
    expect(generated).toContain('  load_critic_only: false\n');
    expect(generated).not.toContain(LOAD_CRITIC_ONLY_COMMENT);
    expect(generated).not.toContain('False');
    const hand = patched(fixture('ppo_trainer.yaml'), 'verl/trainer/config/ppo_trainer.yaml');
    expect(hand).toContain(`  ${COMMENT}\n  load_critic_only: False\n`);
  });

  it('takes the key a user added by hand for a finished job, and revert leaves it alone', () => {
    const text = fixture('hand_added_key.yaml');
    expect(add(text, 'hand_added_key.yaml')).toMatchObject({ status: 'unchanged' });
    const revert = remove(text, 'hand_added_key.yaml');
    expect(revert.status).toBe('unchanged');
    expect(revert).toMatchObject({ summary: expect.stringContaining('not added by verl-critic-patch') });
  });

  it('skips configs without a trainer section, or whose trainer section has no resume_mode', () => {
    for (const name of ['no_trainer_section.yaml', 'generation_trainer_without_resume.yaml']) {
      expect(verdict(add(fixture(name), name))).toBe('not-a-target');
      expect(verdict(remove(fixture(name), name))).toBe('not-a-target');
    }
  });

  it('reports a YAML that does not parse as malformed, with the line', () => {
    for (const plan of [add, remove]) {
      const result = declined(plan(fixture('broken.yaml'), 'broken.yaml'));
      expect(result.status).toBe('malformed');
      expect(result.reason).toMatch(/^YAML does not parse: .*line \d+/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated variations: every combination of the shapes below, with the expected output built
// the same way as the input, so the comparison is on whole texts.

interface Variant {
  indent: 2 | 4;
  /** undefined: no resume_from_path line (the key goes after resume_mode). */
  value: string | undefined;
  anchorComment: boolean;
  eol: '\n' | '\r\n';
  bom: boolean;
  finalNewline: boolean;
  /** What follows the anchor line: a sibling key, another top-level section, or the end of the file. */
  tail: 'sibling' | 'section' | 'eof';
  comments: 'above' | 'inline' | 'none';
  generated: boolean;
}

function build(v: Variant, withKey: boolean): string {
  const I = ' '.repeat(v.indent);
  const above = (text: string) => (v.comments === 'above' ? [`${I}# ${text}`] : []);
  const inline = (text: string) => (v.comments === 'inline' ? `  # ${text}` : '');
  const lines = [
    '# variation fixture',
    'actor_rollout_ref:',
    `${I}model_path: ~/models/policy`,
    'trainer:',
    ...above('Number of epochs'),
    `${I}total_epochs: 3${inline('epochs')}`,
    ...above('Resume mode'),
    `${I}resume_mode: auto${inline('auto, disable or resume_path')}`,
  ];
  if (v.value !== undefined) {
    lines.push(...above('Path to resume from'));
    lines.push(`${I}resume_from_path:${v.value === '' ? '' : ` ${v.value}`}${v.anchorComment ? '  # a global_step_N folder' : ''}`);
  }
  if (withKey) {
    const value = v.generated ? 'false' : 'False';
    const inlineStyle = v.comments === 'inline' || (v.comments === 'none' && v.anchorComment && v.value !== undefined);
    if (v.generated) lines.push(`${I}load_critic_only: ${value}`);
    else if (inlineStyle) lines.push(`${I}load_critic_only: ${value}  ${COMMENT}`);
    else lines.push(`${I}${COMMENT}`, `${I}load_critic_only: ${value}`);
  }
  if (v.tail === 'sibling') lines.push(...above('Delete after load'), `${I}del_local_ckpt_after_load: False`);
  if (v.tail === 'section') lines.push('critic:', `${I}optim:`, `${I}${I}lr: 1e-5`);
  return (v.bom ? '\uFEFF' : '') + lines.join(v.eol) + (v.finalNewline ? v.eol : '');
}

function* variants(): Generator<Variant> {
  const values = [undefined, '', 'null', '~', '""', "'quoted # not a comment'", 'checkpoints/run1/global_step_0'];
  for (const indent of [2, 4] as const)
    for (const value of values)
      for (const anchorComment of [false, true])
        for (const eol of ['\n', '\r\n'] as const)
          for (const bom of [false, true])
            for (const finalNewline of [true, false])
              for (const tail of ['sibling', 'section', 'eof'] as const)
                for (const comments of ['above', 'inline', 'none'] as const)
                  for (const generated of [false, true])
                    yield { indent, value, anchorComment, eol, bom, finalNewline, tail, comments, generated };
}

describe('variations (indentation, values, inline comments, CRLF, BOM, final newline, comment styles)', () => {
  it('adds exactly the expected lines and reverts byte for byte in every combination', () => {
    let count = 0;
    for (const v of variants()) {
      const file = v.generated ? 'verl/trainer/config/_generated_variant.yaml' : 'verl/trainer/config/variant.yaml';
      const input = build(v, false);
      const expected = build(v, true);
      const label = JSON.stringify(v);
      const plan = add(input, file);
      expect(plan.status, label).toBe('change');
      const output = applyEdits(input, (plan as Extract<Plan, { status: 'change' }>).edits);
      expect(output, label).toBe(expected);
      expect(add(output, file).status, label).toBe('unchanged');
      const revert = remove(output, file);
      expect(revert.status, label).toBe('change');
      expect(applyEdits(output, (revert as Extract<Plan, { status: 'change' }>).edits), label).toBe(input);
      expect(remove(input, file).status, label).toBe('unchanged');
      count++;
    }
    expect(count).toBe(2 * 7 * 2 * 2 * 2 * 2 * 3 * 3 * 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Edge cases, one by one

describe('edge cases', () => {
  // A PPO config (actor_rollout_ref:) with a trainer section: the shape the planner edits.
  const trainer = (body: string, before = '', after = '') => `actor_rollout_ref: {}\n${before}trainer:\n${body}${after}`;

  it('copies the comment marker and the gap of the neighbouring comments', () => {
    const text = trainer('  #Resume mode\n  resume_mode: auto\n  #Path\n  resume_from_path: null\n');
    expect(patched(text, 'x.yaml')).toBe(
      trainer(`  #Resume mode\n  resume_mode: auto\n  #Path\n  resume_from_path: null\n  #${LOAD_CRITIC_ONLY_COMMENT}\n  load_critic_only: False\n`),
    );
    const inline = trainer('  resume_mode: auto # mode\n  resume_from_path: null # path\n');
    const out = patched(inline, 'x.yaml');
    expect(out).toBe(`${inline}  load_critic_only: False # ${LOAD_CRITIC_ONLY_COMMENT}\n`);
    expect(reverted(out, 'x.yaml')).toBe(inline);
  });

  it('handles a quoted key, a tagged or anchored value and a plain scalar continued on the next line', () => {
    for (const anchorLine of ['  "resume_from_path": null', '  resume_from_path: !!null', '  resume_from_path: &p null', '  resume_from_path: a/b\n    /global_step_0']) {
      const text = trainer(`  resume_mode: auto\n${anchorLine}\n  del_local_ckpt_after_load: False\n`);
      const out = patched(text, 'x.yaml');
      expect(out).toBe(trainer(`  resume_mode: auto\n${anchorLine}\n  ${COMMENT}\n  load_critic_only: False\n  del_local_ckpt_after_load: False\n`));
      expect(reverted(out, 'x.yaml')).toBe(text);
    }
  });

  it('goes after resume_from_path even when it comes before resume_mode', () => {
    const text = trainer('  resume_from_path: null\n  resume_mode: auto\n');
    expect(patched(text, '_generated_x.yaml')).toBe(trainer('  resume_from_path: null\n  load_critic_only: false\n  resume_mode: auto\n'));
  });

  it('only looks at the top-level trainer: mapping', () => {
    const nested = 'outer:\n  trainer:\n    resume_mode: auto\n';
    expect(verdict(add(nested, 'x.yaml'))).toBe('not-a-target');
    // load_critic_only elsewhere (critic:) does not count as already patched.
    const elsewhere = `critic:\n  load_critic_only: true\n${trainer('  resume_mode: auto\n')}`;
    expect(patched(elsewhere, 'x.yaml')).toBe(`${elsewhere}  ${COMMENT}\n  load_critic_only: False\n`);
  });

  it('counts a key added by hand with any value or spelling, anywhere in the trainer mapping', () => {
    for (const line of ['  load_critic_only: true', '  "load_critic_only": False', '  load_critic_only:', '  load_critic_only: ${oc.env:X}']) {
      const text = trainer(`  ${'total_epochs'}: 1\n${line}\n  resume_mode: auto\n`);
      expect(verdict(add(text, 'x.yaml'))).toBe('unchanged');
      expect(verdict(remove(text, 'x.yaml'))).toBe('unchanged');
    }
    // Without our comment, the same text as ours is still a hand-added key in a hand-written file.
    const same = trainer('  resume_mode: auto\n  resume_from_path: null\n  load_critic_only: False\n');
    expect(verdict(remove(same, 'x.yaml'))).toBe('unchanged');
  });

  it('in a snapshot, removes only a `load_critic_only: false` line right after the anchor', () => {
    const ours = trainer('  resume_mode: auto\n  resume_from_path: null\n  load_critic_only: false\n  x: 1\n');
    expect(reverted(ours, '_generated_x.yaml')).toBe(trainer('  resume_mode: auto\n  resume_from_path: null\n  x: 1\n'));
    const elsewhere = trainer('  resume_mode: auto\n  resume_from_path: null\n  x: 1\n  load_critic_only: false\n');
    expect(verdict(remove(elsewhere, '_generated_x.yaml'))).toBe('unchanged');
  });

  it('refuses to revert our line once someone changed it', () => {
    const out = patched(trainer('  resume_mode: auto\n  resume_from_path: null\n'), 'x.yaml');
    const changed = out.replace('load_critic_only: False', 'load_critic_only: True');
    const result = declined(remove(changed, 'x.yaml'));
    expect(result.status).toBe('refused');
    expect(result.reason).toContain('changed by hand');
  });

  it('considers the first document of a multi-document file', () => {
    const first = trainer('  resume_mode: auto\n', '', '---\nother: 1\n');
    expect(patched(first, 'x.yaml')).toBe(trainer(`  resume_mode: auto\n  ${COMMENT}\n  load_critic_only: False\n`, '', '---\nother: 1\n'));
    const second = `other: 1\n---\n${trainer('  resume_mode: auto\n')}`;
    expect(verdict(add(second, 'x.yaml'))).toBe('not-a-target');
    // A parse error in a later document is still a file that does not parse.
    expect(add(`${first}---\na: [\n`, 'x.yaml').status).toBe('malformed');
  });

  it('treats empty, comment-only and non-mapping files as not a target', () => {
    for (const text of ['', '# nothing here\n', '- a\n- b\n', 'just a string\n', 'trainer: null\n', 'trainer: [1, 2]\n']) {
      expect(verdict(add(text, 'x.yaml')), JSON.stringify(text)).toBe('not-a-target');
    }
  });

  it('reports duplicate keys and syntax errors as malformed', () => {
    for (const text of [trainer('  resume_mode: auto\n  resume_mode: disable\n'), 'trainer:\n  resume_mode: auto\n bad: : x\n', '\t- x\n']) {
      const result = declined(add(text, 'x.yaml'));
      expect(result.status, JSON.stringify(text)).toBe('malformed');
      expect(result.reason).toMatch(/^YAML does not parse: .*line \d+/);
    }
  });

  it('reports an alias without an anchor before it as malformed, not as an error of its own', () => {
    const result = declined(add(`critic: {}\nx: *nope\n${trainer('  resume_mode: auto\n')}`, 'x.yaml'));
    expect(result).toEqual({ status: 'malformed', reason: 'YAML does not parse: the alias *nope has no anchor &nope before it (line 2)' });
  });

  it('plans files with keys that are collections, or empty, without a process warning or a throw', () => {
    const warnings: string[] = [];
    const listen = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listen);
    try {
      const complexKey = `critic: {}\n? {a: 1}\n: 2\n${trainer('  resume_mode: auto\n  resume_from_path: null\n')}`;
      expect(add(complexKey, 'x.yaml').status).toBe('change');
      expect(reverted(patched(complexKey, 'x.yaml'), 'x.yaml')).toBe(complexKey);
      // An explicit `? ` with no key inside the trainer section: the comment style skips it.
      const emptyKey = `critic: {}\n${trainer('  resume_mode: auto\n  ? \n  : 1\n')}`;
      expect(add(emptyKey, 'x.yaml').status).toBe('change');
    } finally {
      process.off('warning', listen);
    }
    expect(warnings).toEqual([]);
  });

  it('refuses shapes where a line insertion is not safe, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['critic: {}\ntrainer: {resume_mode: auto, resume_from_path: null}\n', /flow style/],
      [trainer('  resume_mode: auto\n  resume_from_path: |\n    a/global_step_0\n'), /block scalar/],
      [trainer('  resume_mode: auto\n  resume_from_path:\n    - a\n    - b\n'), /nested mapping or list/],
      [trainer('  resume_mode: auto\n  resume_from_path: {a: 1,\n    b: 2} \n'), /^$/], // flow value over two lines: fine
      ['base: &b\n  resume_mode: auto\ntrainer: *b\n', /alias/],
      ['base: &b\n  resume_mode: auto\ntrainer:\n  <<: *b\n  x: 1\n', /merge key/],
    ];
    for (const [text, why] of cases) {
      if (why.source === '^$') {
        expect(verdict(add(text, 'x.yaml'))).toBe('change');
        continue;
      }
      const result = declined(add(text, 'x.yaml'));
      expect(result.status, text).toBe('refused');
      expect(result.reason, text).toMatch(why);
    }
    // A merge key that brings no resume_mode: simply not a target.
    expect(verdict(add('base: &b\n  x: 1\ntrainer:\n  <<: *b\n', 'x.yaml'))).toBe('not-a-target');
  });

  it('recognises generated snapshots by their basename only', () => {
    expect(isGeneratedSnapshot('verl/trainer/config/_generated_ppo_trainer.yaml')).toBe(true);
    expect(isGeneratedSnapshot('C:\\verl\\trainer\\config\\_generated_ppo_megatron_trainer.yaml')).toBe(true);
    expect(isGeneratedSnapshot('_generated_x.yaml')).toBe(true);
    expect(isGeneratedSnapshot('verl/trainer/config/ppo_trainer.yaml')).toBe(false);
    expect(isGeneratedSnapshot('verl/_generated_/ppo_trainer.yaml')).toBe(false);
  });
});

describe('only PPO configs get the key', () => {
  const sft = 'data:\n  train_batch_size: 256\nmodel:\n  path: ~/m\ntrainer:\n  resume_mode: auto\n  resume_from_path: null\n';

  it('passes over an SFT config: it has a trainer section, but no PPO launch reads it', () => {
    const plan = add(sft, 'sft_trainer.yaml');
    expect(verdict(plan)).toBe('not-a-target');
    expect(declined(plan).reason).toMatch(/not a PPO trainer config/);
  });

  it('still reverts a key an earlier run added to an SFT config', () => {
    const ours = sft.replace('  resume_from_path: null\n', `  resume_from_path: null\n  ${COMMENT}\n  load_critic_only: False\n`);
    expect(reverted(ours, 'sft_trainer.yaml')).toBe(sft);
  });

  it('counts critic:, actor_rollout_ref:, or a PPO trainer config in defaults: as PPO', () => {
    const body = 'trainer:\n  resume_mode: auto\n';
    for (const head of [
      'critic:\n  lr: 1\n',
      'actor_rollout_ref: {}\n',
      'defaults:\n  - ppo_trainer\n  - _self_\n',
      'defaults:\n  - /ppo_megatron_trainer\n',
      'defaults:\n  - base@_here_: verl/trainer/config/ppo_trainer.yaml\n',
    ]) {
      expect(add(head + body, 'x.yaml').status, head).toBe('change');
    }
    for (const head of ['defaults:\n  - sft_trainer\n  - _self_\n', 'defaults:\n  - model@model: hf_model\n', 'model:\n  path: x\n']) {
      expect(verdict(add(head + body, 'x.yaml')), head).toBe('not-a-target');
    }
  });
});

// Temp names for crash-safe writes: one scheme for files and folders, and who owns a leftover.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostTag, tempOwner, tempPathFor, tempsOf } from '../../src/io/temp.js';
import { tempDir } from '../helpers/cli.js';

describe('temp names', () => {
  it('are hidden siblings that round-trip host and pid, for the right target only', () => {
    const temp = tempPathFor('/x/warm', 4242);
    expect(temp).toBe(`/x/.warm.verl-critic-patch-tmp-${hostTag()}-4242.tmp`);
    const name = temp.split('/').pop()!;
    expect(tempOwner('/x/warm', name)).toEqual({ host: hostTag(), pid: 4242 });
    expect(tempOwner('/x/war', name)).toBeUndefined();
    expect(tempOwner('/x/warm', '.warm.verl-critic-patch-tmp-host.tmp')).toBeUndefined();
    expect(tempOwner('/x/warm', `${name}.removing`)?.pid).toBe(4242);
    expect(tempOwner('/x/warm', `${name}.old`)).toBeUndefined();
    expect(tempOwner('/x/warm', 'warm')).toBeUndefined();
  });

  it('keep a host name with dashes readable, and parse it back', () => {
    expect(hostTag()).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(tempOwner('/x/t.py', '.t.py.verl-critic-patch-tmp-node-07.cluster-123.tmp')).toEqual({ host: 'node-07.cluster', pid: 123 });
  });

  it('are stale only when of this host and of this process or a dead one', () => {
    const dir = tempDir('vcp-temps-');
    const target = join(dir, 'trainer.py');
    const host = hostTag();
    const names = {
      dead: `.trainer.py.verl-critic-patch-tmp-${host}-111.tmp`,
      live: `.trainer.py.verl-critic-patch-tmp-${host}-222.tmp`,
      mine: `.trainer.py.verl-critic-patch-tmp-${host}-${process.pid}.tmp`,
      elsewhere: `.trainer.py.verl-critic-patch-tmp-other-node-111.tmp`,
      otherTarget: `.other.py.verl-critic-patch-tmp-${host}-111.tmp`,
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, `.trainer.py.verl-critic-patch-tmp-${host}-333.tmp.removing`));
    const alive = (pid: number) => pid === 222;
    const found = Object.fromEntries(tempsOf(target, alive).map((t) => [t.path.split('/').pop(), t.stale]));
    expect(found).toEqual({
      [names.dead]: true,
      [names.live]: false,
      [names.mine]: true,
      [names.elsewhere]: false,
      [`.trainer.py.verl-critic-patch-tmp-${host}-333.tmp.removing`]: true,
    });
  });
});

/**
 * The config a launch gets, composed by python/preflight_compose.py (OmegaConf, no Hydra: Hydra
 * is often not installable beside this tool) through the first Python that has OmegaConf: the
 * launch's own interpreter, else `python3`, else `/usr/bin/python3` (where Debian's
 * python3-omegaconf puts it). The edge between preflight's pure checks and Python.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInput } from '../errors.js';
import { launcherPython } from '../launcherPython.js';

/** The values the checks read, by dotted key. */
export const COMPOSED_KEYS = [
  'trainer.load_critic_only',
  'trainer.resume_mode',
  'trainer.resume_from_path',
  'trainer.default_local_dir',
  'trainer.nnodes',
  'trainer.n_gpus_per_node',
  'trainer.use_v1',
  'algorithm.adv_estimator',
  'critic.enable',
  'critic.strategy',
  'critic.checkpoint.contents',
  'critic.checkpoint.save_contents',
  'critic.checkpoint.load_contents',
  'critic.model.fsdp_config.fsdp_size',
  'critic.fsdp.fsdp_size',
  'critic.megatron.tensor_model_parallel_size',
  'critic.megatron.pipeline_model_parallel_size',
  'critic.megatron.context_parallel_size',
  'critic.megatron.expert_model_parallel_size',
  'critic.model.path',
  'critic.model.lora_rank',
  'critic.optim.use_checkpoint_opt_param_scheduler',
  'actor_rollout_ref.model.path',
  'actor_rollout_ref.model.tokenizer_path',
] as const;

export type ComposedKey = (typeof COMPOSED_KEYS)[number];

export interface Composed {
  /** Each key the config has, resolved; a key it does not have is absent here and listed in `absent`. */
  values: Partial<Record<ComposedKey, unknown>>;
  absent: ComposedKey[];
  /** Keys whose interpolation does not resolve, with OmegaConf's message. */
  unresolved: Partial<Record<ComposedKey, string>>;
  /** The YAML files composed, in order. */
  files: string[];
  /** The Python that composed it. */
  python: string;
}

/** An override the config refuses, as Hydra would refuse it: the key and Hydra-like words. */
export interface ComposeRefusal {
  error: string;
  key: string | null;
  files: string[];
  python: string;
}

export interface ComposeRequest {
  config: string;
  searchpath: string[];
  overrides: string[];
}

const INSTALL = 'install OmegaConf for one of them: apt-get install python3-omegaconf (Debian, Ubuntu), or pip install omegaconf';

/** python/preflight_compose.py, two folders above this module in src/launch/, dist/launch/ and dist/bin/ alike. */
export function composeScript(): string {
  const self = import.meta.url;
  const file = self.startsWith('file:') ? fileURLToPath(self) : self;
  return path.resolve(path.dirname(file), '..', '..', 'python', 'preflight_compose.py');
}

/**
 * The interpreters tried, in order, without repeats: the launch's, then the Python the tool was
 * started from (the PyPI launcher's: in VeRL's virtual environment, OmegaConf is there as VeRL's
 * dependency, whatever python3 on PATH is), then python3 and Debian's.
 */
export function pythonCandidates(launchInterpreter: string | null): string[] {
  return [...new Set([launchInterpreter, launcherPython() ?? null, 'python3', '/usr/bin/python3'].filter((p): p is string => p !== null))];
}

export function composeConfig(request: ComposeRequest, launchInterpreter: string | null): Composed | ComposeRefusal {
  const tried: string[] = [];
  const script = composeScript();
  const input = JSON.stringify({ ...request, keys: COMPOSED_KEYS });
  for (const python of pythonCandidates(launchInterpreter)) {
    const run = spawnSync(python, [script, input], { encoding: 'utf8', timeout: 60_000 });
    if (run.error || run.status === 3 || run.status === null) {
      tried.push(`${python} (${run.error ? (run.error as NodeJS.ErrnoException).code ?? 'cannot run' : 'no omegaconf'})`);
      continue;
    }
    let answer: { ok?: boolean; error?: string; key?: string | null; files?: string[]; values?: Composed['values']; absent?: ComposedKey[]; unresolved?: Composed['unresolved'] };
    try {
      answer = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
    } catch {
      throw badInput(script, `${python} did not answer (exit ${run.status}: ${run.stderr.trim().split('\n').pop() ?? ''})`);
    }
    if (answer.ok !== true) return { error: answer.error ?? 'composition failed', key: answer.key ?? null, files: answer.files ?? [], python };
    return { values: answer.values ?? {}, absent: answer.absent ?? [], unresolved: answer.unresolved ?? {}, files: answer.files ?? [], python };
  }
  throw badInput(undefined, `no Python with OmegaConf to compose the launch's config (tried ${tried.join(', ')}): ${INSTALL}`);
}

export function isRefusal(result: Composed | ComposeRefusal): result is ComposeRefusal {
  return 'error' in result;
}

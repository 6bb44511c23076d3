/**
 * The config a launch gets, composed by python/preflight_compose.py through the first Python that
 * has OmegaConf: the launch's own interpreter, else `python3`, else `/usr/bin/python3` (where
 * Debian's python3-omegaconf puts it). Where that Python has hydra-core (every VeRL install does:
 * VeRL depends on it), Hydra itself composes, as the launch's `@hydra.main` will; else the
 * script's OmegaConf emulation of it, on the composed snapshots VeRL ships. Every answer says
 * which. The edge between preflight's pure checks and Python.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { badInput } from '../errors.js';
import { launcherPython } from '../verl/launcherPython.js';

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
  'actor_rollout_ref.actor.strategy',
  'actor_rollout_ref.actor.checkpoint.load_contents',
] as const;

export type ComposedKey = (typeof COMPOSED_KEYS)[number];

/** Who composed: Hydra itself, or the OmegaConf emulation (with OmegaConf's version), and through which Python. */
export interface Composer {
  name: 'hydra' | 'emulation';
  version: string;
  python: string;
}

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
  composer: Composer;
}

/** An override the config refuses, as Hydra would refuse it: the key and Hydra-like words. */
export interface ComposeRefusal {
  error: string;
  key: string | null;
  files: string[];
  python: string;
  composer: Composer | null;
}

export interface ComposeRequest {
  /** The entry point's config folder and config name, as `@hydra.main` (or --config-path/--config-name) gives them. */
  configDir: string;
  configName: string;
  /** Hydra's --config-dir folders (more of its search path). */
  configDirs: string[];
  /** Where the emulation looks up a defaults entry's config: --config-dir folders, then VeRL's trainer/config. */
  searchpath: string[];
  /** The `verl` package folder: a config's `pkg://verl...` search path is read from it, without importing VeRL. */
  verlPackage: string;
  /** `@hydra.main(version_base=...)` as written (`None`, `"1.1"`); undefined when the entry gives none. */
  versionBase?: string;
  overrides: string[];
  /** auto (default): Hydra where the Python has it, else the emulation. The others: one of them or a refusal. */
  composer?: 'auto' | 'hydra' | 'emulation';
}

/** `composed by Hydra 1.3.2 (/venv/bin/python)`, or by the emulation: what every report says. */
export function composerText(composer: Composer): string {
  return composer.name === 'hydra'
    ? `composed by Hydra ${composer.version} (${composer.python})`
    : `composed by OmegaConf emulation (OmegaConf ${composer.version}, ${composer.python}: no hydra-core for the launch's Python)`;
}

const INSTALL = "install hydra-core (VeRL's own dependency: Hydra composes as the launch will) or OmegaConf for one of them: pip install hydra-core, or apt-get install python3-omegaconf (Debian, Ubuntu)";

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

type Answer = {
  ok?: boolean;
  error?: string;
  key?: string | null;
  files?: string[];
  values?: Composed['values'];
  absent?: ComposedKey[];
  unresolved?: Composed['unresolved'];
  composer?: { name: Composer['name']; version: string } | null;
};

/**
 * Compose with one Python, many requests in one run of it (Hydra's import is most of the time).
 * 'no omegaconf' or the reason it cannot run, when that Python cannot compose at all.
 */
export function composeWith(python: string, requests: readonly ComposeRequest[]): (Composed | ComposeRefusal)[] | { unavailable: string } {
  const script = composeScript();
  const input = JSON.stringify(requests.map((request) => ({ ...request, keys: COMPOSED_KEYS })));
  const run = spawnSync(python, [script, '-'], { input, encoding: 'utf8', timeout: 60_000 + 5_000 * requests.length, maxBuffer: 64 * 1024 * 1024 });
  if (run.error || run.status === 3 || run.status === null) {
    return { unavailable: run.error ? ((run.error as NodeJS.ErrnoException).code ?? 'cannot run') : run.status === 3 ? 'no omegaconf' : 'killed' };
  }
  let answers: Answer[];
  try {
    answers = JSON.parse(run.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw badInput(script, `${python} did not answer (exit ${run.status}: ${run.stderr.trim().split('\n').pop() ?? ''})`);
  }
  return answers.map((answer) => {
    const composer = answer.composer ? { ...answer.composer, python } : null;
    if (answer.ok !== true || composer === null) return { error: answer.error ?? 'composition failed', key: answer.key ?? null, files: answer.files ?? [], python, composer };
    return { values: answer.values ?? {}, absent: answer.absent ?? [], unresolved: answer.unresolved ?? {}, files: answer.files ?? [], python, composer };
  });
}

export function composeConfig(request: ComposeRequest, launchInterpreter: string | null): Composed | ComposeRefusal {
  const tried: string[] = [];
  for (const python of pythonCandidates(launchInterpreter)) {
    const result = composeWith(python, [request]);
    if ('unavailable' in result) {
      tried.push(`${python} (${result.unavailable})`);
      continue;
    }
    return result[0]!;
  }
  throw badInput(undefined, `no Python with OmegaConf to compose the launch's config (tried ${tried.join(', ')}): ${INSTALL}`);
}

export function isRefusal(result: Composed | ComposeRefusal): result is ComposeRefusal {
  return 'error' in result;
}

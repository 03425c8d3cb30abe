/**
 * Serverless plugin: check the stack parameters when packaging or deploying, with the same
 * `loadConfig` (core/config.ts) the functions run at their cold start, so a bad value fails
 * `serverless package` / `deploy` instead of a function after the deploy.
 *
 * - Every `--param="name=value"` must be a parameter serverless.yml declares (`params.default`);
 *   a misspelt name would otherwise be ignored silently and its default deployed. The "did you
 *   mean" is the functions' own typo rule (`lookAlike`, core/config-typos.ts), loaded like `loadConfig`.
 * - The functions' environment (provider.environment, with every `${param:…}` resolved) goes
 *   through `loadConfig`; its problems are reported with the parameter names as the user typed
 *   them (`shortageThreshold`, not `SHORTAGE_THRESHOLD`).
 * - The parameters that only the stack reads (hook name, tick schedule, tick memory) are checked
 *   here, named as parameters: the framework's own schema check would name the stack property
 *   (`functions.tick.memorySize`) instead, so this check runs when the plugin is loaded, before
 *   the framework validates the configuration (osls lib/serverless.js: plugins are loaded in
 *   `init`, the configuration is validated at the start of `run`).
 * - `cluster` and `asgNames` have empty defaults: a package or deploy without them is refused with
 *   the flag to pass, never built for a made-up cluster.
 *
 * All problems are listed in one error. `checkParams` is pure so the rules are tested directly.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { prefixFor } = require('./stack-resources.cjs');

const ENV_OF_PARAM = /^[ \t]+([A-Z][A-Z0-9_]*):[ \t]*\$\{param:([A-Za-z0-9_]+)\}[ \t]*$/gm;

/**
 * `ENV_NAME → paramName` for every environment variable of serverless.yml whose value is exactly
 * one `${param:…}` (read from the file's text: the configuration the plugin sees is resolved).
 */
function paramNames(serverlessYml) {
  const names = {};
  for (const m of String(serverlessYml).matchAll(ENV_OF_PARAM)) names[m[1]] = m[2];
  return names;
}

/** Parameter names from the command line (`--param "a=b"`, repeatable). */
function givenParams(cliParams) {
  return [cliParams ?? []].flat().map((item) => String(item).split('=')[0].trim());
}

/** Replace every environment variable name in `message` by its parameter name. */
function renamed(message, names) {
  const envs = Object.keys(names).sort((a, b) => b.length - a.length);
  if (envs.length === 0) return message;
  return message.replace(new RegExp(`\\b(${envs.join('|')})\\b`, 'g'), (env) => names[env]);
}

// AWS::AutoScaling::LifecycleHook LifecycleHookName: 1–255 of [A-Za-z0-9\-_\/]
// (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutLifecycleHook.html).
const HOOK_NAME = /^[A-Za-z0-9\-_/]{1,255}$/;
// EventBridge schedule expressions (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
const SCHEDULE = /^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\([^()]+\))$/;
// Lambda memory: 128 MB to 10,240 MB in 1-MB increments (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
const MEMORY = { min: 128, max: 10240 };
/** Parameters that must be given on every package and deploy, with an example value. */
const REQUIRED = { cluster: 'my-cluster', asgNames: 'my-spot-asg,my-on-demand-asg' };

/**
 * Every problem with the parameters, as lines naming the parameter. `loadConfig` and `lookAlike`
 * are passed in (the plugin loads them from core/; tests may pass them directly).
 *
 * @param {{ cliParams: unknown, known: string[], serverlessYml: string,
 *   environment: Record<string, unknown>, stackParams: Record<string, unknown>,
 *   loadConfig: (env: Record<string, string | undefined>) => unknown,
 *   lookAlike: (name: string, known: readonly string[]) => string | undefined }} input
 * @returns {string[]}
 */
function checkParams({ cliParams, known, serverlessYml, environment, stackParams, loadConfig, lookAlike }) {
  const problems = [];
  const knownSet = new Set(known);
  for (const name of givenParams(cliParams)) {
    if (!knownSet.has(name)) {
      const close = lookAlike(name, known);
      problems.push(`${name}: unknown parameter${close !== undefined ? ` (did you mean ${close}?)` : ''}; known: ${known.join(', ')}`);
    }
  }
  const names = paramNames(serverlessYml);
  const env = {};
  for (const [k, v] of Object.entries(environment ?? {})) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[k] = String(v);
  try {
    loadConfig(env);
  } catch (error) {
    if (!Array.isArray(error && error.problems)) throw error;
    for (const p of error.problems) {
      // The hook name is checked below as the parameter the user gave (the stack's default is valid).
      if (p.startsWith('HOOK_NAME:')) continue;
      const line = renamed(p, names);
      const required = Object.keys(REQUIRED).find((name) => line.startsWith(`${name}: required`));
      problems.push(required !== undefined ? `${line}: pass --param="${required}=${REQUIRED[required]}"` : line);
    }
  }
  const hookName = String(stackParams.hookName ?? '').trim();
  if (hookName !== '' && !HOOK_NAME.test(hookName)) problems.push(`hookName: not a valid lifecycle hook name (1–255 letters, digits, -, _ and /) (got ${JSON.stringify(hookName)})`);
  const schedule = String(stackParams.tickSchedule ?? '').trim();
  if (!SCHEDULE.test(schedule)) problems.push(`tickSchedule: expected rate(N minutes) or cron(...) (got ${JSON.stringify(schedule)})`);
  if (stackParams.tickMemory !== undefined) {
    const memory = String(stackParams.tickMemory).trim();
    if (!/^\d+$/.test(memory) || Number(memory) < MEMORY.min || Number(memory) > MEMORY.max) problems.push(`tickMemory: expected a whole number of MB from ${MEMORY.min} to ${MEMORY.max} (got ${JSON.stringify(memory)})`);
  }
  return problems;
}

/**
 * The functions' environment as the stack will set it, from the parameters alone: the plugin runs
 * before the framework resolves `${param:…}` (see the file comment), so each value that is exactly
 * one parameter takes that parameter's value, and `HOOK_NAME` the hook name the stack gives
 * (stack-resources.cjs). Values that are not parameters (the queue URL, a `Ref`) are left as they are.
 */
function resolvedEnvironment(environment, stackParams) {
  const env = {};
  for (const [key, value] of Object.entries(environment)) {
    const param = typeof value === 'string' ? /^\$\{param:([A-Za-z0-9_]+)\}$/.exec(value) : null;
    env[key] = param !== null ? stackParams[param[1]] : value;
  }
  if (typeof env.HOOK_NAME === 'string' && env.HOOK_NAME.startsWith('${')) {
    const given = String(stackParams.hookName ?? '').trim();
    env.HOOK_NAME = given !== '' ? given : prefixFor(String(stackParams.cluster ?? ''));
  }
  return env;
}

/**
 * `loadConfig` (core/config.ts) and `lookAlike` (core/config-typos.ts) through tsx's CommonJS
 * loader (a dev dependency, like serverless itself): the functions' own rules, no build step.
 */
function coreRules() {
  const { require: tsxRequire } = require('tsx/cjs/api');
  const load = (file) => tsxRequire(path.join(__dirname, '..', 'core', file), __filename);
  return { loadConfig: load('config.ts').loadConfig, lookAlike: load('config-typos.ts').lookAlike };
}

class ValidateParams {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    const sls = serverless;
    const commands = sls.processedInput?.commands ?? [];
    const local = commands[0] === 'invoke' && commands[1] === 'local';
    // Here, not in a hook: the framework validates the configuration after loading the plugins and
    // before any hook, and would report a bad tickMemory as `functions.tick.memorySize`.
    if (commands[0] === 'package' || commands[0] === 'deploy' || local) this.validate();
    this.hooks = {
      // `initialize` runs before every command's own hooks: invoke local resolves the stack's
      // outputs in its first hook (before:invoke:local:loadEnvVars), too early for us otherwise.
      initialize: () => {
        if (local) this.offline();
      },
    };
  }

  /**
   * `serverless invoke local` runs offline on a saved cluster in dry run: the drain queue (a stack
   * resource invoke local would look up in the deployed stack) gets a placeholder URL, the ports
   * read `events/cluster/demo.json` (another file: `--env HEADROOM_SNAPSHOT=path`) and DRY_RUN is
   * forced (handlers/runtime.ts forces it again whenever a snapshot is used).
   */
  offline() {
    const sls = this.serverless;
    const env = sls.service.provider.environment ?? (sls.service.provider.environment = {});
    // The sample events' account (111122223333): handlers drop events of another account.
    if (typeof env.DRAIN_QUEUE_URL !== 'string') env.DRAIN_QUEUE_URL = `https://sqs.${sls.service.provider.region}.amazonaws.com/111122223333/headroom-local-dry-run`;
    env.HEADROOM_SNAPSHOT = path.join(sls.serviceDir, 'events', 'cluster', 'demo.json');
    env.DRY_RUN = 'true';
  }

  validate() {
    const sls = this.serverless;
    const input = sls.configurationInput ?? {};
    const stage = sls.service.provider.stage;
    const declared = { ...(input.params?.default ?? {}), ...(input.params?.[stage] ?? {}) };
    const stackParams = {};
    for (const [name, value] of Object.entries(declared)) stackParams[name] = value;
    const cli = sls.processedInput?.options?.param ?? this.options.param;
    for (const item of [cli ?? []].flat()) {
      const [name, ...rest] = String(item).split('=');
      stackParams[name.trim()] = rest.join('=');
    }
    const problems = checkParams({
      cliParams: cli,
      known: Object.keys(declared),
      serverlessYml: fs.readFileSync(path.join(sls.serviceDir, sls.configurationFilename ?? 'serverless.yml'), 'utf8'),
      environment: resolvedEnvironment(sls.service.provider.environment ?? {}, stackParams),
      stackParams,
      ...coreRules(),
    });
    if (problems.length > 0) {
      const Error = sls.classes?.Error ?? globalThis.Error;
      throw new Error(`Invalid Headroom parameters (${problems.length}):\n  - ${problems.join('\n  - ')}`);
    }
  }
}

module.exports = ValidateParams;
module.exports.checkParams = checkParams;
module.exports.paramNames = paramNames;

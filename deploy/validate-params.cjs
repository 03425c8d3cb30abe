/**
 * Serverless plugin: check the stack parameters when packaging or deploying, with the same
 * `loadConfig` (core/config.ts) the functions run at their cold start, so a bad value fails
 * `serverless package` / `deploy` instead of a function after the deploy.
 *
 * - Every `--param="name=value"` must be a parameter serverless.yml declares (`params.default`);
 *   a misspelt name would otherwise be ignored silently and its default deployed.
 * - The functions' environment (provider.environment, with every `${param:…}` resolved) goes
 *   through `loadConfig`; its problems are reported with the parameter names as the user typed
 *   them (`shortageThreshold`, not `SHORTAGE_THRESHOLD`).
 * - The parameters that only the stack reads (hook name, tick schedule) are checked here.
 *
 * All problems are listed in one error. `checkParams` is pure so the rules are tested directly.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

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

/**
 * Every problem with the parameters, as lines naming the parameter. `loadConfig` is passed in
 * (the plugin loads core/config.ts; tests may pass it directly).
 *
 * @param {{ cliParams: unknown, known: string[], serverlessYml: string,
 *   environment: Record<string, unknown>, stackParams: Record<string, unknown>,
 *   loadConfig: (env: Record<string, string | undefined>) => unknown }} input
 * @returns {string[]}
 */
function checkParams({ cliParams, known, serverlessYml, environment, stackParams, loadConfig }) {
  const problems = [];
  const knownSet = new Set(known);
  for (const name of givenParams(cliParams)) {
    if (!knownSet.has(name)) {
      const close = known.filter((k) => k.toLowerCase() === name.toLowerCase() || distance(k.toLowerCase(), name.toLowerCase()) <= 2);
      problems.push(`${name}: unknown parameter${close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : ''}; known: ${known.join(', ')}`);
    }
  }
  const names = paramNames(serverlessYml);
  const env = {};
  for (const [k, v] of Object.entries(environment ?? {})) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[k] = String(v);
  try {
    loadConfig(env);
  } catch (error) {
    if (!Array.isArray(error && error.problems)) throw error;
    for (const p of error.problems) problems.push(renamed(p, names));
  }
  const hookName = String(stackParams.hookName ?? '').trim();
  if (hookName !== '' && !HOOK_NAME.test(hookName)) problems.push(`hookName: not a valid lifecycle hook name (1–255 letters, digits, -, _ and /) (got ${JSON.stringify(hookName)})`);
  const schedule = String(stackParams.tickSchedule ?? '').trim();
  if (!SCHEDULE.test(schedule)) problems.push(`tickSchedule: expected rate(N minutes) or cron(...) (got ${JSON.stringify(schedule)})`);
  return problems;
}

/** Levenshtein distance, for "did you mean" (names are short). */
function distance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** core/config.ts through tsx's CommonJS loader (a dev dependency, like serverless itself). */
function coreLoadConfig() {
  const { require: tsxRequire } = require('tsx/cjs/api');
  return tsxRequire(path.join(__dirname, '..', 'core', 'config.ts'), __filename).loadConfig;
}

class ValidateParams {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    const sls = serverless;
    this.hooks = {
      'before:package:initialize': () => this.validate(),
      'before:deploy:function:initialize': () => this.validate(),
      // `initialize` runs before every command's own hooks: invoke local resolves the stack's
      // outputs in its first hook (before:invoke:local:loadEnvVars), too early for us otherwise.
      initialize: () => {
        const commands = sls.processedInput?.commands ?? [];
        if (commands[0] === 'invoke' && commands[1] === 'local') {
          this.validate();
          this.offline();
        }
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
      environment: sls.service.provider.environment ?? {},
      stackParams,
      loadConfig: coreLoadConfig(),
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

/**
 * How the commands a person runs (`plan`, `record`) use the AWS SDK: quietly. A failure is printed
 * once, as one line with a hint (`aws-error.ts`), so the SDK's own logging of failed calls (a
 * multi-line dump per call) is off; and the SDK's warning that its versions published after the
 * first week of January 2027 require Node.js 22 is silenced by the switch AWS documents for it,
 * `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true` (aws/aws-sdk-js-v3#7983). The pinned SDK
 * runs on the Node.js `package.json` `engines` names; docs/recording.md says which to use.
 */
import { CLIENT_OPTIONS } from '../handlers/aws/util';

/** The switch the SDK reads when a client is built (it checks `=== 'true'`). */
export const NODE_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Silence the SDK's Node.js version warning unless the caller set the switch themselves. */
export function quietNodeWarning(env: Record<string, string | undefined>): void {
  if (env[NODE_WARNING_SWITCH] === undefined) env[NODE_WARNING_SWITCH] = 'true';
}

const SILENT = { debug: (): void => undefined, warn: (): void => undefined, error: (): void => undefined };

/** The functions' client options (adaptive retries, cached middleware) with the SDK's logging off. */
export const CLI_CLIENT_OPTIONS = { ...CLIENT_OPTIONS, logger: SILENT as unknown as (typeof CLIENT_OPTIONS)['logger'] } as const;

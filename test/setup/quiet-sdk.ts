/**
 * Every test process: the AWS SDK's Node.js version warning off (`cli/sdk-options.ts` says why and
 * cites the switch), so the test output holds only what the tests print.
 */
import { quietNodeWarning } from '../../cli/sdk-options';

quietNodeWarning(process.env);

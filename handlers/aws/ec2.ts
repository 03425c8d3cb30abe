/**
 * EC2 adapter: the `InstanceCatalog` port over `@aws-sdk/client-ec2`, read-only.
 *
 * Calls used: DescribeLaunchTemplateVersions (the instance type and market of the version a group
 * launches, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeLaunchTemplateVersions.html;
 * `$Latest` / `$Default` are accepted as versions) and DescribeInstanceTypes (vCPUs and memory of
 * instance types, ≤100 types per call,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html).
 * Both answers are cached for the life of the Lambda container: an instance type's size never
 * changes, and a numbered launch template version is immutable (`$Latest`/`$Default` are re-read
 * after `TEMPLATE_TTL_MS`).
 */
import { DescribeInstanceTypesCommand, DescribeLaunchTemplateVersionsCommand, type EC2Client, type _InstanceType } from '@aws-sdk/client-ec2';
import type { InstanceCatalog, InstanceTypeInfo, LaunchTemplateRef, LaunchTemplateInfo } from '../app/ports';
import { chunks, classify } from './util';

/** Moving versions (`$Latest`, `$Default`, none) are re-read this often. */
export const TEMPLATE_TTL_MS = 10 * 60 * 1000;

function templateKey(ref: LaunchTemplateRef): string {
  return `${ref.id ?? ''}|${ref.name ?? ''}|${ref.version ?? '$Default'}`;
}

export class Ec2InstanceCatalog implements InstanceCatalog {
  private readonly types = new Map<string, InstanceTypeInfo | null>();
  private readonly templates = new Map<string, { info: LaunchTemplateInfo; at: number }>();

  constructor(
    private readonly client: EC2Client,
    private readonly now: () => number,
  ) {}

  async launchTemplate(ref: LaunchTemplateRef): Promise<LaunchTemplateInfo> {
    const key = templateKey(ref);
    const cached = this.templates.get(key);
    const fixed = ref.version !== undefined && /^\d+$/.test(ref.version);
    if (cached !== undefined && (fixed || this.now() - cached.at < TEMPLATE_TTL_MS)) return cached.info;
    try {
      const out = await this.client.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(ref.id !== undefined ? { LaunchTemplateId: ref.id } : { LaunchTemplateName: ref.name }),
          Versions: [ref.version ?? '$Default'],
        }),
      );
      const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
      const info: LaunchTemplateInfo = {
        ...(data?.InstanceType !== undefined ? { instanceType: data.InstanceType } : {}),
        ...(data?.InstanceMarketOptions?.MarketType === 'spot' ? { spot: true } : {}),
      };
      this.templates.set(key, { info, at: this.now() });
      return info;
    } catch (error) {
      return classify(error, `describing launch template ${ref.id ?? ref.name ?? '?'} version ${ref.version ?? '$Default'}`);
    }
  }

  async instanceTypes(names: readonly string[]): Promise<Map<string, InstanceTypeInfo>> {
    const missing = [...new Set(names)].filter((n) => !this.types.has(n));
    try {
      for (const batch of chunks(missing, 100)) {
        const out = await this.client.send(new DescribeInstanceTypesCommand({ InstanceTypes: batch as _InstanceType[] }));
        for (const t of out.InstanceTypes ?? []) {
          const vcpus = t.VCpuInfo?.DefaultVCpus;
          const memoryMiB = t.MemoryInfo?.SizeInMiB;
          if (t.InstanceType !== undefined && vcpus !== undefined && memoryMiB !== undefined) this.types.set(t.InstanceType, { vcpus, memoryMiB });
        }
        for (const n of batch) if (!this.types.has(n)) this.types.set(n, null);
      }
    } catch (error) {
      return classify(error, `describing instance types ${missing.join(', ')}`);
    }
    const out = new Map<string, InstanceTypeInfo>();
    for (const n of names) {
      const info = this.types.get(n);
      if (info !== undefined && info !== null) out.set(n, info);
    }
    return out;
  }
}

/**
 * The EC2 catalog port over the simulated world: each group's launch template names its type and
 * market; the scenario's instance types are the type catalog.
 */
import { HeadroomError } from '../../../core/errors';
import { ECS_MEMORY_FRACTION } from '../../../handlers/app/model';
import type { InstanceCatalog, InstanceTypeInfo } from '../../../handlers/app/ports';
import type { SimWorld } from '../../world/sim-world';
import { pages, type ApiCalls } from './api-calls';
import { launchTemplateName } from './auto-scaling-port';

export function simCatalogPort(world: SimWorld, { call }: ApiCalls): InstanceCatalog {
  // EC2 describes: each group's launch template names its type and market; the scenario's instance
  // types are the type catalog (memory stated so the model's estimate of what ECS registers
  // reproduces the scenario's registered memory). Like the real adapter, answers are cached for the
  // life of the container: only new templates and types cost a call.
  const described = new Set<string>();
  return {
    async launchTemplate(ref) {
      const key = `template:${ref.name ?? ref.id ?? ''}`;
      if (!described.has(key)) {
        await call(1, 'DescribeLaunchTemplateVersions');
        described.add(key);
      }
      const g = world.groups.find((x) => launchTemplateName(x.name) === ref.name);
      if (g === undefined) throw new HeadroomError('not-found', `InvalidLaunchTemplateName.NotFoundException: ${ref.name ?? ref.id ?? '?'}`);
      const type = g.types[0]?.instanceType ?? g.spec.instanceType;
      return { instanceType: type, ...(g.spec.spot && g.spec.instanceTypes === undefined ? { spot: true } : {}) };
    },
    async instanceTypes(names) {
      const fresh = names.filter((n) => !described.has(n));
      if (fresh.length > 0) await call(pages(fresh.length, 100), 'DescribeInstanceTypes');
      for (const n of fresh) described.add(n);
      const out = new Map<string, InstanceTypeInfo>();
      for (const g of world.groups) for (const t of g.types) if (names.includes(t.instanceType)) out.set(t.instanceType, { vcpus: t.cpu / 1024, memoryMiB: t.memory / ECS_MEMORY_FRACTION });
      return out;
    },
  };
}

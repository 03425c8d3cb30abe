/**
 * Small fixture builders for the core tests. Instances derive their `remaining` resources and used
 * host ports from their live tasks (what ECS reports), unless a test overrides them.
 */
import type { CapacityGroup, Instance, Resources, Service, Task, TaskShape } from '../../core/cluster';
import { SCALE_IN_ATTRIBUTE } from '../../core/cluster';
import type { DecideSettings } from '../../core/decide';
import type { DrainInput } from '../../core/drain';
import { binOf, type Bin } from '../../core/placement';

/** The ports ECS reserves on every instance (docs/design.md §4, F6). */
export const RESERVED_TCP = [22, 2375, 2376, 51678, 51679] as const;

export const M5_XLARGE: Resources = { cpu: 4096, memory: 15576 };

let taskCounter = 0;

export function shape(cpu: number, memory: number, extra: Partial<TaskShape> = {}): TaskShape {
  return { cpu, memory, ...extra };
}

export function task(overrides: Partial<Task> = {}): Task {
  taskCounter += 1;
  return { id: `t-${taskCounter}`, role: 'service', status: 'RUNNING', cpu: 256, memory: 512, ...overrides };
}

export const serviceTask = (cpu: number, memory: number, extra: Partial<Task> = {}): Task => task({ role: 'service', cpu, memory, ...extra });
export const daemonTask = (cpu: number, memory: number, extra: Partial<Task> = {}): Task => task({ role: 'daemon', cpu, memory, ...extra });
export const standaloneTask = (cpu: number, memory: number, extra: Partial<Task> = {}): Task => task({ role: 'standalone', cpu, memory, ...extra });

export interface InstanceSpec extends Partial<Omit<Instance, 'registered'>> {
  readonly id: string;
  readonly registered?: Resources;
}

/** An instance whose remaining resources and used ports follow from its live tasks. */
export function instance(spec: InstanceSpec): Instance {
  const registered = spec.registered ?? M5_XLARGE;
  const tasks = spec.tasks ?? [];
  const live = tasks.filter((t) => t.status !== 'STOPPED');
  const used = live.reduce((acc, t) => ({ cpu: acc.cpu + t.cpu, memory: acc.memory + t.memory }), { cpu: 0, memory: 0 });
  const tcp = [...RESERVED_TCP, ...live.flatMap((t) => t.tcpPorts ?? [])];
  const udp = live.flatMap((t) => t.udpPorts ?? []);
  return {
    status: 'ACTIVE',
    group: 'g1',
    attributes: {},
    usedTcpPorts: tcp,
    usedUdpPorts: udp,
    remaining: { cpu: registered.cpu - used.cpu, memory: registered.memory - used.memory },
    ...spec,
    registered,
    tasks,
  };
}

/** An instance this tool drains for scale-in (status DRAINING and the scale-in attribute). */
export function scaleInDrain(spec: InstanceSpec): Instance {
  return instance({ status: 'DRAINING', ...spec, attributes: { ...(spec.attributes ?? {}), [SCALE_IN_ATTRIBUTE]: '2026-01-01T00:00:00Z' } });
}

export function bin(spec: InstanceSpec): Bin {
  return binOf(instance(spec));
}

export function group(overrides: Partial<CapacityGroup> & { readonly name?: string } = {}): CapacityGroup {
  return { name: 'g1', min: 0, max: 10, desired: 0, instance: M5_XLARGE, instanceType: 'm5.xlarge', ...overrides };
}

export function service(overrides: Partial<Service> & { readonly name: string }): Service {
  return { shape: { cpu: 256, memory: 512 }, daemon: false, desired: 0, running: 0, pending: 0, unplaced: 0, ...overrides };
}

export const SETTINGS: DecideSettings = {
  taskShape: { cpu: 1024, memory: 2048 },
  shortageThreshold: 2,
  excessThreshold: 10,
  scaleInStabilizationSeconds: 600,
  maxScaleInPercent: 10,
  maxScaleOutStep: 50,
  groupBackoffSeconds: 300,
  scaleInEnabled: true,
  provisioningTimeoutSeconds: 600,
  spotReserveInstances: 0,
  sparePercent: 100,
  spotReservePercent: 100,
  scaleInWaitSeconds: 3600,
};

export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

export function drainInput(overrides: Partial<DrainInput> = {}): DrainInput {
  return {
    status: 'DRAINING',
    tasks: [],
    hook: { pending: true, expiresAt: NOW + 3_600_000 },
    deadline: NOW + 900_000,
    timeoutSeconds: 900,
    now: NOW,
    checkSeconds: 30,
    standalonePolicy: 'stop',
    ...overrides,
  };
}

/** A drain without a lifecycle hook (scale-in drains). */
export function withoutHook(input: DrainInput): DrainInput {
  const { hook: _hook, ...rest } = input;
  return rest;
}

/** `n` copies of a builder's result, with distinct ids where the builder makes them. */
export function times<T>(n: number, make: (k: number) => T): T[] {
  return Array.from({ length: n }, (_, k) => make(k));
}

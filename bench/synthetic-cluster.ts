/**
 * A synthetic ECS cluster for the decision-cost benchmark, built twice from the same seed: as the
 * core model (`Instance[]`, `Service[]`, `CapacityGroup[]`) and as the JSON pages of
 * `DescribeContainerInstances` (100 per call) and `DescribeTasks` (100 per call) that describe it,
 * field for field as the ECS API reference shows them. Parsing those pages is the floor any
 * decision has to be compared with: a tick must read them before it can decide.
 */
import type { CapacityGroup, Instance, Service, Task, TaskShape } from '../core/cluster';
import { SCALE_IN_ATTRIBUTE } from '../core/cluster';
import { Prng } from '../sim/world/prng';

export interface SyntheticOptions {
  readonly instances: number;
  readonly tasks: number;
  readonly services: number;
  readonly seed: number;
}

export interface SyntheticCluster {
  readonly instances: Instance[];
  readonly services: Service[];
  readonly groups: CapacityGroup[];
  /** JSON text of each DescribeContainerInstances response page. */
  readonly containerInstancePages: string[];
  /** JSON text of each DescribeTasks response page. */
  readonly taskPages: string[];
  /** The same objects one by one, as the API returns them (for the in-process ECS endpoint). */
  readonly containerInstanceObjects: Array<Record<string, unknown>>;
  readonly taskObjects: Array<Record<string, unknown>>;
  /** Auto Scaling membership: EC2 instance id, group and lifecycle state. */
  readonly members: Array<{ readonly id: string; readonly group: string; readonly lifecycleState: string; readonly instanceType: string }>;
  readonly taskCount: number;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const CLUSTER = 'bench';
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const RESERVED_PORTS = ['22', '2375', '2376', '51678', '51679'];

const GROUP_SPECS = [
  { name: 'spot-m5-xlarge', instanceType: 'm5.xlarge', cpu: 4096, memory: 15576 },
  { name: 'spot-m5-2xlarge', instanceType: 'm5.2xlarge', cpu: 8192, memory: 31630 },
  { name: 'ondemand-c5-2xlarge', instanceType: 'c5.2xlarge', cpu: 8192, memory: 15236 },
] as const;

/** Capability attributes every ECS-optimised AMI agent registers (the API returns them all). */
const CAPABILITIES = [
  'com.amazonaws.ecs.capability.logging-driver.syslog',
  'com.amazonaws.ecs.capability.logging-driver.awslogs',
  'com.amazonaws.ecs.capability.logging-driver.json-file',
  'com.amazonaws.ecs.capability.logging-driver.none',
  'com.amazonaws.ecs.capability.privileged-container',
  'com.amazonaws.ecs.capability.docker-remote-api.1.17',
  'com.amazonaws.ecs.capability.docker-remote-api.1.24',
  'com.amazonaws.ecs.capability.docker-remote-api.1.32',
  'com.amazonaws.ecs.capability.docker-remote-api.1.44',
  'com.amazonaws.ecs.capability.ecr-auth',
  'com.amazonaws.ecs.capability.task-iam-role',
  'com.amazonaws.ecs.capability.task-iam-role-network-host',
  'ecs.capability.execution-role-awslogs',
  'ecs.capability.execution-role-ecr-pull',
  'ecs.capability.secrets.asm.environment-variables',
  'ecs.capability.secrets.ssm.environment-variables',
  'ecs.capability.task-eni',
  'ecs.capability.task-eni-trunking',
  'ecs.capability.container-health-check',
  'ecs.capability.container-ordering',
  'ecs.capability.full-sync',
  'ecs.capability.env-files.s3',
  'ecs.capability.service-connect-v1',
  'ecs.capability.efsAuth',
  'ecs.capability.increased-task-cpu-limit',
];

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function resourceList(cpu: number, memory: number, tcp: readonly string[], udp: readonly string[]): unknown[] {
  return [
    { name: 'CPU', type: 'INTEGER', doubleValue: 0.0, longValue: 0, integerValue: cpu },
    { name: 'MEMORY', type: 'INTEGER', doubleValue: 0.0, longValue: 0, integerValue: memory },
    { name: 'PORTS', type: 'STRINGSET', doubleValue: 0.0, longValue: 0, integerValue: 0, stringSetValue: tcp },
    { name: 'PORTS_UDP', type: 'STRINGSET', doubleValue: 0.0, longValue: 0, integerValue: 0, stringSetValue: udp },
  ];
}

export function buildSyntheticCluster(options: SyntheticOptions): SyntheticCluster {
  const prng = new Prng(options.seed);
  const rand = (): number => prng.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const baseTime = 1_763_000_000;

  // Services: two daemons (log router, metrics agent), the rest replicated with mixed shapes.
  const services: Service[] = [];
  const daemonShapes: TaskShape[] = [
    { cpu: 64, memory: 128, taskGroup: 'service:log-router' },
    { cpu: 64, memory: 192, taskGroup: 'service:metrics-agent' },
  ];
  const daemonNames = ['log-router', 'metrics-agent'];
  daemonNames.forEach((name, k) => {
    services.push({ name, shape: daemonShapes[k] as TaskShape, daemon: true, desired: options.instances, running: options.instances, pending: 0, unplaced: 0 });
  });
  const replicated = options.services - daemonNames.length;
  const serviceTasks = options.tasks - daemonNames.length * options.instances;
  const cpus = [128, 256, 256, 512, 512, 1024];
  const memories = [256, 512, 1024, 1024, 2048, 4096];
  const shapes: TaskShape[] = [];
  for (let s = 0; s < replicated; s++) {
    const name = `svc-${String(s).padStart(3, '0')}`;
    const withPort = s % 25 === 0;
    const shape: TaskShape = {
      cpu: pick(cpus),
      memory: pick(memories),
      taskGroup: `service:${name}`,
      ...(withPort ? { tcpPorts: [8000 + s] } : {}),
      ...(s % 40 === 1 ? { memberOf: ['attribute:ecs.instance-type =~ m5.*'] } : {}),
    };
    shapes.push(shape);
  }

  // Instances, each with its daemons; service tasks dealt round-robin onto instances that fit.
  const groups = GROUP_SPECS.map((g) => ({ ...g, count: 0 }));
  interface Draft {
    id: string;
    arn: string;
    group: (typeof groups)[number];
    az: string;
    freeCpu: number;
    freeMemory: number;
    tcp: string[];
    tasks: Task[];
    status: 'ACTIVE' | 'DRAINING';
    attributes: Record<string, string>;
  }
  const drafts: Draft[] = [];
  for (let i = 0; i < options.instances; i++) {
    const group = groups[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2] as (typeof groups)[number];
    group.count++;
    const id = `i-0${hex(rand, 16)}`;
    const d: Draft = {
      id,
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${CLUSTER}/${hex(rand, 32)}`,
      group,
      az: AZS[i % AZS.length] as string,
      freeCpu: group.cpu,
      freeMemory: group.memory,
      tcp: [...RESERVED_PORTS],
      tasks: [],
      status: 'ACTIVE',
      attributes: {},
    };
    daemonShapes.forEach((shape, k) => {
      d.freeCpu -= shape.cpu;
      d.freeMemory -= shape.memory;
      d.tasks.push({ ...shape, id: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${hex(rand, 32)}`, role: 'daemon', status: 'RUNNING', service: daemonNames[k] as string });
    });
    drafts.push(d);
  }
  let cursor = 0;
  const unplacedBy = new Map<number, number>();
  for (let t = 0; t < serviceTasks; t++) {
    const s = t % replicated;
    const shape = shapes[s] as TaskShape;
    let home: Draft | undefined;
    for (let tries = 0; tries < 64 && home === undefined; tries++) {
      const d = drafts[(cursor + tries * 7919) % drafts.length] as Draft;
      const portFree = shape.tcpPorts === undefined || !d.tcp.includes(String(shape.tcpPorts[0]));
      const typeOk = shape.memberOf === undefined || d.group.instanceType.startsWith('m5');
      if (d.freeCpu >= shape.cpu && d.freeMemory >= shape.memory && portFree && typeOk) home = d;
    }
    cursor = (cursor + 1) % drafts.length;
    if (home === undefined) {
      unplacedBy.set(s, (unplacedBy.get(s) ?? 0) + 1);
      continue;
    }
    home.freeCpu -= shape.cpu;
    home.freeMemory -= shape.memory;
    if (shape.tcpPorts !== undefined) home.tcp.push(String(shape.tcpPorts[0]));
    home.tasks.push({ ...shape, id: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${hex(rand, 32)}`, role: rand() < 0.02 ? 'standalone' : 'service', status: 'RUNNING', service: `svc-${String(s).padStart(3, '0')}` });
  }
  // A few instances already drained for scale-in, and a few leaving (Spot), as in a busy tick.
  for (let k = 0; k < 5; k++) {
    const d = drafts[k * 97] as Draft;
    d.status = 'DRAINING';
    d.attributes[SCALE_IN_ATTRIBUTE] = new Date(baseTime * 1000).toISOString();
  }

  // Running tasks per service in one pass over the tasks (O(T), not O(services × tasks)).
  const runningBy = new Map<string, number>();
  for (const d of drafts) for (const t of d.tasks) if (t.service !== undefined) runningBy.set(t.service, (runningBy.get(t.service) ?? 0) + 1);
  for (let s = 0; s < replicated; s++) {
    const name = `svc-${String(s).padStart(3, '0')}`;
    const running = runningBy.get(name) ?? 0;
    const unplaced = unplacedBy.get(s) ?? 0;
    services.push({ name, shape: shapes[s] as TaskShape, daemon: false, desired: running + unplaced, running, pending: 0, unplaced });
  }

  const instances: Instance[] = drafts.map((d, k) => ({
    id: d.id,
    arn: d.arn,
    group: d.group.name,
    status: d.status,
    registered: { cpu: d.group.cpu, memory: d.group.memory },
    remaining: { cpu: d.freeCpu, memory: d.freeMemory },
    usedTcpPorts: d.tcp.map(Number),
    usedUdpPorts: [],
    availabilityZone: d.az,
    instanceType: d.group.instanceType,
    attributes: { ...d.attributes, 'ecs.instance-type': d.group.instanceType, 'ecs.availability-zone': d.az },
    tasks: d.tasks,
    ...(k % 1000 === 999 ? { terminating: true } : {}),
  }));

  const capacityGroups: CapacityGroup[] = groups.map((g) => ({
    name: g.name,
    min: 1,
    max: g.count * 2,
    desired: g.count,
    instance: { cpu: g.cpu, memory: g.memory },
    instanceType: g.instanceType,
  }));

  // The same cluster as the API describes it.
  const containerInstanceObjects: Array<Record<string, unknown>> = [];
  const containerInstancePages: string[] = [];
  for (let p = 0; p < drafts.length; p += 100) {
    const page = drafts.slice(p, p + 100).map((d): Record<string, unknown> => ({
      containerInstanceArn: d.arn,
      ec2InstanceId: d.id,
      capacityProviderName: `cp-${d.group.name}`,
      version: 100 + d.tasks.length,
      versionInfo: { agentVersion: '1.89.2', agentHash: hex(rand, 8), dockerVersion: 'DockerVersion: 25.0.8' },
      remainingResources: resourceList(d.freeCpu, d.freeMemory, d.tcp, []),
      registeredResources: resourceList(d.group.cpu, d.group.memory, RESERVED_PORTS, []),
      status: d.status,
      agentConnected: true,
      runningTasksCount: d.tasks.length,
      pendingTasksCount: 0,
      attributes: [
        ...CAPABILITIES.map((name) => ({ name })),
        { name: 'ecs.ami-id', value: `ami-0${hex(rand, 16)}` },
        { name: 'ecs.availability-zone', value: d.az },
        { name: 'ecs.instance-type', value: d.group.instanceType },
        { name: 'ecs.os-type', value: 'linux' },
        { name: 'ecs.os-family', value: 'LINUX' },
        { name: 'ecs.cpu-architecture', value: 'x86_64' },
        { name: 'ecs.vpc-id', value: 'vpc-0a1b2c3d4e5f60718' },
        { name: 'ecs.subnet-id', value: `subnet-0${hex(rand, 16)}` },
        ...Object.entries(d.attributes).map(([name, value]) => ({ name, value })),
      ],
      registeredAt: baseTime - Math.floor(rand() * 86_400),
      attachments: [],
      tags: [],
    }));
    containerInstanceObjects.push(...page);
    containerInstancePages.push(JSON.stringify({ containerInstances: page, failures: [] }));
  }

  const taskPages: string[] = [];
  const taskObjects: Array<Record<string, unknown>> = [];
  let buffer: Array<Record<string, unknown>> = [];
  const flush = (): void => {
    if (buffer.length > 0) taskPages.push(JSON.stringify({ tasks: buffer, failures: [] }));
    taskObjects.push(...buffer);
    buffer = [];
  };
  for (const d of drafts) {
    for (const t of d.tasks) {
      const family = t.service ?? 'job';
      const created = baseTime - Math.floor(rand() * 86_400);
      buffer.push({
        attachments: [],
        attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
        availabilityZone: d.az,
        clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
        connectivity: 'CONNECTED',
        connectivityAt: created + 1,
        containerInstanceArn: d.arn,
        containers: [
          {
            containerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/${CLUSTER}/${hex(rand, 32)}/${hex(rand, 36)}`,
            taskArn: t.id,
            name: 'app',
            image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${family}:1.${Math.floor(rand() * 90)}.0`,
            imageDigest: `sha256:${hex(rand, 64)}`,
            runtimeId: hex(rand, 64),
            lastStatus: 'RUNNING',
            networkBindings: t.tcpPorts !== undefined ? [{ bindIP: '0.0.0.0', containerPort: t.tcpPorts[0], hostPort: t.tcpPorts[0], protocol: 'tcp' }] : [{ bindIP: '0.0.0.0', containerPort: 8080, hostPort: 32768 + Math.floor(rand() * 28000), protocol: 'tcp' }],
            networkInterfaces: [],
            healthStatus: 'HEALTHY',
            cpu: String(t.cpu),
            memoryReservation: String(t.memory),
          },
        ],
        cpu: String(t.cpu),
        createdAt: created,
        desiredStatus: 'RUNNING',
        enableExecuteCommand: false,
        group: t.role === 'standalone' ? `family:${family}` : `service:${family}`,
        healthStatus: 'HEALTHY',
        lastStatus: t.status,
        launchType: 'EC2',
        memory: String(t.memory),
        overrides: { containerOverrides: [{ name: 'app' }], inferenceAcceleratorOverrides: [] },
        pullStartedAt: created + 2,
        pullStoppedAt: created + 9,
        startedAt: created + 11,
        startedBy: t.role === 'standalone' ? 'batch' : `ecs-svc/${hex(rand, 19)}`,
        tags: [],
        taskArn: t.id,
        // A service runs its current revision, a few tasks still the previous one (a deployment).
        taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${family}:${rand() < 0.95 ? 1 : 2}`,
        version: 3,
      });
      if (buffer.length === 100) flush();
    }
  }
  flush();

  const members = drafts.map((d, k) => ({ id: d.id, group: d.group.name, lifecycleState: k % 1000 === 999 ? 'Terminating:Wait' : 'InService', instanceType: d.group.instanceType }));
  return {
    instances,
    services,
    groups: capacityGroups,
    containerInstancePages,
    taskPages,
    containerInstanceObjects,
    taskObjects,
    members,
    taskCount: drafts.reduce((n, d) => n + d.tasks.length, 0),
  };
}

/**
 * An in-process HTTP endpoint that answers the ECS JSON 1.1 calls the adapter makes, from the
 * synthetic cluster's objects, so the benchmark reads through the real SDK client (serialisation,
 * middleware, retries, deserialisation) and counts every call and byte.
 *
 * Each object is serialised once up front; a response is the concatenation of the objects it holds,
 * kept as bytes for the next identical request, so the endpoint itself costs little of the
 * measured read time (it runs in the same process as the client it serves). Writes (attributes, state changes,
 * StopTask) are acknowledged and counted, never applied: the benchmark measures one tick.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service } from '../core/cluster';

export interface EndpointWorld {
  readonly containerInstances: ReadonlyArray<Record<string, unknown>>;
  readonly tasks: ReadonlyArray<Record<string, unknown>>;
  readonly services: readonly Service[];
}

export interface EcsEndpoint {
  readonly url: string;
  /** Calls per operation since the last `reset()`. */
  readonly calls: Map<string, number>;
  /** Response bodies since the last `reset()` (for the `JSON.parse` floor). */
  readonly bodies: string[];
  reset(): void;
  total(): number;
  /** Replace one container instance (e.g. a bumped `version`) and its tasks. */
  update(instance: Record<string, unknown>, tasks: ReadonlyArray<Record<string, unknown>>): void;
  /**
   * Render again every response served before whose world changed since (`update`), so that the
   * next identical requests are answered from bytes, as unchanged ones are: the endpoint's own cost
   * stays out of the client's measured time.
   */
  refresh(): void;
  close(): Promise<void>;
}

const PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const REGION_ACCOUNT = 'us-east-1:123456789012';

function serviceObject(s: Service): Record<string, unknown> {
  const family = s.name;
  const deployment = { id: `ecs-svc/${s.name}`, status: 'PRIMARY', taskDefinition: `arn:aws:ecs:${REGION_ACCOUNT}:task-definition/${family}:1`, desiredCount: s.desired, runningCount: s.running, pendingCount: s.pending, launchType: 'EC2', rolloutState: 'COMPLETED' };
  return {
    serviceArn: `arn:aws:ecs:${REGION_ACCOUNT}:service/bench/${s.name}`,
    serviceName: s.name,
    clusterArn: `arn:aws:ecs:${REGION_ACCOUNT}:cluster/bench`,
    status: 'ACTIVE',
    desiredCount: s.desired,
    runningCount: s.running,
    pendingCount: s.pending,
    launchType: 'EC2',
    taskDefinition: deployment.taskDefinition,
    deployments: [deployment],
    schedulingStrategy: s.daemon ? 'DAEMON' : 'REPLICA',
    placementConstraints: (s.shape.memberOf ?? []).map((expression) => ({ type: 'memberOf', expression })),
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
    events: [],
  };
}

function taskDefinitionObject(arn: string, shape: Service['shape'] | undefined): Record<string, unknown> {
  const family = /task-definition\/([^:]+):/.exec(arn)?.[1] ?? 'job';
  const port = shape?.tcpPorts?.[0];
  return {
    taskDefinition: {
      taskDefinitionArn: arn,
      family,
      networkMode: 'bridge',
      containerDefinitions: [{ name: 'app', cpu: shape?.cpu ?? 256, memoryReservation: shape?.memory ?? 512, essential: true, portMappings: [{ containerPort: port ?? 8080, hostPort: port ?? 0, protocol: 'tcp' }] }],
      placementConstraints: [],
      status: 'ACTIVE',
    },
  };
}

export async function startEcsEndpoint(world: EndpointWorld): Promise<EcsEndpoint> {
  const ciJson = new Map<string, string>();
  const ciOrder: string[] = [];
  const ec2ToArn = new Map<string, string>();
  for (const ci of world.containerInstances) {
    const arn = ci.containerInstanceArn as string;
    ciOrder.push(arn);
    ciJson.set(arn, JSON.stringify(ci));
    ec2ToArn.set(ci.ec2InstanceId as string, arn);
  }
  const taskJson = new Map<string, string>();
  const tasksOf = new Map<string, string[]>();
  const addTasks = (tasks: ReadonlyArray<Record<string, unknown>>): void => {
    for (const t of tasks) {
      const arn = t.taskArn as string;
      taskJson.set(arn, JSON.stringify(t));
      const ci = t.containerInstanceArn as string;
      const list = tasksOf.get(ci) ?? [];
      list.push(arn);
      tasksOf.set(ci, list);
    }
  };
  addTasks(world.tasks);
  /** Every task ARN, listed again on the first cluster-wide ListTasks after an `update`. */
  let allTasks: string[] | undefined;
  const serviceJson = new Map(world.services.map((s) => [`arn:aws:ecs:${REGION_ACCOUNT}:service/bench/${s.name}`, JSON.stringify(serviceObject(s))]));
  const byName = new Map(world.services.map((s) => [s.name, s]));
  const serviceArns = [...serviceJson.keys()];

  const calls = new Map<string, number>();
  const bodies: string[] = [];
  /**
   * Responses already served, by operation and request body, as text and bytes: the same request
   * gets the same bytes without serialising them again (the endpoint's own cost is not the
   * client's). Rendered again when the world changed since (`update`, then `refresh`).
   */
  const served = new Map<string, { op: string; request: string; generation: number; text: string; bytes: Buffer }>();
  /** Incremented by every `update`: a served response of an older world is rendered again. */
  let generation = 0;
  const render = (op: string, request: string): { op: string; request: string; generation: number; text: string; bytes: Buffer } => {
    const text = answer(op, JSON.parse(request || '{}') as Record<string, unknown>);
    return { op, request, generation, text, bytes: Buffer.from(text, 'utf8') };
  };
  const page = <T>(items: readonly T[], body: Record<string, unknown>): { items: T[]; nextToken?: string } => {
    const start = typeof body.nextToken === 'string' ? Number(body.nextToken) : 0;
    const size = typeof body.maxResults === 'number' ? body.maxResults : 100;
    const slice = items.slice(start, start + size);
    return start + size < items.length ? { items: slice, nextToken: String(start + size) } : { items: slice };
  };
  const list = (key: string, items: readonly string[], body: Record<string, unknown>): string => {
    const p = page(items, body);
    return JSON.stringify({ [key]: p.items, ...(p.nextToken !== undefined ? { nextToken: p.nextToken } : {}) });
  };
  const described = (key: string, ids: readonly string[], json: ReadonlyMap<string, string>): string => {
    const found: string[] = [];
    const failures: string[] = [];
    for (const id of ids) {
      const j = json.get(id);
      if (j !== undefined) found.push(j);
      else failures.push(JSON.stringify({ arn: id, reason: 'MISSING' }));
    }
    return `{"${key}":[${found.join(',')}],"failures":[${failures.join(',')}]}`;
  };

  const answer = (op: string, body: Record<string, unknown>): string => {
    switch (op) {
      case 'ListContainerInstances': {
        const filter = typeof body.filter === 'string' ? body.filter : undefined;
        const ids = filter !== undefined ? [...filter.matchAll(/'(i-[0-9a-zA-Z]+)'/g)].map((m) => m[1] as string) : undefined;
        const arns = ids !== undefined ? ids.map((id) => ec2ToArn.get(id)).filter((a): a is string => a !== undefined) : ciOrder;
        return list('containerInstanceArns', arns, body);
      }
      case 'DescribeContainerInstances':
        return described('containerInstances', body.containerInstances as string[], ciJson);
      case 'ListTasks': {
        const ci = body.containerInstance as string | undefined;
        if (body.desiredStatus === 'STOPPED') return JSON.stringify({ taskArns: [] });
        return list('taskArns', ci !== undefined ? (tasksOf.get(ci) ?? []) : (allTasks ??= [...taskJson.keys()]), body);
      }
      case 'DescribeTasks':
        return described('tasks', body.tasks as string[], taskJson);
      case 'ListServices':
        return list('serviceArns', serviceArns, body);
      case 'DescribeServices': {
        const ids = (body.services as string[]).map((s) => (s.startsWith('arn:') ? s : `arn:aws:ecs:${REGION_ACCOUNT}:service/bench/${s}`));
        return described('services', ids, serviceJson);
      }
      case 'DescribeClusters':
        return JSON.stringify({ clusters: [{ clusterName: 'bench', status: 'ACTIVE', activeServicesCount: serviceArns.length, registeredContainerInstancesCount: ciOrder.length }], failures: [] });
      case 'DescribeTaskDefinition': {
        const arn = body.taskDefinition as string;
        const family = /task-definition\/([^:]+):/.exec(arn)?.[1] ?? '';
        return JSON.stringify(taskDefinitionObject(arn, byName.get(family)?.shape));
      }
      default:
        return '{}';
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? '').replace(PREFIX, '');
      calls.set(op, (calls.get(op) ?? 0) + 1);
      const request = Buffer.concat(chunks).toString('utf8');
      const key = `${op} ${request}`;
      let cached = served.get(key);
      if (cached === undefined || cached.generation !== generation) {
        cached = render(op, request);
        served.set(key, cached);
      }
      bodies.push(cached.text);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': cached.bytes.byteLength, 'x-amzn-requestid': String(bodies.length) });
      res.end(cached.bytes);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    bodies,
    reset() {
      calls.clear();
      bodies.length = 0;
    },
    total() {
      let n = 0;
      for (const c of calls.values()) n += c;
      return n;
    },
    refresh() {
      for (const [key, r] of served) if (r.generation !== generation) served.set(key, render(r.op, r.request));
    },
    update(instance, tasks) {
      generation++;
      const arn = instance.containerInstanceArn as string;
      ciJson.set(arn, JSON.stringify(instance));
      for (const old of tasksOf.get(arn) ?? []) taskJson.delete(old);
      tasksOf.delete(arn);
      addTasks(tasks);
      allTasks = undefined;
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

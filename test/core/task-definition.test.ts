import { hostPorts, parseCpu, parseMemory, taskShapeOf, type ContainerSpec, type TaskDefinitionSpec } from '../../core/task-definition';

const container = (c: ContainerSpec): ContainerSpec => ({ name: 'c', ...c });
const td = (overrides: TaskDefinitionSpec): TaskDefinitionSpec => ({ family: 'f', ...overrides });

describe('task reservation', () => {
  it.each<[string, TaskDefinitionSpec, number, number]>([
    ['task-level cpu/memory win over container values', td({ cpu: '1024', memory: '2048', containerDefinitions: [container({ cpu: 128, memory: 256 })] }), 1024, 2048],
    ['without task-level values, containers are summed', td({ containerDefinitions: [container({ cpu: 128, memory: 256 }), container({ cpu: 256, memory: 512 })] }), 384, 768],
    ['memoryReservation (soft limit) is used before memory (hard limit)', td({ containerDefinitions: [container({ cpu: 10, memory: 1024, memoryReservation: 300 })] }), 10, 300],
    ['memory is used when memoryReservation is absent', td({ containerDefinitions: [container({ memory: 700 }), container({ memoryReservation: 100 })] }), 0, 800],
    ['a container without cpu reserves none', td({ containerDefinitions: [container({ memory: 64 }), container({ cpu: 512, memory: 64 })] }), 512, 128],
    ['task-level cpu only: memory still from containers', td({ cpu: '512', containerDefinitions: [container({ cpu: 1, memory: 100 }), container({ memoryReservation: 50, memory: 999 })] }), 512, 150],
    ['task-level memory only: cpu still from containers', td({ memory: '4096', containerDefinitions: [container({ cpu: 100 }), container({ cpu: 28 })] }), 128, 4096],
    ['"1 vCPU" is 1024 units', td({ cpu: '1 vCPU', memory: '512' }), 1024, 512],
    ['"0.5 vcpu" is 512 units', td({ cpu: '0.5 vcpu', memory: '512' }), 512, 512],
    ['"2 GB" is 2048 MiB', td({ cpu: '256', memory: '2 GB' }), 256, 2048],
    ['"0.5 GB" is 512 MiB', td({ cpu: '256', memory: '0.5 GB' }), 256, 512],
    ['"512 MiB" is 512 MiB', td({ cpu: '256', memory: '512 MiB' }), 256, 512],
    ['no containers and no task values reserve nothing', td({}), 0, 0],
  ])('%s', (_rule, def, cpu, memory) => {
    const s = taskShapeOf(def);
    expect({ cpu: s.cpu, memory: s.memory }).toEqual({ cpu, memory });
  });

  it.each<[string | undefined, number | undefined]>([
    ['1024', 1024],
    ['2 vCPU', 2048],
    ['4VCPU', 4096],
    ['0.25 vCPU', 256],
    [' 256 ', 256],
    [undefined, undefined],
    ['', undefined],
    ['lots', undefined],
  ])('parseCpu(%p) = %p', (text, expected) => {
    expect(parseCpu(text)).toBe(expected);
  });

  it.each<[string | undefined, number | undefined]>([
    ['2048', 2048],
    ['2 GB', 2048],
    ['1GiB', 1024],
    ['3 gb', 3072],
    ['300 MB', 300],
    [undefined, undefined],
    ['big', undefined],
  ])('parseMemory(%p) = %p', (text, expected) => {
    expect(parseMemory(text)).toBe(expected);
  });
});

describe('host ports by network mode', () => {
  const web = (networkMode: string | undefined, mappings: ContainerSpec['portMappings']): TaskDefinitionSpec =>
    td({ ...(networkMode !== undefined ? { networkMode } : {}), containerDefinitions: [container({ cpu: 1, memory: 1, ...(mappings !== undefined ? { portMappings: mappings } : {}) })] });

  it.each<[string, TaskDefinitionSpec, number[], number[]]>([
    ['bridge: a static hostPort is held', web('bridge', [{ containerPort: 8080, hostPort: 80 }]), [80], []],
    ['bridge: hostPort 0 is a dynamic port and holds nothing', web('bridge', [{ containerPort: 8080, hostPort: 0 }]), [], []],
    ['bridge: an absent hostPort is dynamic and holds nothing', web('bridge', [{ containerPort: 8080 }]), [], []],
    ['bridge is the default network mode', web(undefined, [{ containerPort: 8080, hostPort: 81 }]), [81], []],
    ['host: hostPort = containerPort when hostPort is absent', web('host', [{ containerPort: 9000 }]), [9000], []],
    ['host: an explicit hostPort is held', web('host', [{ containerPort: 9000, hostPort: 9000 }]), [9000], []],
    ['awsvpc: the task has its own ENI and holds no host port', web('awsvpc', [{ containerPort: 80, hostPort: 80 }]), [], []],
    ['none: no host port', web('none', [{ containerPort: 80, hostPort: 80 }]), [], []],
    ['udp mappings are held as udp ports', web('bridge', [{ containerPort: 53, hostPort: 53, protocol: 'udp' }]), [], [53]],
    ['protocol is case-insensitive', web('host', [{ containerPort: 514, protocol: 'UDP' }]), [], [514]],
    ['tcp and udp on the same number are separate', web('host', [{ containerPort: 53, protocol: 'tcp' }, { containerPort: 53, protocol: 'udp' }]), [53], [53]],
  ])('%s', (_rule, def, tcp, udp) => {
    expect(hostPorts(def)).toEqual({ tcp, udp });
  });

  it('ports of every container are collected', () => {
    const def = td({
      networkMode: 'bridge',
      containerDefinitions: [container({ portMappings: [{ containerPort: 1, hostPort: 1000 }] }), container({ portMappings: [{ containerPort: 2, hostPort: 2000 }, { containerPort: 3, hostPort: 0 }] })],
    });
    expect(hostPorts(def).tcp.sort()).toEqual([1000, 2000]);
  });

  it('the shape omits empty port lists and carries the ports it holds', () => {
    expect(taskShapeOf(web('awsvpc', [{ containerPort: 80 }]))).toEqual({ cpu: 1, memory: 1, awsvpc: true });
    expect(taskShapeOf(web('host', [{ containerPort: 80 }]))).toEqual({ cpu: 1, memory: 1, tcpPorts: [80] });
  });
});

describe('placement constraints of a task definition', () => {
  it.each<[string, TaskDefinitionSpec, Parameters<typeof taskShapeOf>[1], Record<string, unknown>]>([
    ['memberOf expressions are collected from the task definition and the service', td({ placementConstraints: [{ type: 'memberOf', expression: 'attribute:a == 1' }] }), [{ type: 'memberOf', expression: 'attribute:b == 2' }], { memberOf: ['attribute:a == 1', 'attribute:b == 2'] }],
    ['blank memberOf expressions are dropped', td({ placementConstraints: [{ type: 'memberOf', expression: '  ' }, { type: 'memberOf' }] }), [], {}],
    ['distinctInstance comes from the service', td({}), [{ type: 'distinctInstance' }], { distinctInstance: true }],
  ])('%s', (_rule, def, extra, expected) => {
    const { cpu: _c, memory: _m, ...rest } = taskShapeOf(def, extra);
    expect(rest).toEqual(expected);
  });

  it('the task group is carried for distinctInstance', () => {
    expect(taskShapeOf(td({}), [{ type: 'distinctInstance' }], 'service:web')).toMatchObject({ distinctInstance: true, taskGroup: 'service:web' });
  });
});

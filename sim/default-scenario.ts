/**
 * The default scenario, embedded so `npm start` needs no file (the same as scenarios/default.json;
 * a test keeps the two equal).
 */
export const DEFAULT_SCENARIO: unknown = {
  name: 'diurnal-spot',
  description: 'A day of a Spot cluster: a diurnal web service, a small API with a static host port, a log agent on every instance, a batch job burst at 05:00, background Spot interruptions and one storm at 15:00.',
  seed: 7,
  durationMinutes: 1440,
  tickSeconds: 60,
  capacityGroups: [
    {
      name: 'spot',
      instanceType: 'm5.xlarge',
      cpu: 4096,
      memory: 15576,
      pricePerHour: 0.08,
      spot: true,
      min: 1,
      max: 60,
      initial: 3,
      launchSeconds: 150
    }
  ],
  services: [
    {
      name: 'web',
      cpu: 512,
      memory: 1024,
      hostPorts: [],
      daemon: false,
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      desired: [
        [
          0,
          6
        ],
        [
          480,
          40
        ],
        [
          720,
          60
        ],
        [
          1200,
          12
        ],
        [
          1440,
          6
        ]
      ]
    },
    {
      name: 'api',
      cpu: 256,
      memory: 512,
      hostPorts: [
        8080
      ],
      daemon: false,
      minimumHealthyPercent: 50,
      maximumPercent: 200,
      desired: [
        [
          0,
          2
        ],
        [
          480,
          4
        ],
        [
          1200,
          4
        ],
        [
          1320,
          2
        ]
      ]
    },
    {
      name: 'log-agent',
      cpu: 128,
      memory: 256,
      daemon: true
    }
  ],
  jobs: [
    {
      name: 'nightly-report',
      atMinute: 300,
      count: 20,
      cpu: 1024,
      memory: 2048,
      durationMinutes: 40
    }
  ],
  interruptions: {
    spotPerInstanceHour: 0.01,
    storms: [
      {
        atMinute: 900,
        fraction: 0.3
      }
    ]
  },
  faults: {
    apiErrorRate: 0,
    duplicateEventRate: 0,
    eventDelaySeconds: [
      0,
      0
    ]
  },
  env: {
    SHORTAGE_THRESHOLD: '2'
  }
};

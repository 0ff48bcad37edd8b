/**
 * The stack profile FILE (JSON), as a zod schema: what a user writes. Paths in it (compose files,
 * env file) are relative to the profile file's directory. Defaults are filled here, so the loaded
 * StackProfile (types.ts) has every field the harness reads. The JSON Schema for editors
 * (stack-profile.schema.json) is generated from this by `npm run profile:schema`.
 */
import { z } from 'zod';
import { envPlaceholders, unknownPlaceholders } from './production-env.ts';

const serviceName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, {
  message: 'a compose service name (letters, digits, "_", ".", "-")',
});
const port = z.number().int().min(1).max(65_535);
const envVariable = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'an environment variable name ([A-Za-z_][A-Za-z0-9_]*)' });
const httpPath = z.string().regex(/^\/\S*$/, { message: 'an HTTP path starting with "/"' });
const jsonField = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
  message: 'a dotted JSON field path, e.g. connection.subscribed',
});
/** InfluxDB org and bucket names: non-empty, no leading underscore (reserved for system buckets). */
const influxName = z.string().regex(/^[^_\s][^\s]{0,63}$/, {
  message: 'an InfluxDB name (1-64 characters, no spaces, not starting with "_")',
});

export const tokenDeliverySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('env'), variable: envVariable }),
    z.strictObject({
      kind: z.literal('file'),
      path: z.string().regex(/^\/\S*\/test\.token$/, {
        message:
          'an absolute path inside the container ending in /test.token (the harness mounts its token volume at its directory)',
      }),
      variable: envVariable.optional(),
    }),
  ],
  { message: 'a token delivery: {"kind":"env","variable":NAME} or {"kind":"file","path":"/abs/path"}' },
);

export const healthMappingSchema = z.strictObject({
  path: httpPath.default('/health'),
  healthy: z
    .strictObject({
      field: jsonField,
      values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
    })
    .optional(),
  subscribed: jsonField.optional(),
  deploymentMode: jsonField.optional(),
  counters: z
    .strictObject({
      received: jsonField.optional(),
      written: jsonField.optional(),
      failed: jsonField.optional(),
      dropped: jsonField.optional(),
      buffered: jsonField.optional(),
      skipped: jsonField.optional(),
    })
    .optional(),
});

/** Env of a production deployment: variable -> value, values may hold {{placeholders}} (production-env.ts). */
const envMap = z.record(
  envVariable,
  z.string().refine((v) => unknownPlaceholders(v).length === 0, {
    message: `a string whose {{placeholders}} are among ${envPlaceholders.join(', ')}`,
  }),
);

const serviceRef = {
  service: serviceName,
  port: port.optional(),
  health: healthMappingSchema.optional(),
};

const bucketRef = z.strictObject({ org: influxName, bucket: influxName });

const jsonScalar = z.union([z.string(), z.number(), z.boolean()]);

/** One request through the stack's AI path and what its answer must show (roles.aiPath). */
export const aiPathSchema = z.strictObject({
  service: serviceName,
  method: z.enum(['GET', 'POST', 'PUT'], { message: 'one of GET, POST, PUT' }).default('POST'),
  path: httpPath,
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(1_000).max(300_000).default(60_000),
  events: z.number().int().min(0).max(10_000).default(20),
  expect: z
    .strictObject({
      status: z.number().int().min(100).max(599).default(200),
      upstreamRequests: z
        .strictObject({
          request: z
            .string()
            .regex(/^[A-Z]+ \/\S*$/, { message: 'a request line, e.g. "POST /v1/chat/completions"' }),
          min: z.number().int().min(1).default(1),
        })
        .optional(),
      fields: z
        .array(
          z
            .strictObject({
              field: jsonField,
              service: serviceName.optional(),
              equals: jsonScalar.optional(),
              min: z.number().optional(),
              present: z.literal(true).optional(),
            })
            .refine((f) => f.equals !== undefined || f.min !== undefined || f.present !== undefined, {
              message: 'a field check needs one of equals, min, present',
            }),
        )
        .default([]),
    })
    .default({ status: 200, fields: [] }),
});

export const profileFileSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, {
    message: 'a short name (lowercase letters, digits, "_", ".", "-")',
  }),
  compose: z.strictObject({
    files: z.array(z.string().min(1)).min(1, { message: 'at least one compose file' }),
    profiles: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)).default([]),
  }),
  envFile: z.string().min(1).optional(),
  harnessAdds: z
    .array(
      z.enum(['mock-ha', 'influxdb-init', 'fake-upstreams'], {
        message: 'one of mock-ha, influxdb-init, fake-upstreams',
      }),
    )
    .default(['mock-ha', 'influxdb-init', 'fake-upstreams']),
  productionEnv: envMap.default({}),
  roles: z.strictObject({
    ingestion: z.strictObject({
      ...serviceRef,
      token: tokenDeliverySchema,
      modeVariable: envVariable.default('DEPLOYMENT_MODE'),
    }),
    influxdb: z
      .strictObject({
        service: serviceName,
        port: port.default(8086),
        health: healthMappingSchema.optional(),
        test: bucketRef,
        production: bucketRef,
        measurement: influxName.default('home_assistant_events'),
      })
      .refine((r) => r.test.org !== r.production.org || r.test.bucket !== r.production.bucket, {
        message: 'test and production must differ in org or bucket',
        path: ['production'],
      }),
    metadataStore: z
      .strictObject({
        ...serviceRef,
        dataDir: z.string().regex(/^\/\S*$/, { message: 'an absolute path inside the container' }),
        testPath: z.string().min(1),
        productionPath: z.string().min(1),
      })
      .optional(),
    collectors: z
      .array(
        z.strictObject({
          ...serviceRef,
          token: tokenDeliverySchema.optional(),
          upstreamHosts: z.array(z.string().min(1)).default([]),
          productionEnv: envMap.optional(),
        }),
      )
      .default([]),
    aiServices: z
      .array(
        z.strictObject({
          ...serviceRef,
          port,
          token: tokenDeliverySchema.optional(),
          healthPaths: z.array(httpPath).min(1).default(['/health']),
          readinessPath: httpPath.optional(),
        }),
      )
      .default([]),
    aiPath: aiPathSchema.optional(),
    dataGenerator: z
      .strictObject({
        ...serviceRef,
        token: tokenDeliverySchema.optional(),
        refusalExitCode: z.number().int().min(1).max(255).optional(),
      })
      .optional(),
    mockHa: z
      .strictObject({ service: serviceName, port: port.default(8123) })
      .default({ service: 'home-assistant-test', port: 8123 }),
  }),
});

export type ProfileFile = z.input<typeof profileFileSchema>;
export type ParsedProfileFile = z.output<typeof profileFileSchema>;

/**
 * A stack profile: the ONE place that maps the roles the harness judges (ingestion, InfluxDB,
 * metadata store, collectors, AI services, data generator, mock HA) to a user's services.
 * Suites and verifiers name roles, never a service's private fields; a service's own health
 * fields are optional extra evidence declared here (`health`), never a prerequisite.
 *
 * The reference stack's profile is the default (fixtures/reference-stack/stack.profile.json);
 * a user's profile is a file of the same shape named by HOMEIQ_PROFILE. The loader
 * (harness/profile/load.ts) validates it once, one line per bad entry, before anything starts.
 */

/**
 * How a service learns its InfluxDB token.
 * - `env`: the token's value is in the container's environment variable `variable`.
 * - `file`: the token's value is in the file `path` inside the container (a shared volume the
 *   harness fills); `variable`, when given, is the variable that names that path.
 */
export type TokenDelivery =
  | { kind: 'env'; variable: string }
  | { kind: 'file'; path: string; variable?: string | undefined };

/**
 * Optional health evidence of one service: where its health document is and which JSON fields
 * (dotted paths, e.g. `connection.subscribed`) mean what. Every field is optional; a check
 * that has no mapping judges from the outside only.
 */
export interface HealthMapping {
  /** HTTP path of the health document (default `/health`). */
  path: string;
  /** Field whose value says "healthy", and the value(s) that mean it (default: HTTP 200 is healthy). */
  healthy?: { field: string; values: Array<string | number | boolean> } | undefined;
  /** Field that is `true` when the service is subscribed to Home Assistant's events. */
  subscribed?: string | undefined;
  /** Field that holds the deployment mode the service runs in (`test` / `production`). */
  deploymentMode?: string | undefined;
  /** Fields of the ingestion's own counters (extra evidence in loss messages only). */
  counters?: Partial<Record<'received' | 'written' | 'failed' | 'dropped' | 'buffered' | 'skipped', string>>;
}

/** A service of the stack: its compose service name and the container port it serves HTTP on. */
export interface ServiceRef {
  /** Compose service name. */
  service: string;
  /** Container port of its HTTP API (health, REST); undefined for a service with none. */
  port?: number | undefined;
  /** Optional health evidence; absent = judged from the outside only. */
  health?: HealthMapping | undefined;
}

/** One org/bucket pair of a deployment. */
export interface BucketRef {
  org: string;
  bucket: string;
}

export interface IngestionRole extends ServiceRef {
  /** How the ingestion learns its (test-scoped) InfluxDB token. */
  token: TokenDelivery;
  /** The variable that tells it its deployment mode (default `DEPLOYMENT_MODE`). */
  modeVariable: string;
}

export interface InfluxRole extends ServiceRef {
  /** InfluxDB's container port (8086). */
  port: number;
  test: BucketRef;
  production: BucketRef;
  /** Measurement the ingestion writes events to (contract: `home_assistant_events`). */
  measurement: string;
}

export interface MetadataRole extends ServiceRef {
  /** Directory inside the container that holds the SQLite files (read through Docker). */
  dataDir: string;
  /** SQLite path of the test deployment, relative to dataDir (contract: `test/metadata.db`). */
  testPath: string;
  /** SQLite path of the production deployment, relative to dataDir (contract: `metadata.db`). */
  productionPath: string;
}

export interface CollectorRole extends ServiceRef {
  /** How it learns an InfluxDB token, when it has one (the harness delivers the test token this way). */
  token?: TokenDelivery | undefined;
  /** Hosts its production variant would call (informational; egress is judged on all traffic). */
  upstreamHosts: string[];
  /**
   * What turns it on in production, on top of the profile's productionEnv: its enable switch,
   * its upstream base URL (`{{fake-upstreams}}`) and fake keys. Absent = it has none of its own;
   * the egress positive control needs at least one collector with it.
   */
  productionEnv?: Record<string, string> | undefined;
}

export interface AiServiceRole extends ServiceRef {
  port: number;
  /** How it learns an InfluxDB token, when it reads InfluxDB (the harness delivers the test token this way). */
  token?: TokenDelivery | undefined;
  /** Paths that must answer 2xx (at least `/health`). */
  healthPaths: string[];
  /** Readiness path, when the service has one (must pass too). */
  readinessPath?: string | undefined;
}

/**
 * "One request through the AI path": the request the harness sends to the stack's AI entry point
 * after firing `events` state changes through the mock HA, and what the answer must show. Judged
 * from the outside: the HTTP status, the fake LLM upstream's request count (the harness runs
 * fake-upstreams), and optional JSON fields of the answer. Absent = the AI round-trip check fails
 * and says this evidence is missing (it never passes silently).
 */
export interface AiPathRole {
  /** Compose service that takes the request (its HTTP port is the one its role declares). */
  service: string;
  method: 'GET' | 'POST' | 'PUT';
  /** HTTP path, e.g. `/api/suggest`. */
  path: string;
  /** JSON body sent as is (POST/PUT). */
  body?: unknown;
  /** How long the round trip may take, ms (default 60000). */
  timeoutMs: number;
  /** State changes fired through the mock HA (and awaited in InfluxDB) before the request (default 20). */
  events: number;
  expect: {
    /** HTTP status of the answer (default 200). */
    status: number;
    /** Requests the fake upstreams must see during the round trip, e.g. `POST /v1/chat/completions` >= 1. */
    upstreamRequests?: { request: string; min: number } | undefined;
    /** JSON fields of the answer (dotted paths): equal to a value, >= a number, or present (not null). */
    fields: Array<{
      field: string;
      /** Service the field is evidence about (named in the failure message; default: `service`). */
      service?: string | undefined;
      equals?: string | number | boolean | undefined;
      min?: number | undefined;
      present?: true | undefined;
    }>;
  };
}

export interface GeneratorRole extends ServiceRef {
  /** How it learns its InfluxDB token (the harness delivers the test token this way). */
  token?: TokenDelivery | undefined;
  /** Exit code it must use when it refuses production (contract: 78, EX_CONFIG); undefined = any non-zero. */
  refusalExitCode?: number | undefined;
}

export interface MockHaRole {
  /** Compose service name of the mock Home Assistant (the harness's image, the user's service name). */
  service: string;
  /** Container port of the mock (HA's 8123). */
  port: number;
}

export interface StackProfile {
  /** Short name, shown in reports (e.g. `homeiq-reference`). */
  name: string;
  /** Absolute path of the file it was read from. */
  source: string;
  /** Compose files (absolute) and profiles that make up the test deployment. */
  compose: { files: string[]; profiles: string[] };
  /** Env file of the stack (absolute), read with Compose's rules; undefined = none. */
  envFile?: string | undefined;
  /**
   * What the harness adds to the compose config when it lacks it: the mock HA (under
   * roles.mockHa.service), `influxdb-init` (onboarding + token volume), `fake-upstreams`.
   */
  harnessAdds: Array<'mock-ha' | 'influxdb-init' | 'fake-upstreams'>;
  /**
   * Environment of a production deployment of the same images, given to every production variant
   * the harness starts (production safeguards): org, bucket, token variables, switches. Values may
   * use {{influxdb.org}}, {{influxdb.bucket}}, {{influxdb.token}}, {{influxdb.url}}, {{fake-upstreams}}
   * (harness/profile/production-env.ts). The mode variable is set to `production` in any case.
   */
  productionEnv: Record<string, string>;
  roles: {
    ingestion: IngestionRole;
    influxdb: InfluxRole;
    metadataStore?: MetadataRole | undefined;
    collectors: CollectorRole[];
    aiServices: AiServiceRole[];
    /** One request through the AI path (optional; absent = the round-trip check fails naming what is missing). */
    aiPath?: AiPathRole | undefined;
    dataGenerator?: GeneratorRole | undefined;
    mockHa: MockHaRole;
  };
}
